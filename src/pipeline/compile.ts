// Pipeline: compiles a checked spec, against the input's columns, into one transform over column chunks.
import type { ColumnChunk } from '../shared/chunk.js';
import { Columns } from './columns.js';
import type { LoadedSpec } from './load-spec.js';
import type { InputSpec, StepName } from './spec.js';
import { compileOneHot, compileOrdinal } from './steps/categories.js';
import { compileDateParts } from './steps/dates.js';
import { compileBucketize, compileClip, compileImpute, compileLog1p, compileMinMax, compileStandardize } from './steps/numeric.js';
import { compileCast, compileRename, compileSelect } from './steps/shape.js';
import { StepContext, type CompiledStep, type StepOptions } from './steps/step.js';

/** Step name -> compiler: the registry is the catalogue (README "Preprocessing"). */
const COMPILERS: { readonly [K in StepName]: (options: StepOptions<K>, context: StepContext) => CompiledStep } = {
  select: compileSelect,
  rename: compileRename,
  cast: compileCast,
  impute: compileImpute,
  standardize: compileStandardize,
  min_max: compileMinMax,
  clip: compileClip,
  log1p: compileLog1p,
  one_hot: compileOneHot,
  ordinal: compileOrdinal,
  bucketize: compileBucketize,
  date_parts: compileDateParts,
};

/** The step names a spec may use, in documentation order (schema/pipeline.schema.json lists the same, checked by a test). */
export const STEP_NAMES = Object.keys(COMPILERS) as readonly StepName[];

/** A spec compiled for one set of input columns. */
export interface Pipeline {
  readonly loaded: LoadedSpec;
  /** Raw columns that numeric steps read: text sources parse them straight into numbers. */
  readonly numericColumns: ReadonlySet<string>;
  /** Raw columns every input must have. */
  readonly inputColumns: ReadonlySet<string>;
  /** Columns the steps write (new ones, or raw ones they replace). */
  readonly writes: ReadonlySet<string>;
  /** The columns each model input is assembled from, after the steps. */
  readonly inputs: Readonly<Record<string, InputSpec>>;
  /** Runs every step on a chunk; the input chunk's arrays are never changed. */
  transform(chunk: ColumnChunk): ColumnChunk;
}

/** Compiles the steps in order, checking that every column a step or model input names exists where it is used. */
export function compilePipeline(loaded: LoadedSpec, columnNames: readonly string[], options: { assumeColumns?: boolean; inputPath?: string } = {}): Pipeline {
  const context = new StepContext(columnNames, { spec: loaded.source.path, input: options.inputPath ?? 'the input' }, options.assumeColumns === true);
  const steps = loaded.spec.steps.map((step, index) => {
    const [name, options] = Object.entries(step)[0] as [StepName, unknown];
    context.path = `steps[${index}].${name}`;
    // The spec reader guarantees that the options match the step name.
    const compile = COMPILERS[name] as (options: unknown, context: StepContext) => CompiledStep;
    return compile(options, context);
  });
  for (const [input, spec] of Object.entries(loaded.spec.inputs)) {
    context.path = `inputs.${input}`;
    spec.columns.forEach((column, index) => context.need(column, `columns[${index}]`));
  }
  return {
    loaded,
    numericColumns: context.numericInputs,
    inputColumns: context.rawInputs,
    writes: context.written,
    inputs: loaded.spec.inputs,
    transform: (chunk) => {
      const columns = new Columns(chunk.columns);
      for (const step of steps) step.apply(columns, chunk);
      return { ...chunk, columns };
    },
  };
}
