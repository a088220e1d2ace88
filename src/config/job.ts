// Config: the one validated description of a scoring job that the CLI builds and run.ts executes.
import type { ExecutionProvider, MissingMode } from '../model/index.js';
import type { MonitoringJob } from './monitoring.js';
import type { Shard } from './shard.js';
import type { OutputFormat, ParquetOptions } from '../sinks/index.js';
import type { CsvParser, InputFormat } from '../sources/index.js';

export interface JobInput {
  readonly path: string;
  readonly format: InputFormat;
}

/** What a bad row does (the values of --on-error): stop the run, or go to the rejects file. */
export const ON_ERROR_MODES = ['fail', 'skip'] as const;
export type OnError = (typeof ON_ERROR_MODES)[number];

/** The values of --log-format: stderr lines for people, or one JSON object per line for log collectors. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A scoring job, fully resolved: every path, format and default is decided. */
export interface ScoreJob {
  readonly model: string;
  readonly inputs: readonly JobInput[];
  /** `inDirectory`: a shard's part in the directory -o named (created when missing). */
  readonly output: { readonly path: string; readonly format: OutputFormat; readonly inDirectory?: boolean };
  /** Undefined: no report (stdout output without --report). */
  readonly report: string | undefined;
  /** Preprocessing spec given with --pipeline (else one beside the model or in its metadata is looked for). */
  readonly pipeline: string | undefined;
  /** Columns of a single [N,K] model input, in order. */
  readonly features: readonly string[] | undefined;
  /** Input columns copied to the output: all, none, or these. */
  readonly keep: 'all' | 'none' | readonly string[];
  /** Rows per inference call, or auto: picked from the model's size (model/batch-size.ts). */
  readonly batchSize: number | 'auto';
  readonly threads: number | undefined;
  /** A batch whose inference runs longer fails the run (exit 4); undefined: no limit. */
  readonly batchTimeoutMs: number | undefined;
  /** In order of preference. */
  readonly executionProviders: readonly ExecutionProvider[];
  readonly delimiter: string;
  /** The CSV reader: the byte scanner, or csv-parse (the reference). */
  readonly csvParser: CsvParser;
  /** Worker threads parsing a CSV file's byte ranges (0: the main thread; auto: by file size and cores). */
  readonly workers: number | 'auto';
  /** The longest CSV record or JSON line read, in bytes (--max-record-size). */
  readonly maxRecordBytes: number;
  /** Worker threads decoding images for image steps. */
  readonly decodeWorkers: number;
  /** What a bad row does: stop the run, or go to the rejects file. */
  readonly onError: OnError;
  /** With skip: the most rows that may be rejected, as a count or a share of rows read. */
  readonly maxErrors: { readonly count: number } | { readonly percent: number };
  /** With skip: the rejects file. */
  readonly rejects: string | undefined;
  /** What a missing, NaN or infinite value in a float model input does (--missing). */
  readonly missing: MissingMode;
  /** Neutralise kept text cells that a spreadsheet would read as a formula (CSV output). */
  readonly csvSafe: boolean;
  /** Parquet output: page compression and rows per row group. */
  readonly parquet: ParquetOptions;
  /** Write numbered parts of this many input rows into the output directory. */
  readonly rowsPerPart: number | undefined;
  /** Continue an output directory's parts after the last committed one. */
  readonly resume: boolean;
  /** Incremental scoring: the state file that remembers which inputs were scored. */
  readonly state: string | undefined;
  /** Score only this shard of the inputs (--shard, or a scheduler's index with --shard-count). */
  readonly shard: Shard | undefined;
  /** Baseline, labels, gates and report renderings. */
  readonly monitoring: MonitoringJob;
  /** `onnx-batch profile`: statistics only, no predictions written. */
  readonly profile: boolean;
}

/** Defaults that the README documents. */
export const DEFAULTS = {
  batchSize: 'auto',
  delimiter: ',',
  executionProvider: 'cpu',
  onError: 'fail',
  maxErrors: '1%',
  csvParser: 'fast',
  workers: 'auto',
  decodeWorkers: 'auto',
  keep: 'all',
  missing: 'auto',
} as const;

/** The options that shape what a run writes (beside the model, the spec and the inputs). */
export function outputOptions(job: ScoreJob): Readonly<Record<string, unknown>> {
  return { features: job.features, keep: job.keep, format: job.output.format, delimiter: job.delimiter, onError: job.onError, missing: job.missing, csvSafe: job.csvSafe, parquet: job.parquet };
}
