// CLI: what main.ts shares with every command.
import type { Log } from '../log.js';

export interface CommandContext {
  /** Aborted on SIGINT/SIGTERM; the reason is the signal's name. */
  readonly signal: AbortSignal;
  /** Set by a command that was given --verbose, so main.ts prints stacks. */
  verbose: boolean;
  /** Set by a command that writes its stderr lines through a log (score), so main.ts writes errors there too. */
  log?: Log;
}
