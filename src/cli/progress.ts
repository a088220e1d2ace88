// CLI: the progress bar on stderr (the only importer of cli-progress), shown only on a terminal.
import cliProgress from 'cli-progress';
import type { RunProgress } from '../run/index.js';

export interface ProgressDisplay {
  update(progress: RunProgress): void;
  stop(): void;
}

const NONE: ProgressDisplay = { update: () => undefined, stop: () => undefined };

/** A bar of bytes read (rows when the size is unknown), with rows/s and ETA; nothing when not wanted. */
export function createProgress(enabled: boolean): ProgressDisplay {
  if (!enabled || process.stderr.isTTY !== true) return NONE;
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
