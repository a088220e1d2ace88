// Model stage, public surface: load a model, plan its feeds, and score chunks into prediction columns.
import { performance } from 'node:perf_hooks';
import { ModelError, OnnxBatchError } from '../errors.js';
import { concatChunks, concatColumns, rowAt, sliceChunk, withoutRejected, type Column, type ColumnChunk } from '../shared/chunk.js';
import { buildFeeds } from './build-feeds.js';
import type { FeedPlan } from './feed-plan.js';
import { readModelFile, type ModelFile } from './model-file.js';
import { declaredColumnNames, planOutputs, toPredictionColumns, type OutputPlan } from './outputs.js';
import { refuseNaNPredictions } from './refuse-nan-predictions.js';
import { createSession, type ModelSession, type RunControl, type SessionOptions } from './session.js';

export { autoBatchRows } from './batch-size.js';
export { describeModel, type ModelDescription } from './describe.js';
export { buildFeeds } from './build-feeds.js';
export { planDeclaredFeeds, planFeeds, type DeclaredFeed, type FeedPlan, type InputFeed } from './feed-plan.js';
export { decideMissing, MISSING_MODES, type MissingDecision, type MissingMode } from './missing-values.js';
export type { ModelFile, SkippedOutput } from './model-file.js';
export { smokeTest, type SmokeResult } from './smoke-test.js';
export { EXECUTION_PROVIDERS, providerLabel, type ExecutionProvider, type TensorSignature } from './session.js';
export { cudaSettingsOf } from './session-options.js';

/** A model ready to score: the checked file, the runtime session and what is fetched. */
export interface LoadedModel {
  readonly file: ModelFile;
  readonly session: ModelSession;
  readonly outputs: OutputPlan;
}

/** Milliseconds spent building tensors and running the model, accumulated across chunks. */
export interface ModelTimings {
  preprocessMs: number;
  inferMs: number;
}

/** Reads and checks the model file, then creates the runtime session. */
export async function loadModel(path: string, options: SessionOptions): Promise<LoadedModel> {
  const file = await readModelFile(path);
  const session = await createSession(file, options);
  return { file, session, outputs: planOutputs(session.outputs, file) };
}

/** A model with its outputs' columns named by these class labels (from a pipeline spec). */
export function withOutputLabels(model: LoadedModel, labels: Readonly<Record<string, readonly string[]>>): LoadedModel {
  return { ...model, outputs: planOutputs(model.session.outputs, model.file, labels) };
}

/** The columns each model output becomes, as far as the declared shapes tell before scoring. */
export interface OutputColumns {
  readonly output: string;
  readonly columns: readonly string[];
  readonly labels: readonly string[] | undefined;
}

export function outputColumns(model: LoadedModel): OutputColumns[] {
  return model.outputs.entries.map((entry) => ({
    output: entry.column,
    columns: declaredColumnNames(entry, model.session.outputs.find((output) => output.name === entry.fetch)),
    labels: entry.labels,
  }));
}

/** Names of the prediction columns, in output order. */
export function predictionColumnNames(model: LoadedModel): string[] {
  return outputColumns(model).flatMap((group) => group.columns);
}

/** A batch's predictions, row for row with `rows`: the batch's rows that the model could take. */
export interface ScoredRows {
  readonly rows: ColumnChunk;
  readonly predictions: Map<string, Column>;
}

/** Scores one chunk; a model with a fixed batch size is run in padded slices of that size. */
export async function scoreChunk(model: LoadedModel, plan: FeedPlan, chunk: ColumnChunk, timings: ModelTimings, control: RunControl = {}): Promise<ScoredRows> {
  const step = plan.fixedBatch ?? chunk.rowCount;
  if (step >= chunk.rowCount) return runBatch(model, plan, chunk, { timings, control });
  const parts: ScoredRows[] = [];
  for (let start = 0; start < chunk.rowCount; start += step) {
    parts.push(await runBatch(model, plan, sliceChunk(chunk, start, Math.min(start + step, chunk.rowCount)), { timings, control }));
  }
  // A slice whose rows all left has no predictions to join.
  const scored = parts.filter((part) => part.rows.rowCount > 0);
  const predictions = new Map<string, Column>();
  for (const name of scored[0]?.predictions.keys() ?? []) predictions.set(name, concatColumns(scored.map((part) => part.predictions.get(name) as Column)));
  return { rows: concatChunks(parts.map((part) => part.rows)), predictions };
}

interface BatchRun {
  readonly timings: ModelTimings;
  readonly control: RunControl;
}

async function runBatch(model: LoadedModel, plan: FeedPlan, chunk: ColumnChunk, batch: BatchRun): Promise<ScoredRows> {
  const { timings } = batch;
  const built = performance.now();
  let rows = chunk;
  let feeds = buildFeeds(plan, rows, plan.fixedBatch ?? rows.rowCount, model.session.buffers);
  // Rows with values the model cannot take are found while its feeds are built: they leave here,
  // unscored (the feeds are built again without them, which costs only batches that had such rows).
  const accepted = withoutRejected(rows);
  if (accepted !== rows) {
    rows = accepted;
    if (rows.rowCount === 0) return { rows, predictions: new Map() };
    feeds = buildFeeds(plan, rows, plan.fixedBatch ?? rows.rowCount, model.session.buffers);
  }
  const started = performance.now();
  timings.preprocessMs += started - built;
  const results = await runModel(model, feeds, rows, batch.control);
  timings.inferMs += performance.now() - started;
  const predictions = toPredictionColumns(model.outputs, results, rows.rowCount, model.file.path);
  refuseNaNPredictions(rows, predictions, model.file.path);
  return { rows, predictions };
}

async function runModel(model: LoadedModel, feeds: Parameters<ModelSession['run']>[0], chunk: ColumnChunk, control: RunControl): ReturnType<ModelSession['run']> {
  try {
    return await model.session.run(feeds, model.outputs.entries.map((entry) => entry.fetch), control);
  } catch (error) {
    if (error instanceof OnnxBatchError) throw error;
    const first = rowAt(chunk, 0);
    const last = rowAt(chunk, chunk.rowCount - 1);
    throw new ModelError('MODEL_RUN_FAILED', `Model ${model.file.path} failed on rows ${first}..${last} of ${chunk.origin.source}: ${(error as Error).message}`, {
      context: { file: chunk.origin.source, row: first },
      hint: 'check that the input values are in the range the model was trained on; `onnx-batch inspect` shows the model inputs',
      cause: error,
    });
  }
}
