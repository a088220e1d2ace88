// CLI: what main.ts shares with every command.
export interface CommandContext {
  /** Aborted on SIGINT/SIGTERM; the reason is the signal's name. */
  readonly signal: AbortSignal;
  /** Set by a command that was given --verbose, so main.ts prints stacks. */
  verbose: boolean;
}
