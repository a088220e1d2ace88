// Pipeline: compiles a checked spec, against the input's columns, into one transform over column chunks.
import { dirname } from 'node:path';
import { InternalError } from '../errors.js';
import type { ColumnChunk } from '../shared/chunk.js';
import { Columns } from './columns.js';
import type { LoadedSpec } from './load-spec.js';
import type { InputSpec, StepName } from './spec.js';
import { compileOneHot, compileOrdinal } from './steps/categories.js';
import { compileDateParts } from './steps/dates.js';
import { compileBucketize, compileClip, compileImpute, compileLog1p, compileMinMax, compileStandardize } from './steps/numeric.js';
import { compileCast, compileRename, compileSelect } from './steps/shape.js';
import { compileImage } from './steps/image.js';
import { StepContext, type CompiledStep, type CompileOptions, type StepOptions, type TensorInfo } from './steps/step.js';
import { compileTokenize } from './steps/tokenize.js';

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
  image: compileImage,
  tokenize: compileTokenize,
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
  /** Tensor columns (written by image and tokenize steps) that model inputs take, with their per-row shape. */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  /** Runs every step on a chunk, image steps in worker threads; the input chunk's arrays are never changed. */
  transformAsync(chunk: ColumnChunk): Promise<ColumnChunk>;
  /** The same on this thread, for a spec without steps that run in worker threads (image). */
  transform(chunk: ColumnChunk): ColumnChunk;
  /** Stops the steps' worker threads. */
  close(): Promise<void>;
}

/** Compiles the steps in order, checking that every column a step or model input names exists where it is used. */
export function compilePipeline(loaded: LoadedSpec, columnNames: readonly string[], options: Omit<CompileOptions, 'specFolder'> & { inputPath?: string } = {}): Pipeline {
  const { inputPath, ...compile } = options;
  const context = new StepContext(columnNames, { spec: loaded.source.path, input: inputPath ?? 'the input' }, { ...compile, specFolder: specFolderOf(loaded) });
  const steps = loaded.spec.steps.map((step, index) => {
    const [name, options] = Object.entries(step)[0] as [StepName, unknown];
    context.path = `steps[${index}].${name}`;
    // The spec reader guarantees that the options match the step name.
    const compile = COMPILERS[name] as (options: unknown, context: StepContext) => CompiledStep;
    return compile(options, context);
  });
  for (const [input, spec] of Object.entries(loaded.spec.inputs)) {
    context.path = `inputs.${input}`;
    spec.columns.forEach((column, index) => context.needAny(column, `columns[${index}]`));
    const tensor = spec.columns.find((column) => context.tensors.has(column));
    if (tensor !== undefined && spec.columns.length > 1) context.refuse('columns', `column '${tensor}' holds a tensor per row and feeds a model input alone`, `give '${input}' only the column '${tensor}'`);
  }
  return {
    loaded,
    numericColumns: context.numericInputs,
    inputColumns: context.rawInputs,
    writes: context.written,
    inputs: loaded.spec.inputs,
    tensors: new Map([...context.tensors].filter(([name]) => Object.values(loaded.spec.inputs).some((input) => input.columns.includes(name)))),
    transformAsync: async (chunk) => {
      const columns = new Columns(chunk.columns);
      for (const step of steps) await step.apply(columns, chunk);
      return { ...chunk, columns };
    },
    transform: (chunk) => {
      if (steps.some((step) => step.offThread === true)) throw new InternalError('transform() on a spec with steps that run in worker threads: use transformAsync()');
      const columns = new Columns(chunk.columns);
      for (const step of steps) void step.apply(columns, chunk);
      return { ...chunk, columns };
    },
    close: async () => {
      await Promise.all(steps.map((step) => step.close?.()));
    },
  };
}

/** Relative paths in a spec start from its file's folder; an embedded spec's, from the model's. */
function specFolderOf(loaded: LoadedSpec): string {
  const { kind, path } = loaded.source;
  return dirname(kind === 'model-metadata' ? path.slice(0, path.lastIndexOf('#')) : path);
}
