// The error table: every failure the tool reports has a stable code, an exit code and a title.
// cli/main.ts is the only place that turns these into a process exit code.

/** Stable error codes, their exit codes (README "Exit codes") and one-line titles. */
export const ERRORS = {
  INTERNAL: { exitCode: 1, title: 'internal error (a bug in onnx-batch)' },
  USAGE: { exitCode: 2, title: 'invalid command line' },
  CONFIG_INVALID: { exitCode: 2, title: 'invalid configuration' },
  INPUT_NOT_FOUND: { exitCode: 3, title: 'input file not found' },
  INPUT_UNREADABLE: { exitCode: 3, title: 'input cannot be read' },
  CSV_MALFORMED: { exitCode: 3, title: 'malformed CSV' },
  ARROW_MALFORMED: { exitCode: 3, title: 'malformed Arrow IPC data' },
  PARQUET_MALFORMED: { exitCode: 3, title: 'malformed Parquet data' },
  JSONL_MALFORMED: { exitCode: 3, title: 'malformed JSON Lines' },
  BAD_VALUE: { exitCode: 3, title: 'value cannot be converted' },
  SCHEMA_MISMATCH: { exitCode: 3, title: 'input columns do not fit the model' },
  TOO_MANY_BAD_ROWS: { exitCode: 3, title: 'more bad rows than --max-errors allows' },
  MODEL_NOT_FOUND: { exitCode: 4, title: 'model file not found' },
  MODEL_LOAD_FAILED: { exitCode: 4, title: 'model cannot be loaded' },
  MODEL_SIGNATURE: { exitCode: 4, title: 'model inputs or outputs are not supported' },
  MODEL_RUN_FAILED: { exitCode: 4, title: 'model execution failed' },
  DEVICE_UNAVAILABLE: { exitCode: 4, title: 'execution provider unavailable' },
  SETUP_FAILED: { exitCode: 4, title: 'execution provider libraries cannot be installed' },
  OUTPUT_FAILED: { exitCode: 5, title: 'output cannot be written' },
  LOCKED: { exitCode: 5, title: 'another run holds the output' },
  GATE_FAILED: { exitCode: 6, title: 'a quality gate (--fail-on) fired' },
  INTERRUPTED: { exitCode: 130, title: 'interrupted (SIGINT)' },
  TERMINATED: { exitCode: 143, title: 'terminated (SIGTERM)' },
} as const;

export type ErrorCode = keyof typeof ERRORS;
type CodeWithExit<N extends number> = {
  [K in ErrorCode]: (typeof ERRORS)[K]['exitCode'] extends N ? K : never;
}[ErrorCode];

/** Where a failure happened, as precisely as known. */
export interface ErrorContext {
  readonly file?: string;
  readonly line?: number;
  readonly column?: string;
  /** 0-based data row across all inputs. */
  readonly row?: number;
  readonly modelInput?: string;
}

export interface ErrorDetails {
  /** What the user can do next. */
  readonly hint?: string;
  readonly context?: ErrorContext;
  readonly cause?: unknown;
}

/** Base of every error the tool raises on purpose; its message is meant for the user. */
export abstract class OnnxBatchError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint: string | undefined;
  readonly context: ErrorContext;

  protected constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = ERRORS[code].exitCode;
    this.hint = details.hint;
    this.context = details.context ?? {};
  }
}

/** Exit 2: the command line or a configuration file is wrong. */
export class UsageError extends OnnxBatchError {
  constructor(code: CodeWithExit<2>, message: string, details?: ErrorDetails) {
    super(code, message, details);
  }
}

/** Exit 3: an input cannot be read or holds data that cannot be scored. */
export class InputError extends OnnxBatchError {
  constructor(code: CodeWithExit<3>, message: string, details?: ErrorDetails) {
    super(code, message, details);
  }
}

/** Exit 4: the model cannot be loaded, does not fit the data, or fails to run. */
export class ModelError extends OnnxBatchError {
  constructor(code: CodeWithExit<4>, message: string, details?: ErrorDetails) {
    super(code, message, details);
  }
}

/** Exit 5: the output (or report) cannot be written. */
export class OutputError extends OnnxBatchError {
  constructor(code: CodeWithExit<5>, message: string, details?: ErrorDetails) {
    super(code, message, details);
  }
}

/** Exit 6: a --fail-on gate fired; the predictions and every report file are written. */
export class GateError extends OnnxBatchError {
  constructor(message: string, details?: ErrorDetails) {
    super('GATE_FAILED', message, details);
  }
}

/** The signals that stop a run, and the error code each maps to (shells report 128 + the signal number). */
export const SIGNAL_ERRORS = { SIGINT: 'INTERRUPTED', SIGTERM: 'TERMINATED' } as const;
export type StopSignal = keyof typeof SIGNAL_ERRORS;

/** Exit 130 or 143: the run was stopped by a signal after flushing what it could. */
export class InterruptedError extends OnnxBatchError {
  readonly signal: StopSignal;
  constructor(signal: StopSignal) {
    super(SIGNAL_ERRORS[signal], `interrupted by ${signal}`);
    this.signal = signal;
  }

  /** The error for an abort signal whose reason is the stopping signal's name (SIGINT when not given). */
  static after(signal: AbortSignal | undefined): InterruptedError {
    return new InterruptedError(signal?.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
  }
}

/** Exit 1: a state the code believes impossible; the message asks the user to report it. */
export class InternalError extends OnnxBatchError {
  constructor(message: string, details?: ErrorDetails) {
    super('INTERNAL', message, details);
  }
}

/** Formats "file:line" style locations for messages. */
export function describeLocation(context: ErrorContext): string {
  const parts: string[] = [];
  if (context.file !== undefined) parts.push(context.line === undefined ? context.file : `${context.file}:${context.line}`);
  if (context.column !== undefined) parts.push(`column '${context.column}'`);
  if (context.modelInput !== undefined) parts.push(`model input '${context.modelInput}'`);
  return parts.join(', ');
}

/** Names quoted for a message, the first `max` of them, so a 500-column file does not flood the terminal. */
export function quoteNames(names: Iterable<string>, max = 20): string {
  const all = [...names];
  const shown = all.slice(0, max).map((name) => `'${name}'`).join(', ');
  return all.length > max ? `${shown}, ... (${all.length} in all)` : shown;
}
