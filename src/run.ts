// The runner: wires source -> pipeline -> model -> sink for a ScoreJob, with the report beside them.
import { performance } from 'node:perf_hooks';
import type { ScoreJob } from './config/job.js';
import { InternalError, InterruptedError, OnnxBatchError, OutputError, UsageError } from './errors.js';
import { describeModel, loadModel, providerLabel, runtimeVersion, scoreChunk, type LoadedModel } from './model/index.js';
import { rebatch } from './pipeline/index.js';
import { buildReport, countNaNs, createRunStats, writeReport, type RunReport, type RunStats } from './report/index.js';
import { checkInputColumns, planScoring, type ScoringPlan } from './scoring-plan.js';
import { openSink, type OutputBatch, type Sink, type SinkSummary } from './sinks/index.js';
import type { Column, ColumnChunk } from './sources/chunk.js';
import { inputSize, openSource, type OpenedSource } from './sources/index.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';

/** Progress of a run, for a progress bar. */
export interface RunProgress {
  readonly rows: number;
  readonly bytesRead: number;
  /** Undefined when an input's size is unknown (stdin). */
  readonly bytesTotal: number | undefined;
}

export interface RunHooks {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
  readonly onWarning?: (message: string) => void;
}

/** The outcome of a run: its report, and the error when it failed. */
export interface RunResult {
  readonly report: RunReport;
  readonly error: OnnxBatchError | undefined;
}

interface RunState {
  readonly job: ScoreJob;
  readonly hooks: RunHooks;
  readonly stats: RunStats;
  readonly inputs: { path: string; format: string; bytes: number | null; rows: number }[];
  model?: LoadedModel;
  plan?: ScoringPlan;
  summary?: SinkSummary;
}

/** Runs a scoring job to the end; never throws for a failed run: the error comes back with the report. */
export async function runScore(job: ScoreJob, hooks: RunHooks = {}): Promise<RunResult> {
  const startedAt = new Date();
  const started = performance.now();
  const state: RunState = { job, hooks, stats: createRunStats(), inputs: [] };
  let error: OnnxBatchError | undefined;
  try {
    await score(state);
  } catch (caught) {
    error = caught instanceof OnnxBatchError ? caught : new InternalError(String((caught as Error)?.stack ?? caught), { cause: caught });
  }
  const report = reportOf(state, startedAt, performance.now() - started, error);
  if (job.report !== undefined) {
    try {
      await writeReport(job.report, report);
    } catch (reportError) {
      error ??= new OutputError('OUTPUT_FAILED', `Cannot write report ${job.report}: ${(reportError as Error).message}`, { hint: 'choose another --report path' });
    }
  }
  return { report, error };
}

async function score(state: RunState): Promise<void> {
  const { job, stats } = state;
  const totalBytes = await totalInputBytes(job);
  const loadStarted = performance.now();
  state.model = await loadModel(job.model, { threads: job.threads, executionProviders: job.executionProviders, onFallback: (message) => warn(state, message) });
  stats.loadModelMs = performance.now() - loadStarted;
  for (const skipped of state.model.outputs.skipped) warn(state, `${skipped.reason}; it is not written`);

  const firstInput = job.inputs[0];
  if (firstInput === undefined) throw new UsageError('USAGE', 'No input given', { hint: 'pass --input FILE (or - for stdin)' });
  let source = await openSource(firstInput.format, { path: firstInput.path, delimiter: job.delimiter });
  const plan = await planScoring(job, state.model, source.columnNames);
  state.plan = plan;

  const sink = await openSink(job.output.format, { path: job.output.path, columnNames: plan.outputColumns });
  let bytesDone = 0;
  try {
    for (let index = 0; index < job.inputs.length; index++) {
      const input = job.inputs[index] as (typeof job.inputs)[number];
      if (index > 0) source = await openSource(input.format, { path: input.path, delimiter: job.delimiter });
      const entry = { path: input.path, format: source.format, bytes: null as number | null, rows: 0 };
      state.inputs.push(entry);
      try {
        checkInputColumns(plan, source.path, source.columnNames);
        await scoreSource(state, plan, source, sink, entry, (read) => ({ rows: stats.rowsRead, bytesRead: bytesDone + read, bytesTotal: totalBytes }));
        entry.bytes = source.bytesRead();
        bytesDone += entry.bytes;
      } finally {
        await source.close();
      }
    }
    const writeStarted = performance.now();
    state.summary = await sink.commit();
    stats.writeMs += performance.now() - writeStarted;
  } catch (error) {
    await sink.abort();
    throw error;
  }
  for (const [column, count] of stats.nanCounts) warn(state, `model output column '${column}' has ${count} NaN values`);
}

async function scoreSource(
  state: RunState,
  plan: ScoringPlan,
  source: OpenedSource,
  sink: Sink,
  entry: { rows: number },
  progress: (bytesRead: number) => RunProgress,
): Promise<void> {
  const { job, stats, hooks } = state;
  const fixed = plan.feeds.fixedBatch;
  const chunkRows = fixed === undefined ? job.batchSize : Math.max(fixed, Math.floor(job.batchSize / fixed) * fixed);
  const chunks = rebatch(source.chunks({ chunkRows, rowOffset: stats.rowsRead, numericColumns: plan.numericColumns }), chunkRows);
  const iterator = chunks[Symbol.asyncIterator]();
  for (;;) {
    if (hooks.signal?.aborted === true) throw new InterruptedError(hooks.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    const readStarted = performance.now();
    const next = await iterator.next();
    stats.readMs += performance.now() - readStarted;
    if (next.done === true) return;
    const chunk = next.value;
    stats.rowsRead += chunk.rowCount;
    entry.rows += chunk.rowCount;
    const transformStarted = performance.now();
    const features = plan.pipeline?.transform(chunk) ?? chunk;
    stats.preprocessMs += performance.now() - transformStarted;
    const predictions = await scoreChunk(plan.model, plan.feeds, features, stats);
    plan.postProcess?.apply(predictions, chunk.rowCount);
    countNaNs(stats, predictions);
    const writeStarted = performance.now();
    await sink.write(outputBatch(chunk, plan.kept, predictions), chunk.rowCount);
    stats.writeMs += performance.now() - writeStarted;
    stats.rowsScored += chunk.rowCount;
    stats.batches++;
    hooks.onProgress?.(progress(source.bytesRead()));
  }
}

/** Kept columns come from the chunk as read, not as preprocessed. */
function outputBatch(chunk: ColumnChunk, kept: readonly string[], predictions: ReadonlyMap<string, Column>): OutputBatch {
  const batch = new Map<string, Column>();
  for (const name of kept) batch.set(name, chunk.columns.get(name) as Column);
  for (const [name, column] of predictions) batch.set(name, column);
  return batch;
}

async function totalInputBytes(job: ScoreJob): Promise<number | undefined> {
  let total = 0;
  for (const input of job.inputs) {
    const size = await inputSize(input.path);
    if (size === undefined) return undefined;
    total += size;
  }
  return total;
}

function warn(state: RunState, message: string): void {
  state.stats.warnings.push(message);
  state.hooks.onWarning?.(message);
}

function reportOf(state: RunState, startedAt: Date, durationMs: number, error: OnnxBatchError | undefined): RunReport {
  const { job, stats, model, plan, summary } = state;
  const description = model === undefined ? undefined : describeModel(model);
  const spec = plan?.pipeline?.loaded;
  return buildReport({
    startedAt,
    durationMs,
    tool: { name: TOOL_NAME, version: TOOL_VERSION, node: process.version, onnxruntime: runtimeVersion },
    modelPath: job.model,
    model:
      description === undefined || model === undefined
        ? undefined
        : { ...description, outputs: description.outputs.map(({ name, type, shape }) => ({ name, type, shape })), skippedOutputs: model.outputs.skipped },
    pipeline: spec === undefined ? null : { source: spec.source.kind, path: spec.source.path, sha256: spec.source.sha256, steps: spec.spec.steps.length },
    executionProvider: { requested: job.executionProviders.map(providerLabel).join(','), used: model?.session.executionProvider ?? null },
    feeds: {
      mapping: plan?.feeds.mapping ?? null,
      inputs: plan?.feeds.feeds.map((feed) => ({ input: feed.input, type: feed.type, columns: feed.columns })) ?? [],
    },
    inputs: state.inputs,
    outputs: summary === undefined ? [] : [{ ...summary, columns: plan?.outputColumns ?? [] }],
    stats,
    error,
    interrupted: error instanceof InterruptedError,
  });
}
