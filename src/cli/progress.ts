// CLI: progress on stderr (the only importer of cli-progress): a bar on a terminal; elsewhere (cron,
// CI, a log collector) a line every few seconds, so a log shows that a long run moves, or that it hangs.
import cliProgress from 'cli-progress';
import type { FlagNames } from '../config/flag-names.js';
import { UsageError } from '../errors.js';
import type { RunProgress } from '../run/index.js';
import type { Log } from './log.js';

export interface ProgressDisplay {
  update(progress: RunProgress): void;
  stop(): void;
}

export interface ProgressOptions {
  /** False with --no-progress or --quiet. */
  readonly enabled: boolean;
  readonly log: Log;
  /** Seconds between progress lines when there is no bar (--progress-interval). */
  readonly intervalSeconds: number;
}

const NONE: ProgressDisplay = { update: () => undefined, stop: () => undefined };

/** The seconds of --progress-interval: a number above 0. */
export function parseProgressInterval(text: string, names: FlagNames): number {
  const seconds = Number(text);
  if (text.trim() === '' || !(seconds > 0) || !Number.isFinite(seconds)) {
    throw new UsageError('USAGE', `${names.of('progressInterval')} must be a number of seconds above 0, got ${JSON.stringify(text)}`, { hint: names.hint('e.g. --progress-interval 30') });
  }
  return seconds;
}

/** A bar on a text terminal; progress lines otherwise; nothing when not wanted. */
export function createProgress(options: ProgressOptions): ProgressDisplay {
  if (!options.enabled) return NONE;
  return process.stderr.isTTY === true && options.log.format === 'text' ? createBar() : createLines(options);
}

function createBar(): ProgressDisplay {
  const started = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  let byBytes = false;
  return {
    update: (progress) => {
      if (bar === undefined) {
        byBytes = progress.bytesTotal !== undefined && progress.bytesTotal > 0;
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: byBytes ? ' {bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}' : ' {rows} rows | {rate} rows/s',
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 20,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(byBytes ? (progress.bytesTotal as number) : 0, 0, { rows: 0, rate: 0 });
      }
      const seconds = Math.max((Date.now() - started) / 1000, 1e-3);
      bar.update(byBytes ? progress.bytesRead : 0, { rows: progress.rows, rate: Math.round(progress.rows / seconds) });
    },
    stop: () => bar?.stop(),
  };
}

/**
 * A line every interval from the start, the model's loading included, whether or not rows moved:
 * the same numbers twice in a row are how a hang shows in a log.
 */
function createLines(options: ProgressOptions): ProgressDisplay {
  const started = Date.now();
  let latest: RunProgress = { rows: 0, bytesRead: 0, bytesTotal: undefined };
  const timer = setInterval(() => options.log.write(progressLine(latest, (Date.now() - started) / 1000)), options.intervalSeconds * 1000);
  // The timer must not keep a finished (or failed) run's process alive.
  timer.unref();
  return {
    update: (progress) => {
      latest = progress;
    },
    stop: () => clearInterval(timer),
  };
}

/** The numbers of one progress line; ETA from the bytes read so far, when the input's size is known. */
export function progressLine(progress: RunProgress, elapsedSeconds: number): Parameters<Log['write']>[0] {
  const rowsPerSec = elapsedSeconds > 0 ? Math.round(progress.rows / elapsedSeconds) : 0;
  const total = progress.bytesTotal !== undefined && progress.bytesTotal > 0 ? progress.bytesTotal : undefined;
  const etaSeconds = total === undefined || progress.bytesRead === 0 ? undefined : Math.round((elapsedSeconds * (total - progress.bytesRead)) / progress.bytesRead);
  const bytes = total === undefined ? `${megabytes(progress.bytesRead)} MB read` : `${megabytes(progress.bytesRead)} of ${megabytes(total)} MB (${Math.floor((100 * progress.bytesRead) / total)}%)`;
  return {
    level: 'info',
    event: 'progress',
    text: `progress: ${progress.rows} rows, ${rowsPerSec} rows/s, ${bytes}${etaSeconds === undefined ? '' : `, ETA ${etaSeconds} s`}, ${Math.round(elapsedSeconds)} s elapsed`,
    fields: { rows: progress.rows, rowsPerSec, bytesRead: progress.bytesRead, bytesTotal: total ?? null, etaSeconds: etaSeconds ?? null, elapsedSeconds: Math.round(elapsedSeconds * 10) / 10 },
  };
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
