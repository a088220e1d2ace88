// CLI: the lines `score` writes to stderr (warnings, progress, the summary), as text for people or as
// one JSON object per line for log collectors (--log-format json).
import type { LogFormat } from '../config/job.js';

/** One stderr line: `text` is what a person reads, `fields` what a JSON line carries beside `event`. */
export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly event: string;
  readonly text: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface Log {
  readonly format: LogFormat;
  write(line: LogLine): void;
}

/**
 * A log on stderr. Text lines start with `onnx-batch: `; JSON lines are
 * `{"time", "level", "event", "message", ...fields}`. Quiet keeps only errors.
 */
export function createLog(format: LogFormat, quiet: boolean, write: (line: string) => void = (line) => process.stderr.write(line)): Log {
  return {
    format,
    write: (line) => {
      if (quiet && line.level !== 'error') return;
      if (format === 'json') {
        write(`${JSON.stringify({ time: new Date().toISOString(), level: line.level, event: line.event, message: line.text, ...line.fields })}\n`);
      } else {
        write(`onnx-batch: ${line.level === 'warn' ? 'warning: ' : ''}${line.text}\n`);
      }
    },
  };
}
