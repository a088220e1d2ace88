// Report: assembles the RunReport from what the runner gathered (plain facts, no stage internals).
import type { RunReport, ShardSection, TensorDescription } from './report.js';
import type { RunStats } from './stats.js';
import type { MonitoringSections } from './monitor.js';

/** What the runner knows at the end of a run; undefined parts were never reached. */
export interface RunFacts {
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly tool: RunReport['tool'];
  readonly modelPath: string;
  readonly model:
    | {
        readonly sha256: string;
        readonly bytes: number;
        readonly producer: string;
        readonly irVersion: number;
        readonly opsets: Readonly<Record<string, number>>;
        readonly inputs: readonly TensorDescription[];
        readonly outputs: readonly TensorDescription[];
        readonly skippedOutputs: readonly { readonly name: string; readonly reason: string }[];
      }
    | undefined;
  readonly pipeline: RunReport['pipeline'];
  readonly executionProvider: RunReport['executionProvider'];
  readonly feeds: RunReport['feeds'];
  readonly inputs: RunReport['inputs'];
  readonly outputs: RunReport['outputs'];
  /** The rejects file, when bad rows are skipped. */
  readonly rejectsPath: string | undefined;
  readonly stats: RunStats;
  readonly error: { readonly code: string; readonly exitCode: number; readonly message: string; readonly hint: string | undefined; readonly context: object } | undefined;
  readonly interrupted: boolean;
  /** Statistics, drift and metrics; undefined when the run never reached scoring. */
  readonly monitoring: MonitoringSections | undefined;
  readonly shard: ShardSection | undefined;
}

/** Builds the schema-1 report of a run, also of one that failed or was interrupted. */
export function buildReport(facts: RunFacts): RunReport {
  const { stats, error, model } = facts;
  const seconds = facts.durationMs / 1000;
  return {
    schemaVersion: 1,
    status: error === undefined ? 'succeeded' : facts.interrupted ? 'interrupted' : 'failed',
    startedAt: facts.startedAt.toISOString(),
    finishedAt: new Date(facts.startedAt.getTime() + facts.durationMs).toISOString(),
    durationMs: Math.round(facts.durationMs),
    tool: facts.tool,
    model: {
      path: facts.modelPath,
      sha256: model?.sha256 ?? null,
      bytes: model?.bytes ?? null,
      producer: model?.producer ?? null,
      irVersion: model?.irVersion ?? null,
      opsets: model?.opsets ?? {},
      inputs: model?.inputs ?? [],
      outputs: model?.outputs ?? [],
      skippedOutputs: model?.skippedOutputs ?? [],
    },
    pipeline: facts.pipeline,
    executionProvider: facts.executionProvider,
    feeds: facts.feeds,
    inputs: facts.inputs,
    rows: { read: stats.rowsRead, scored: stats.rowsScored, rejected: stats.rowsRejected, rejected_pct: stats.rowsRead === 0 ? 0 : (100 * stats.rowsRejected) / stats.rowsRead },
    batches: stats.batches,
    timings: {
      loadModelMs: round(stats.loadModelMs),
      readMs: round(stats.readMs),
      preprocessMs: round(stats.preprocessMs),
      inferMs: round(stats.inferMs),
      writeMs: round(stats.writeMs),
    },
    throughput: { rowsPerSec: seconds > 0 ? Math.round(stats.rowsScored / seconds) : 0 },
    rejects:
      facts.rejectsPath === undefined
        ? null
        : { path: facts.rejectsPath, count: stats.rowsRejected, byReason: Object.fromEntries(stats.rejectReasons), first: stats.firstRejects },
    outputs: facts.outputs,
    predictions: { nanCounts: Object.fromEntries(stats.nanCounts) },
    warnings: stats.warnings,
    ...facts.monitoring,
    ...(facts.shard === undefined ? {} : { shard: facts.shard }),
    error: error === undefined ? null : { code: error.code, exitCode: error.exitCode, message: error.message, hint: error.hint ?? null, context: { ...error.context } },
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
