// The runner: wires source -> pipeline -> model -> sink for a ScoreJob, with the report beside them.
import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { outputOptions, type JobInput, type ScoreJob } from '../config/job.js';
import { GateError, InputError, InternalError, InterruptedError, OnnxBatchError, OutputError, quoteNames, UsageError } from '../errors.js';
import { explainProvider } from '../doctor/index.js';
import { cudaSettingsOf, describeModel, loadModel, providerLabel, type LoadedModel } from '../model/index.js';
import { buildReport, checkGates, createRunStats, Monitor, readBaseline, writeReportFiles, type ColumnStatsSet, type RunReport, type RunStats, type ShardSection } from '../report/index.js';
import { evaluationTarget } from './evaluation-target.js';
import { checkInputColumns, planScoring, type ScoringPlan } from './plan-scoring.js';
import { ColumnTypes } from './column-types.js';
import { acquireLock, checkRenameSafe, openOutput, openSink, removeStalePartials, type Lock, type OutputSummary, type OutputWriter, type RunIdentity } from '../sinks/index.js';
import { RejectList } from '../shared/chunk.js';
import { inputSize, openSource, type SourceRequest } from '../sources/index.js';
import { planShare, type ShareItem } from './shard-plan.js';
import { checkBudget } from './route-rows.js';
import { scoreSource, type RowRun } from './score-rows.js';
import { TOOL_NAME, TOOL_VERSION } from '../shared/version.js';

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
  /** ONNX Runtime's own log lines (its warnings); without it they are not shown. */
  readonly onRuntimeLog?: (line: string) => void;
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
  summary?: OutputSummary;
  /** Input rows that an earlier run had committed (--resume). */
  resumedRows?: number;
  /** Why the first execution provider asked for was not used. */
  fallbackReason?: string;
  /** Statistics, drift and evaluation, fed each scored batch. */
  monitor?: Monitor;
  /** With --shard: what this shard reads, and the job it is part of. */
  shard?: ShardSection;
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
  } finally {
    await state.plan?.pipeline?.close();
    await state.model?.session.close();
  }
  let report = reportOf(state, startedAt, performance.now() - started, error);
  const gates = job.monitoring.gates;
  if (gates.length > 0) {
    const results = checkGates(gates, report);
    report = { ...report, gates: results };
    const fired = results.filter((gate) => gate.fired);
    if (fired.length > 0 && error === undefined) {
      const list = fired.map((gate) => `${gate.expression} (${gate.value === null ? (gate.note ?? 'no value') : `value ${gate.value}`})`).join('; ');
      error = new GateError(`Quality gate failed: ${list}`, { hint: 'the predictions and reports are written; see the report\'s gates section' });
    }
  }
  try {
    const { monitoring } = job;
    await writeReportFiles(report, { json: job.report, markdown: monitoring.reportMarkdown, html: monitoring.reportHtml, junit: monitoring.junit });
  } catch (reportError) {
    error ??= new OutputError('OUTPUT_FAILED', `Cannot write report: ${(reportError as Error).message}`, { hint: 'check the --report, --report-md, --report-html and --junit paths' });
  }
  return { report, error };
}

async function score(state: RunState): Promise<void> {
  const { job, stats } = state;
  if (job.inputs[0] === undefined) throw new UsageError('USAGE', 'No input given', { hint: 'pass --input FILE (or - for stdin)' });
  const { monitoring } = job;
  await checkRenameSafe([job.profile ? undefined : job.output.path, job.report, job.rejects, job.state, monitoring.reportMarkdown, monitoring.reportHtml, monitoring.junit].filter((path) => path !== undefined));
  const settings = { delimiter: job.delimiter, csvParser: job.csvParser };
  const share: readonly ShareItem[] = job.shard === undefined ? job.inputs.map((input) => ({ input, range: undefined })) : await planShare(job.inputs, job.shard, settings);
  if (job.shard !== undefined) state.shard = { index: job.shard.index, count: job.shard.count, fingerprint: null, inputs: share.map(shareEntry) };
  const totalBytes = await totalInputBytes(share);
  // Every shard plans on the job's first input, as a single run does, so that all write the same
  // columns; its source is read on only when it is also the share's first item.
  const first: ShareItem = { input: job.inputs[0] as JobInput, range: undefined };
  const reuseFirst = share[0]?.input === first.input && share[0].range === undefined;
  const keepRecords = job.rejects !== undefined;
  // A baseline that cannot be read stops the run before any work.
  const baseline = job.monitoring.baseline === undefined ? undefined : await readBaseline(job.monitoring.baseline);
  const loadStarted = performance.now();
  // The model loads in its own thread: meanwhile this one opens the first input and reads its header.
  const loading = loadModel(job.model, {
    threads: job.threads,
    executionProviders: job.executionProviders,
    onFallback: (message) => {
      state.fallbackReason ??= message;
      warn(state, message);
    },
    killable: job.batchTimeoutMs !== undefined,
    countNodes: true,
    runtimeLog: state.hooks.onRuntimeLog,
    explainFailure: explainProvider,
  });
  const request = (item: ShareItem): SourceRequest => ({ path: item.input.path, delimiter: job.delimiter, keepRecords, csvParser: job.csvParser, workers: job.workers, maxRecordBytes: job.maxRecordBytes, skipMalformed: job.onError === 'skip', ...(item.range === undefined ? {} : { range: item.range }) });
  const opening = openSource(first.input.format, request(first));
  opening.catch(() => undefined); // awaited below, once the model is known to load
  try {
    state.model = await loading;
  } catch (error) {
    await opening.then((opened) => opened.close(), () => undefined);
    throw error;
  }
  stats.loadModelMs = performance.now() - loadStarted;
  for (const skipped of state.model.outputs.skipped) warn(state, `${skipped.reason}; it is not written`);
  let source = await opening;
  const plan = withMonitoredColumns(job, await planScoring(job, state.model, { path: source.path, columnNames: source.columnNames }), source.path, source.columnNames);
  state.plan = plan;
  if (state.shard !== undefined) state.shard = { ...state.shard, fingerprint: createHash('sha256').update(JSON.stringify(await jobFingerprint(job, plan))).digest('hex') };
  if (!reuseFirst) await source.close();
  if (job.monitoring.stats) state.monitor = createMonitor(state, plan, baseline);

  const lock = await lockOutput(state);
  try {
    const output = job.profile ? discardOutput() : await openOutput({
      path: job.output.path,
      openSink: (request) => openSink(job.output.format, request),
      extension: `.${job.output.format}`,
      columnNames: plan.outputColumns,
      csvSafe: job.csvSafe,
      parquet: job.parquet,
      rejects: job.rejects,
      parts: job.rowsPerPart === undefined ? undefined : { rowsPerPart: job.rowsPerPart, resume: job.resume, identity: await identityOf(job, plan) },
    });
    state.resumedRows = output.skipRows;
    const rejects = job.rejects === undefined ? undefined : new RejectList();
    let bytesDone = 0;
    let nextRow = 0;
    const columnTypes = new ColumnTypes(new Set(plan.requiredColumns), new Set(plan.kept), job.output.format !== 'csv');
    const rowRun: RowRun = {
      job,
      stats,
      monitor: state.monitor,
      signal: state.hooks.signal,
      onBatch: (read) => state.hooks.onProgress?.({ rows: stats.rowsRead, bytesRead: bytesDone + read, bytesTotal: totalBytes }),
    };
    try {
      for (let index = 0; index < share.length; index++) {
        const item = share[index] as ShareItem;
        if (index > 0 || !reuseFirst) source = await openSource(item.input.format, request(item));
        const entry = { path: item.input.path, format: source.format, bytes: null as number | null, rows: 0 };
        state.inputs.push(entry);
        try {
          checkInputColumns(plan, source.path, source.columnNames, first.input.path);
          nextRow = await scoreSource(rowRun, { plan, source, output, rejects, entry, index, firstRow: nextRow, columnTypes });
          entry.bytes = source.bytesRead();
          bytesDone += entry.bytes;
          for (const message of source.warnings()) warn(state, message);
        } finally {
          await source.close();
        }
      }
      checkBudget(job, stats, true);
      const writeStarted = performance.now();
      state.summary = await output.commit();
      stats.writeMs += performance.now() - writeStarted;
    } catch (error) {
      // Over the budget, the rejects so far say what went wrong; after any other failure they are incomplete.
      await output.abort((error as { code?: unknown }).code === 'TOO_MANY_BAD_ROWS');
      throw error;
    }
  } finally {
    await lock?.release();
  }
  for (const [column, count] of stats.nanCounts) warn(state, `model output column '${column}' has ${count} NaN values`);
}

/** `profile`: predictions are computed for their statistics, and nothing is written. */
function discardOutput(): OutputWriter {
  return {
    skipRows: 0,
    partRows: undefined,
    write: async () => undefined,
    rowsDone: async () => undefined,
    commit: async () => ({ files: [], rejects: undefined }),
    abort: async () => undefined,
  };
}

/** The label and group columns are read (not fed) from every input. */
function withMonitoredColumns(job: ScoreJob, plan: ScoringPlan, path: string, columnNames: readonly string[]): ScoringPlan {
  const { labelColumn, groupBy } = job.monitoring;
  const extra = [labelColumn, groupBy].filter((name): name is string => name !== undefined);
  const missing = extra.filter((name) => !columnNames.includes(name));
  if (missing.length > 0) {
    throw new InputError('SCHEMA_MISMATCH', `Input ${path} lacks ${quoteNames(missing)}, named by ${labelColumn !== undefined && missing.includes(labelColumn) ? '--label-column' : '--group-by'}`, {
      context: { file: path, ...(missing[0] === undefined ? {} : { column: missing[0] }) },
      hint: `the input's columns are: ${quoteNames(columnNames)}`,
    });
  }
  return extra.length === 0 ? plan : { ...plan, requiredColumns: [...new Set([...plan.requiredColumns, ...extra])] };
}

function createMonitor(state: RunState, plan: ScoringPlan, baseline: ColumnStatsSet | undefined): Monitor {
  const { monitoring } = state.job;
  const target = monitoring.labelColumn === undefined ? undefined : evaluationTarget(plan, (message) => warn(state, message));
  if (monitoring.labelColumn !== undefined && target === undefined) {
    throw new UsageError('USAGE', `--label-column ${monitoring.labelColumn}: the model has no label, probability or single numeric output to evaluate`, { hint: 'run `onnx-batch inspect` on the model to see its outputs' });
  }
  return new Monitor({
    // Tensor columns (pixels, token ids) have no per-column statistics.
    featureColumns: [...new Set(plan.feeds.feeds.filter((feed) => feed.rowShape === undefined).flatMap((feed) => feed.columns))],
    ...(baseline === undefined || monitoring.baseline === undefined ? {} : { baseline: { path: monitoring.baseline, stats: baseline } }),
    ...(target === undefined || monitoring.labelColumn === undefined ? {} : { evaluation: { target, labelColumn: monitoring.labelColumn, groupBy: monitoring.groupBy } }),
  });
}

/** Locks the output (a file's `.lock` beside it, a directory's `_lock`) and clears what dead runs left there. */
async function lockOutput(state: RunState): Promise<Lock | undefined> {
  const { job } = state;
  if (job.output.path === '-') return undefined;
  const parts = job.rowsPerPart !== undefined;
  if (parts) await mkdir(job.output.path, { recursive: true }).catch(() => undefined);
  // Shards' parts go into one directory, which the first of them to start creates.
  if (job.output.inDirectory === true) await mkdir(dirname(job.output.path), { recursive: true }).catch(() => undefined);
  const lock = await acquireLock(parts ? join(job.output.path, '_lock') : `${job.output.path}.lock`, job.output.path, (message) => warn(state, message));
  await removeStalePartials(parts ? join(job.output.path, '*') : job.output.path);
  return lock;
}

/** What a resumed run must share with the run that wrote the parts. */
async function identityOf(job: ScoreJob, plan: ScoringPlan): Promise<RunIdentity> {
  const inputs = await Promise.all(
    job.inputs.map(async (input) => {
      const info = input.path === '-' ? undefined : await stat(input.path).catch(() => undefined);
      return { path: input.path, bytes: info?.size ?? null, mtimeMs: info?.mtimeMs ?? null };
    }),
  );
  return {
    modelSha256: plan.model.file.sha256,
    pipelineSha256: plan.pipeline?.loaded.source.sha256 ?? null,
    optionsSha256: createHash('sha256').update(JSON.stringify(writingOptions(job, plan))).digest('hex'),
    inputs,
  };
}

/** The options that decide what is written. Batch size and threads can change the last bits of some models' results, so they count. */
function writingOptions(job: ScoreJob, plan: ScoringPlan): Readonly<Record<string, unknown>> {
  return { ...outputOptions(job), batchSize: plan.batchRows, threads: job.threads, outputColumns: plan.outputColumns };
}

/**
 * What the shards of one job share: model, spec, options, the shard count and every input (path
 * as given, size), whatever the shard. Modification times are left out: mounts of the same
 * bucket on different nodes may not agree on them.
 */
async function jobFingerprint(job: ScoreJob, plan: ScoringPlan): Promise<unknown> {
  const inputs = await Promise.all(job.inputs.map(async (input) => ({ path: input.path, format: input.format, bytes: (await inputSize(input.path)) ?? null })));
  return {
    model: plan.model.file.sha256,
    pipeline: plan.pipeline?.loaded.source.sha256 ?? null,
    options: writingOptions(job, plan),
    monitoring: { labelColumn: job.monitoring.labelColumn ?? null, groupBy: job.monitoring.groupBy ?? null, baseline: job.monitoring.baseline ?? null, stats: job.monitoring.stats },
    shards: job.shard?.count ?? null,
    inputs,
  };
}

function shareEntry(item: ShareItem): ShardSection['inputs'][number] {
  const { input, range } = item;
  return range === undefined ? { path: input.path, unit: 'file', start: null, end: null } : { path: input.path, unit: range.unit, start: range.start, end: range.end };
}

/** Bytes the share reads, for progress; undefined when unknown (stdin, or a part of a file). */
async function totalInputBytes(share: readonly ShareItem[]): Promise<number | undefined> {
  let total = 0;
  for (const { input, range } of share) {
    if (range !== undefined) return undefined;
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

function executionProviderOf(job: ScoreJob, model: LoadedModel | undefined, fallbackReason: string | undefined): RunReport['executionProvider'] {
  const used = model?.session.executionProvider ?? null;
  const cuda = used?.startsWith('cuda:') === true ? Number(used.slice('cuda:'.length)) : undefined;
  return {
    requested: job.executionProviders.map(providerLabel).join(','),
    asked: job.executionProviders.map(providerLabel),
    used,
    fallbackReason: fallbackReason ?? null,
    nodes: model?.session.placement() ?? null,
    cuda: cuda === undefined ? null : cudaSettingsOf(cuda),
  };
}

function reportOf(state: RunState, startedAt: Date, durationMs: number, error: OnnxBatchError | undefined): RunReport {
  const { job, stats, model, plan, summary } = state;
  const description = model === undefined ? undefined : describeModel(model);
  const spec = plan?.pipeline?.loaded;
  return buildReport({
    startedAt,
    durationMs,
    tool: { name: TOOL_NAME, version: TOOL_VERSION, node: process.version, onnxruntime: model?.session.runtimeVersion ?? 'unknown (no model loaded)' },
    modelPath: job.model,
    model:
      description === undefined || model === undefined
        ? undefined
        : { ...description, outputs: description.outputs.map(({ name, type, shape }) => ({ name, type, shape })), skippedOutputs: model.outputs.skipped },
    pipeline: spec === undefined ? null : { source: spec.source.kind, path: spec.source.path, sha256: spec.source.sha256, steps: spec.spec.steps.length },
    executionProvider: executionProviderOf(job, model, state.fallbackReason),
    feeds: {
      mapping: plan?.feeds.mapping ?? null,
      batchSize: plan?.batchRows ?? null,
      missing: job.missing,
      inputs: plan?.feeds.feeds.map((feed) => ({ input: feed.input, type: feed.type, columns: feed.columns, missing: plan.feeds.missing[feed.input] ?? null })) ?? [],
    },
    inputs: state.inputs,
    outputs: summary === undefined ? [] : summary.files.map((file) => ({ ...file, columns: plan?.outputColumns ?? [] })),
    rejectsPath: job.rejects,
    stats,
    error,
    interrupted: error instanceof InterruptedError,
    monitoring: state.monitor?.sections(),
    shard: state.shard,
  });
}
