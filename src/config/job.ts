// Config: the one validated description of a scoring job that the CLI builds and run.ts executes.
import type { ExecutionProvider } from '../model/index.js';
import type { OutputFormat } from '../sinks/index.js';
import type { InputFormat } from '../sources/index.js';

export interface JobInput {
  readonly path: string;
  readonly format: InputFormat;
}

/** A scoring job, fully resolved: every path, format and default is decided. */
export interface ScoreJob {
  readonly model: string;
  readonly inputs: readonly JobInput[];
  readonly output: { readonly path: string; readonly format: OutputFormat };
  /** Undefined: no report (stdout output without --report). */
  readonly report: string | undefined;
  /** Preprocessing spec given with --pipeline (else one beside the model or in its metadata is looked for). */
  readonly pipeline: string | undefined;
  /** Columns of a single [N,K] model input, in order. */
  readonly features: readonly string[] | undefined;
  /** Input columns copied to the output: all, none, or these. */
  readonly keep: 'all' | 'none' | readonly string[];
  readonly batchSize: number;
  readonly threads: number | undefined;
  /** In order of preference. */
  readonly executionProviders: readonly ExecutionProvider[];
  readonly delimiter: string;
}

/** Defaults that the README documents. */
export const DEFAULTS = {
  batchSize: 4096,
  delimiter: ',',
  executionProvider: 'cpu',
} as const;
