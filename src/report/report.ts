// Report: the RunReport contract (schema version 1, see schema/report.schema.json) and its writer.
import { writeTextAtomically } from '../shared/atomic-file.js';
import type { ColumnStatsSet, DriftReport } from './drift.js';
import type { EvaluationState, Fairness, GroupResult, Metrics } from './evaluation.js';
import type { GateResult } from './gates.js';

export interface TensorDescription {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string)[];
}

/** With --shard: which shard of which job this run was, and what it read. */
export interface ShardSection {
  /** 0-based. */
  readonly index: number;
  readonly count: number;
  /** sha256 of what every shard of the job shares (model, spec, options, shard count, inputs); null when the run failed before planning. */
  readonly fingerprint: string | null;
  /** The share: whole files (unit `file`), or [start, end) in row groups, record batches or bytes (CSV, record-aligned). */
  readonly inputs: readonly { readonly path: string; readonly unit: 'file' | 'row-groups' | 'batches' | 'bytes'; readonly start: number | null; readonly end: number | null }[];
}

/** What one run did, written as report.json. Fields are the contract of README "Run report". */
export interface RunReport {
  readonly schemaVersion: 1;
  readonly status: 'succeeded' | 'failed' | 'interrupted';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly tool: { readonly name: string; readonly version: string; readonly node: string; readonly onnxruntime: string };
  readonly model: {
    readonly path: string;
    readonly sha256: string | null;
    readonly bytes: number | null;
    readonly producer: string | null;
    readonly irVersion: number | null;
    readonly opsets: Readonly<Record<string, number>>;
    readonly inputs: readonly TensorDescription[];
    readonly outputs: readonly TensorDescription[];
    readonly skippedOutputs: readonly { readonly name: string; readonly reason: string }[];
  };
  readonly pipeline: {
    readonly source: 'file' | 'beside-model' | 'model-metadata';
    readonly path: string;
    readonly sha256: string;
    readonly steps: number;
  } | null;
  readonly executionProvider: {
    /** --ep as given (cpu, cuda,cpu). */
    readonly requested: string;
    /** The providers asked for, in order of preference. */
    readonly asked: readonly string[];
    /** Where the model ran: cpu or cuda:<device>; null when no model loaded. */
    readonly used: string | null;
    /** Why an earlier provider in the list was not used; null when the first one was. */
    readonly fallbackReason: string | null;
    /** Graph nodes per provider as ONNX Runtime placed them (first batch); null before a batch ran. */
    readonly nodes: Readonly<Record<string, number>> | null;
    /** The CUDA provider's settings, when the model ran on CUDA. */
    readonly cuda: {
      readonly deviceId: number;
      readonly gpuMemLimit: null;
      readonly arenaExtendStrategy: 'kNextPowerOfTwo';
      readonly cudnnConvAlgoSearch: 'EXHAUSTIVE';
    } | null;
  };
  readonly feeds: {
    readonly mapping: string | null;
    /** Rows per inference call (as --batch-size auto resolved it). */
    readonly batchSize: number | null;
    /** --missing as given. */
    readonly missing: string;
    /** Per model input; `missing`: for a float input, whether NaN and ±Infinity are fed or make the row bad, and why. */
    readonly inputs: readonly {
      readonly input: string;
      readonly type: string;
      readonly columns: readonly string[];
      readonly missing: { readonly mode: string; readonly feedsNaN: boolean; readonly feedsInfinity: boolean; readonly reason: string } | null;
    }[];
  };
  readonly inputs: readonly { readonly path: string; readonly format: string; readonly bytes: number | null; readonly rows: number }[];
  /** `rejected_pct`: rejected rows as a percentage of rows read. */
  readonly rows: { readonly read: number; readonly scored: number; readonly rejected: number; readonly rejected_pct: number };
  readonly batches: number;
  readonly timings: {
    readonly loadModelMs: number;
    readonly readMs: number;
    readonly preprocessMs: number;
    readonly inferMs: number;
    readonly writeMs: number;
  };
  readonly throughput: { readonly rowsPerSec: number };
  readonly rejects: {
    readonly path: string;
    readonly count: number;
    readonly byReason: Readonly<Record<string, number>>;
    readonly first: readonly { row: number; source: string; line: number | null; column: string | null; reason: string; value: string }[];
  } | null;
  readonly outputs: readonly { readonly path: string; readonly format: string; readonly rows: number; readonly bytes: number; readonly columns: readonly string[] }[];
  readonly predictions: { readonly nanCounts: Readonly<Record<string, number>> };
  readonly warnings: readonly string[];
  /** Per model input feature (after the pipeline) and per prediction column (README "Monitoring and CI gates"). */
  readonly stats?: ColumnStatsSet;
  /** With --baseline. */
  readonly drift?: DriftReport;
  /** With --label-column. */
  readonly metrics?: Metrics;
  /** With --group-by: per group value. */
  readonly groups?: Readonly<Record<string, GroupResult>>;
  readonly fairness?: Fairness;
  /** The tallies metrics are computed from (what `report merge` adds up). */
  readonly evaluation?: EvaluationState;
  /** With --fail-on: each gate, its value and whether it fired. */
  readonly gates?: readonly GateResult[];
  readonly shard?: ShardSection;
  readonly error: {
    readonly code: string;
    readonly exitCode: number;
    readonly message: string;
    readonly hint: string | null;
    readonly context: Readonly<Record<string, unknown>>;
  } | null;
}

/** Writes the report as pretty JSON, via a temporary name so a reader never sees half of it. */
export async function writeReport(path: string, report: RunReport): Promise<void> {
  await writeTextAtomically(path, `${JSON.stringify(report, null, 2)}\n`);
}

