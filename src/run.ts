// The runner: wires source -> pipeline -> model -> sink for a ScoreJob, with the report beside them.
import { performance } from 'node:perf_hooks';
import type { ScoreJob } from './config/job.js';
import { InputError, InternalError, InterruptedError, OnnxBatchError, OutputError, UsageError } from './errors.js';
import { describeModel, loadModel, providerLabel, runtimeVersion, scoreChunk, type LoadedModel } from './model/index.js';
import { rebatch } from './pipeline/index.js';
import { buildReport, countNaNs, createRunStats, writeReport, type RunReport, type RunStats } from './report/index.js';
import { checkInputColumns, planScoring, type ScoringPlan } from './scoring-plan.js';
import { openRejectsSink, openSink, type OutputBatch, type RejectsSink, type Sink, type SinkSummary } from './sinks/index.js';
import { RejectList, takeRows, type Column, type ColumnChunk, type Reject } from './sources/chunk.js';
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
  let source = await openSource(firstInput.format, { path: firstInput.path, delimiter: job.delimiter, keepRecords: job.rejects !== undefined });
  const plan = await planScoring(job, state.model, source.columnNames);
  state.plan = plan;

  const sink = await openSink(job.output.format, { path: job.output.path, columnNames: plan.outputColumns, csvSafe: job.csvSafe });
  const bad = job.rejects === undefined ? undefined : { list: new RejectList(), sink: await openRejectsSink(job.rejects).catch(async (error: unknown) => {
    await sink.abort();
    throw error;
  }) };
  let bytesDone = 0;
  try {
    for (let index = 0; index < job.inputs.length; index++) {
      const input = job.inputs[index] as (typeof job.inputs)[number];
      if (index > 0) source = await openSource(input.format, { path: input.path, delimiter: job.delimiter, keepRecords: bad !== undefined });
      const entry = { path: input.path, format: source.format, bytes: null as number | null, rows: 0 };
      state.inputs.push(entry);
      try {
        checkInputColumns(plan, source.path, source.columnNames);
        await scoreSource(state, { plan, source, sink, bad, entry }, (read) => ({ rows: stats.rowsRead, bytesRead: bytesDone + read, bytesTotal: totalBytes }));
        entry.bytes = source.bytesRead();
        bytesDone += entry.bytes;
        for (const message of source.warnings()) warn(state, message);
      } finally {
        await source.close();
      }
    }
    // The rejects are kept even when the budget fails the run: they say what went wrong.
    if (bad !== undefined) await bad.sink.commit();
    checkBudget(job, stats, true);
    const writeStarted = performance.now();
    state.summary = await sink.commit();
    stats.writeMs += performance.now() - writeStarted;
  } catch (error) {
    await sink.abort();
    // Over the budget, the rejects so far say what went wrong; after any other failure they are incomplete.
    if ((error as { code?: unknown }).code === 'TOO_MANY_BAD_ROWS') await bad?.sink.commit();
    else await bad?.sink.abort();
    throw error;
  }
  for (const [column, count] of stats.nanCounts) warn(state, `model output column '${column}' has ${count} NaN values`);
}

/** Where one input's rows go. */
interface SourceRun {
  readonly plan: ScoringPlan;
  readonly source: OpenedSource;
  readonly sink: Sink;
  /** Present with --on-error skip. */
  readonly bad: { readonly list: RejectList; readonly sink: RejectsSink } | undefined;
  readonly entry: { rows: number };
}

async function scoreSource(state: RunState, run: SourceRun, progress: (bytesRead: number) => RunProgress): Promise<void> {
  const { job, stats, hooks } = state;
  const { plan, source, sink, bad, entry } = run;
  const fixed = plan.feeds.fixedBatch;
  const chunkRows = fixed === undefined ? job.batchSize : Math.max(fixed, Math.floor(job.batchSize / fixed) * fixed);
  const chunkOptions = { chunkRows, rowOffset: stats.rowsRead, numericColumns: plan.numericColumns, ...(bad === undefined ? {} : { rejects: bad.list }) };
  const chunks = rebatch(source.chunks(chunkOptions), chunkRows);
  const iterator = chunks[Symbol.asyncIterator]();
  for (;;) {
    if (hooks.signal?.aborted === true) throw new InterruptedError(hooks.signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    const readStarted = performance.now();
    const next = await iterator.next();
    stats.readMs += performance.now() - readStarted;
    if (next.done === true) return;
    const chunk = next.value;
    const transformStarted = performance.now();
    const features = plan.pipeline?.transform(chunk) ?? chunk;
    stats.preprocessMs += performance.now() - transformStarted;
    const predictions = await scoreChunk(plan.model, plan.feeds, features, stats);
    plan.postProcess?.apply(predictions, chunk.rowCount);
    const rejected = bad?.list.take(chunk.rowOffset, chunk.rowOffset + chunk.rowCount) ?? [];
    let batch = outputBatch(chunk, plan.kept, predictions);
    if (rejected.length > 0 && bad !== undefined) {
      batch = withoutRows(batch, chunk, rejected);
      await bad.sink.write(rejected.map((reject) => ({ ...reject, record: recordOf(chunk, reject.row - chunk.rowOffset) })));
      noteRejects(stats, rejected);
    }
    const scored = chunk.rowCount - rejected.length;
    countNaNs(stats, new Map([...batch].filter(([name]) => predictions.has(name))));
    const writeStarted = performance.now();
    await sink.write(batch, scored);
    stats.writeMs += performance.now() - writeStarted;
    // Counted once the batch is through, so read = scored + rejected holds at every point.
    stats.rowsRead += chunk.rowCount;
    stats.rowsScored += scored;
    entry.rows += chunk.rowCount;
    stats.batches++;
    checkBudget(job, stats, false);
    hooks.onProgress?.(progress(source.bytesRead()));
  }
}

/** The batch without the rejected rows. */
function withoutRows(batch: OutputBatch, chunk: ColumnChunk, rejected: readonly Reject[]): OutputBatch {
  const dropped = new Set(rejected.map((reject) => reject.row - chunk.rowOffset));
  const keep = Int32Array.from({ length: chunk.rowCount - dropped.size }, () => 0);
  let next = 0;
  for (let i = 0; i < chunk.rowCount; i++) if (!dropped.has(i)) keep[next++] = i;
  return new Map([...batch].map(([name, column]) => [name, takeRows(column, keep)]));
}

/** A row as read: the CSV record's text, else the row as a JSON object. */
function recordOf(chunk: ColumnChunk, i: number): string {
  const text = chunk.origin.records?.[i];
  if (text !== undefined) return text;
  const row: Record<string, unknown> = {};
  for (const [name, column] of chunk.columns) {
    const value = column.type === 'string' ? column.values[i] : column.nulls?.[i] === 1 ? null : column.values[i];
    row[name] = typeof value === 'bigint' ? value.toString() : value === undefined ? null : value;
  }
  return JSON.stringify(row);
}

const FIRST_REJECTS = 10;

function noteRejects(stats: RunStats, rejected: readonly Reject[]): void {
  stats.rowsRejected += rejected.length;
  for (const reject of rejected) {
    stats.rejectReasons.set(reject.reason, (stats.rejectReasons.get(reject.reason) ?? 0) + 1);
    if (stats.firstRejects.length < FIRST_REJECTS) {
      stats.firstRejects.push({ row: reject.row, source: reject.source, line: reject.line ?? null, column: reject.column ?? null, reason: reject.reason, value: reject.value });
    }
  }
}

/** A count budget is checked as rows are read; a share of rows read, at the end. */
function checkBudget(job: ScoreJob, stats: RunStats, atEnd: boolean): void {
  if (job.rejects === undefined) return;
  const budget = job.maxErrors;
  const over = 'count' in budget ? stats.rowsRejected > budget.count : atEnd && stats.rowsRejected > (budget.percent / 100) * stats.rowsRead;
  if (!over) return;
  const allowed = 'count' in budget ? `${budget.count} rows` : `${budget.percent}% of ${stats.rowsRead} rows read`;
  const reasons = [...stats.rejectReasons].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([reason, count]) => `${count} × ${reason}`);
  throw new InputError('TOO_MANY_BAD_ROWS', `${stats.rowsRejected} bad rows${atEnd ? '' : ' so far'}, more than --max-errors allows (${allowed}); most common: ${reasons.join('; ')}`, {
    hint: `see the rejects file ${job.rejects} for each row, its line and reason; fix the input or raise --max-errors`,
  });
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
    rejectsPath: job.rejects,
    stats,
    error,
    interrupted: error instanceof InterruptedError,
  });
}
