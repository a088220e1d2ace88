// The runner: wires source -> pipeline -> model -> sink for a ScoreJob, with the report beside them.
import { performance } from 'node:perf_hooks';
import type { ScoreJob } from './config/job.js';
import { InputError, InternalError, InterruptedError, OnnxBatchError, OutputError, UsageError } from './errors.js';
import { loadModel, planFeeds, describeModel, predictionColumnNames, providerLabel, runtimeVersion, scoreChunk, type FeedPlan, type LoadedModel } from './model/index.js';
import { rebatch } from './pipeline/index.js';
import { countNaNs, createRunStats, writeReport, type RunReport, type RunStats } from './report/index.js';
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
  plan?: FeedPlan;
  outputColumns?: string[];
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
  const report = buildReport(state, startedAt, performance.now() - started, error);
  if (job.report !== undefined) {
    try {
      await writeReport(job.report, report);
    } catch (reportError) {
      const message = `Cannot write report ${job.report}: ${(reportError as Error).message}`;
      error ??= new OutputError('OUTPUT_FAILED', message, { hint: 'choose another --report path' });
    }
  }
  return { report, error };
}

async function score(state: RunState): Promise<void> {
  const { job, stats } = state;
  const totalBytes = await totalInputBytes(job);
  const loadStarted = performance.now();
  const model = await loadModel(job.model, { threads: job.threads, executionProviders: job.executionProviders, onFallback: (message) => warn(state, message) });
  state.model = model;
  stats.loadModelMs = performance.now() - loadStarted;
  for (const skipped of model.outputs.skipped) warn(state, `${skipped.reason}; it is not written`);

  const firstInput = job.inputs[0];
  if (firstInput === undefined) throw new UsageError('USAGE', 'No input given', { hint: 'pass --input FILE (or - for stdin)' });
  let source = await openSource(firstInput.format, { path: firstInput.path, delimiter: job.delimiter });
  const plan = planFeeds({ inputs: model.session.inputs, columnNames: source.columnNames, features: job.features });
  state.plan = plan;
  const kept = keptColumns(job, source.columnNames);
  const outputColumns = [...kept, ...predictionColumnNames(model)];
  checkNoClash(kept, predictionColumnNames(model));
  state.outputColumns = outputColumns;

  const sink = await openSink(job.output.format, { path: job.output.path, columnNames: outputColumns });
  let bytesDone = 0;
  try {
    for (let index = 0; index < job.inputs.length; index++) {
      const input = job.inputs[index] as (typeof job.inputs)[number];
      if (index > 0) source = await openSource(input.format, { path: input.path, delimiter: job.delimiter });
      const entry = { path: input.path, format: source.format, bytes: null as number | null, rows: 0 };
      state.inputs.push(entry);
      try {
        checkColumns(source, plan, kept);
        await scoreSource(state, source, kept, sink, entry, (read) => ({ rows: stats.rowsRead, bytesRead: bytesDone + read, bytesTotal: totalBytes }));
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
  source: OpenedSource,
  kept: readonly string[],
  sink: Sink,
  entry: { rows: number },
  progress: (bytesRead: number) => RunProgress,
): Promise<void> {
  const { job, stats, hooks } = state;
  const model = state.model as LoadedModel;
  const plan = state.plan as FeedPlan;
  const chunkRows = plan.fixedBatch === undefined ? job.batchSize : Math.max(plan.fixedBatch, Math.floor(job.batchSize / plan.fixedBatch) * plan.fixedBatch);
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
    const predictions = await scoreChunk(model, plan, chunk, stats);
    countNaNs(stats, predictions);
    const writeStarted = performance.now();
    await sink.write(outputBatch(chunk, kept, predictions), chunk.rowCount);
    stats.writeMs += performance.now() - writeStarted;
    stats.rowsScored += chunk.rowCount;
    stats.batches++;
    hooks.onProgress?.(progress(source.bytesRead()));
  }
}

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

function keptColumns(job: ScoreJob, columnNames: readonly string[]): string[] {
  if (job.keep === 'all') return [...columnNames];
  if (job.keep === 'none') return [];
  const missing = job.keep.filter((name) => !columnNames.includes(name));
  if (missing.length > 0) {
    throw new UsageError('USAGE', `--keep names columns the input lacks: ${missing.map((name) => `'${name}'`).join(', ')}`, {
      hint: `the input's columns are: ${columnNames.map((name) => `'${name}'`).join(', ')}`,
    });
  }
  return [...job.keep];
}

function checkNoClash(kept: readonly string[], predictions: readonly string[]): void {
  const clash = predictions.find((name) => kept.includes(name));
  if (clash !== undefined) {
    throw new UsageError('USAGE', `Output column '${clash}' would be written twice: the input has a column of that name and the model has an output of that name`, {
      hint: `keep only other input columns, e.g. --keep none or --keep with a list that leaves out '${clash}'`,
    });
  }
}

function checkColumns(source: OpenedSource, plan: FeedPlan, kept: readonly string[]): void {
  const needed = [...new Set([...plan.feeds.flatMap((feed) => feed.columns), ...kept])];
  const missing = needed.filter((name) => !source.columnNames.includes(name));
  if (missing.length > 0) {
    throw new InputError('SCHEMA_MISMATCH', `Input ${source.path} lacks columns ${missing.map((name) => `'${name}'`).join(', ')} that the first input has`, {
      context: { file: source.path, ...(missing[0] === undefined ? {} : { column: missing[0] }) },
      hint: 'inputs scored into one output need the same columns; score them separately or use --keep to keep fewer columns',
    });
  }
}

function warn(state: RunState, message: string): void {
  state.stats.warnings.push(message);
  state.hooks.onWarning?.(message);
}

function buildReport(state: RunState, startedAt: Date, durationMs: number, error: OnnxBatchError | undefined): RunReport {
  const { job, stats, model, plan, summary } = state;
  const description = model === undefined ? undefined : describeModel(model);
  const status = error === undefined ? 'succeeded' : error instanceof InterruptedError ? 'interrupted' : 'failed';
  const seconds = durationMs / 1000;
  return {
    schemaVersion: 1,
    status,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(startedAt.getTime() + durationMs).toISOString(),
    durationMs: Math.round(durationMs),
    tool: { name: TOOL_NAME, version: TOOL_VERSION, node: process.version, onnxruntime: runtimeVersion },
    model: {
      path: job.model,
      sha256: description?.sha256 ?? null,
      bytes: description?.bytes ?? null,
      producer: description?.producer ?? null,
      irVersion: description?.irVersion ?? null,
      opsets: description?.opsets ?? {},
      inputs: description?.inputs ?? [],
      outputs: description?.outputs.map(({ name, type, shape }) => ({ name, type, shape })) ?? [],
      skippedOutputs: model?.outputs.skipped ?? [],
    },
    pipeline: null,
    executionProvider: { requested: job.executionProviders.map(providerLabel).join(','), used: model?.session.executionProvider ?? null },
    feeds: {
      mapping: plan?.mapping ?? null,
      inputs: plan?.feeds.map((feed) => ({ input: feed.input, type: feed.type, columns: feed.columns })) ?? [],
    },
    inputs: state.inputs,
    rows: { read: stats.rowsRead, scored: stats.rowsScored, rejected: 0 },
    batches: stats.batches,
    timings: {
      loadModelMs: round(stats.loadModelMs),
      readMs: round(stats.readMs),
      preprocessMs: round(stats.preprocessMs),
      inferMs: round(stats.inferMs),
      writeMs: round(stats.writeMs),
    },
    throughput: { rowsPerSec: seconds > 0 ? Math.round(stats.rowsScored / seconds) : 0 },
    outputs: summary === undefined ? [] : [{ ...summary, columns: state.outputColumns ?? [] }],
    predictions: { nanCounts: Object.fromEntries(stats.nanCounts) },
    warnings: stats.warnings,
    error:
      error === undefined
        ? null
        : { code: error.code, exitCode: error.exitCode, message: error.message, hint: error.hint ?? null, context: { ...error.context } },
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
