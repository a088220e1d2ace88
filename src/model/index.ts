// Model stage, public surface: load a model, plan its feeds, and score chunks into prediction columns.
import { performance } from 'node:perf_hooks';
import { ModelError, OnnxBatchError } from '../errors.js';
import { concatColumns, sliceChunk, type Column, type ColumnChunk } from '../shared/chunk.js';
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

/** Scores one chunk; a model with a fixed batch size is run in padded slices of that size. */
export async function scoreChunk(model: LoadedModel, plan: FeedPlan, chunk: ColumnChunk, timings: ModelTimings, control: RunControl = {}): Promise<Map<string, Column>> {
  const step = plan.fixedBatch ?? chunk.rowCount;
  if (step >= chunk.rowCount) return runBatch(model, plan, chunk, { paddedRows: plan.fixedBatch ?? chunk.rowCount, timings, control });
  const parts: Map<string, Column>[] = [];
  for (let start = 0; start < chunk.rowCount; start += step) {
    const slice = sliceChunk(chunk, start, Math.min(start + step, chunk.rowCount));
    parts.push(await runBatch(model, plan, slice, { paddedRows: step, timings, control }));
  }
  const joined = new Map<string, Column>();
  for (const name of parts[0]?.keys() ?? []) joined.set(name, concatColumns(parts.map((part) => part.get(name) as Column)));
  return joined;
}

interface BatchRun {
  readonly paddedRows: number;
  readonly timings: ModelTimings;
  readonly control: RunControl;
}

async function runBatch(model: LoadedModel, plan: FeedPlan, chunk: ColumnChunk, batch: BatchRun): Promise<Map<string, Column>> {
  const { timings } = batch;
  const built = performance.now();
  const feeds = buildFeeds(plan, chunk, batch.paddedRows, model.session.buffers);
  const started = performance.now();
  timings.preprocessMs += started - built;
  const results = await runModel(model, feeds, chunk, batch.control);
  timings.inferMs += performance.now() - started;
  const predictions = toPredictionColumns(model.outputs, results, chunk.rowCount, model.file.path);
  refuseNaNPredictions(chunk, predictions, model.file.path);
  return predictions;
}

async function runModel(model: LoadedModel, feeds: Parameters<ModelSession['run']>[0], chunk: ColumnChunk, control: RunControl): ReturnType<ModelSession['run']> {
  try {
    return await model.session.run(feeds, model.outputs.entries.map((entry) => entry.fetch), control);
  } catch (error) {
    if (error instanceof OnnxBatchError) throw error;
    const last = chunk.rowOffset + chunk.rowCount - 1;
    throw new ModelError('MODEL_RUN_FAILED', `Model ${model.file.path} failed on rows ${chunk.rowOffset}..${last} of ${chunk.origin.source}: ${(error as Error).message}`, {
      context: { file: chunk.origin.source, row: chunk.rowOffset },
      hint: 'check that the input values are in the range the model was trained on; `onnx-batch inspect` shows the model inputs',
      cause: error,
    });
  }
}
