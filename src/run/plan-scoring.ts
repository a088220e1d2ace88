// The runner's plan for a job, decided once from the model, the spec and the first input's columns:
// how rows become model feeds, which columns are kept, and what the output's columns are.
import type { ScoreJob } from '../config/job.js';
import { InputError, quoteNames, UsageError } from '../errors.js';
import { autoBatchRows, decideMissing, outputColumns, planDeclaredFeeds, planFeeds, predictionColumnNames, withOutputLabels, type DeclaredFeed, type FeedPlan, type LoadedModel } from '../model/index.js';
import { compilePipeline, compilePostProcess, loadSpec, type Pipeline, type PostProcess } from '../pipeline/index.js';

export interface ScoringPlan {
  readonly model: LoadedModel;
  readonly pipeline: Pipeline | undefined;
  readonly feeds: FeedPlan;
  readonly postProcess: PostProcess | undefined;
  /** Input columns copied to the output. */
  readonly kept: readonly string[];
  /** Every output column, in order. */
  readonly outputColumns: readonly string[];
  /** Raw columns a text source should parse into numbers. */
  readonly numericColumns: ReadonlySet<string>;
  /** Raw columns every input must have. */
  readonly requiredColumns: readonly string[];
  /** Rows per inference call: --batch-size, or the one auto picks for the model. */
  readonly batchRows: number;
}

/** The part of a job that planning reads. */
export type PlanRequest = Pick<ScoreJob, 'model' | 'pipeline' | 'features' | 'keep' | 'missing' | 'batchSize' | 'decodeWorkers'>;

export interface PlanOptions {
  /** Fail when no spec is found (for `pipeline check`). */
  readonly requireSpec?: boolean;
  /** Take every column the spec reads as present (checking a spec without a sample). */
  readonly assumeColumns?: boolean;
}

/** Plans a job against the first input's columns. */
export async function planScoring(job: PlanRequest, loaded: LoadedModel, input: { readonly path: string; readonly columnNames: readonly string[] }, options: PlanOptions = {}): Promise<ScoringPlan> {
  const { columnNames } = input;
  const spec = await loadSpec({ path: job.pipeline, modelPath: job.model, modelMetadata: loaded.file.metadata });
  if (spec === undefined && options.requireSpec === true) {
    throw new UsageError('CONFIG_INVALID', `No pipeline spec found for ${job.model}`, {
      hint: 'pass -p spec.yaml, put <model>.pipeline.yaml beside the model, or embed one in its metadata',
    });
  }
  if (spec !== undefined && job.features !== undefined) {
    throw new UsageError('USAGE', `--features cannot be combined with a pipeline spec (${spec.source.path})`, {
      hint: "the spec's inputs section says which columns feed the model",
    });
  }
  const pipeline = spec === undefined ? undefined : compilePipeline(spec, columnNames, { assumeColumns: options.assumeColumns === true, inputPath: input.path, decodeWorkers: job.decodeWorkers });
  const files = { model: job.model, input: input.path, ...(spec === undefined ? {} : { spec: spec.source.path }) };
  const labels = Object.fromEntries(Object.entries(spec?.spec.outputs ?? {}).flatMap(([name, output]) => (output.labels === undefined ? [] : [[name, output.labels]])));
  const model = withOutputLabels(loaded, labels);
  const planned =
    pipeline === undefined ? planFeeds({ inputs: model.session.inputs, columnNames, features: job.features, files }) : planDeclaredFeeds(model.session.inputs, declaredFeeds(pipeline), files);
  // Per float input, from --missing and the graph: feed NaN, or make the row bad (the report says which and why).
  const missing = Object.fromEntries(
    planned.feeds.filter((feed) => feed.type === 'float32' || feed.type === 'float64' || feed.type === 'float16').map((feed) => [feed.input, decideMissing(job.missing, model.file.missingValues[feed.input])]),
  );
  const feeds: FeedPlan = { ...planned, missing };
  const postProcess = spec === undefined ? undefined : compilePostProcess(spec.spec.outputs, outputColumns(model));
  const kept = keptColumns(job, input);
  const predictions = [...predictionColumnNames(model), ...(postProcess?.columnNames ?? [])];
  checkNoClash(kept, predictions);
  const raw = new Set(columnNames);
  const fed = feeds.feeds.flatMap((feed) => feed.columns).filter((name) => raw.has(name) && (pipeline === undefined || !pipeline.writes.has(name)));
  const numericColumns = new Set([...(pipeline?.numericColumns ?? []), ...[...feeds.numericColumns].filter((name) => raw.has(name) && (pipeline === undefined || !pipeline.writes.has(name)))]);
  return {
    model,
    pipeline,
    feeds,
    postProcess,
    kept,
    outputColumns: [...kept, ...predictions],
    numericColumns,
    requiredColumns: [...new Set([...(pipeline?.inputColumns ?? []), ...fed, ...kept])],
    batchRows: job.batchSize === 'auto' ? autoBatchRows(model.file, feeds.feeds, model.session.outputs, model.session.executionProvider === 'cpu' ? 'cpu' : 'gpu') : job.batchSize,
  };
}

/** The spec's model inputs, each with the per-row shape of the tensor column that feeds it, if one does. */
function declaredFeeds(pipeline: Pipeline): Record<string, DeclaredFeed> {
  return Object.fromEntries(
    Object.entries(pipeline.inputs).map(([name, input]) => {
      const tensor = input.columns.length === 1 ? pipeline.tensors.get(input.columns[0] as string) : undefined;
      return [name, tensor === undefined ? input : { ...input, tensor }];
    }),
  );
}

function keptColumns(job: PlanRequest, input: { readonly path: string; readonly columnNames: readonly string[] }): string[] {
  const { columnNames } = input;
  if (job.keep === 'all') return [...columnNames];
  if (job.keep === 'none') return [];
  const missing = job.keep.filter((name) => !columnNames.includes(name));
  if (missing.length > 0) {
    // A missing column is an input error (exit 3) wherever it is named: --features, a spec or --keep.
    throw new InputError('SCHEMA_MISMATCH', `Input ${input.path} lacks columns that --keep names: ${quoteNames(missing)}`, {
      context: { file: input.path, ...(missing[0] === undefined ? {} : { column: missing[0] }) },
      hint: `the input's columns are: ${quoteNames(columnNames)}`,
    });
  }
  return [...job.keep];
}

function checkNoClash(kept: readonly string[], predictions: readonly string[]): void {
  const clash = predictions.find((name) => kept.includes(name));
  if (clash !== undefined) {
    throw new UsageError('USAGE', `Output column '${clash}' would be written twice: the input has a column of that name and the model (or the spec's outputs) writes one too`, {
      hint: `keep only other input columns, e.g. --keep none or --keep with a list that leaves out '${clash}'`,
    });
  }
}

/** Fails when a later input lacks columns that the plan, made on the first input (`firstPath`), needs. */
export function checkInputColumns(plan: ScoringPlan, path: string, columnNames: readonly string[], firstPath: string): void {
  const missing = plan.requiredColumns.filter((name) => !columnNames.includes(name));
  if (missing.length > 0) {
    throw new InputError('SCHEMA_MISMATCH', `Input ${path} lacks columns ${quoteNames(missing)} that the first input ${firstPath} has`, {
      context: { file: path, ...(missing[0] === undefined ? {} : { column: missing[0] }) },
      hint: 'inputs scored into one output need the same columns; score them separately or use --keep to keep fewer columns',
    });
  }
}
