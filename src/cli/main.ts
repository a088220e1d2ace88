// CLI entry: argv -> command -> exit code. The only place that turns errors into exit codes.
import { Command, CommanderError } from 'commander';
import { variableChoiceError } from '../config/flag-names.js';
import { describeLocation, ERRORS, OnnxBatchError, SIGNAL_ERRORS, type StopSignal } from '../errors.js';
import { TOOL_VERSION } from '../shared/version.js';
import type { CommandContext } from './commands/context.js';
import { addDoctorCommands } from './commands/doctor.js';
import { addInspectCommand } from './commands/inspect.js';
import { addPipelineCommand } from './commands/pipeline.js';
import { addProfileCommand } from './commands/profile.js';
import { addReportCommand } from './commands/report.js';
import { addScoreCommand } from './commands/score.js';

/** Help and --version: the only exit status that is not an error's. */
const EXIT_SUCCESS = 0;

const controller = new AbortController();
const context: CommandContext = { signal: controller.signal, verbose: false };

function onSignal(signal: StopSignal): void {
  if (controller.signal.aborted) {
    // At once, even with the model busy in a worker (exit would wait for it): clean up, then let the
    // signal's default action end the process, which shells report as 130 or 143.
    process.emit('exit', ERRORS[SIGNAL_ERRORS[signal]].exitCode);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.stderr.write(`onnx-batch: ${signal} received; stopping after the current batch (send again to stop at once)\n`);
  controller.abort(signal);
}
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

// A reader that stops early (`| head`) closes stdout (EPIPE), a full disk fails it (ENOSPC): while
// `score` writes to stdout its sink reports that; otherwise (inspect's text) a closed pipe is not an
// error, and a failed write is exit 5.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE' || process.stdout.listenerCount('error') > 1) return;
  process.stderr.write(`onnx-batch: error: cannot write to stdout: ${error.message}\n`);
  process.exitCode = ERRORS.OUTPUT_FAILED.exitCode;
});

const program = new Command('onnx-batch')
  .description('Score CSV or Arrow files with an ONNX model, in batches, from cron, CI or a terminal')
  .version(TOOL_VERSION)
  // commander's own errors go through report() below, like every other error.
  .configureOutput({ outputError: () => undefined })
  .exitOverride();
addScoreCommand(program, context);
addInspectCommand(program);
addPipelineCommand(program);
addDoctorCommands(program);
addProfileCommand(program, context);
addReportCommand(program);
for (const command of program.commands) {
  command.exitOverride();
  for (const sub of command.commands) sub.exitOverride();
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = report(error);
}

/**
 * Whether errors go out as JSON lines: the command's log says so, or, for an error commander finds
 * before any command runs, --log-format json on the command line or in ONNX_BATCH_LOG_FORMAT.
 */
function jsonErrors(): boolean {
  if (context.log !== undefined) return context.log.format === 'json';
  const args = process.argv.slice(2);
  const at = args.lastIndexOf('--log-format');
  const given = args.findLast((arg) => arg.startsWith('--log-format='))?.slice('--log-format='.length) ?? (at >= 0 ? args[at + 1] : undefined);
  return (given ?? process.env['ONNX_BATCH_LOG_FORMAT']) === 'json';
}

/** The final error as one JSON line on stderr (README "Log lines"): what failed, its codes, where, and what to do. */
function writeJsonError(fields: { readonly code: string; readonly exitCode: number; readonly message: string; readonly hint?: string | undefined; readonly stack?: string }, where: object = {}): void {
  const line = { time: new Date().toISOString(), level: 'error', event: 'error', ...fields, ...where };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

/** Prints one clear line (plus a hint) for a known error and returns its exit code. */
function report(error: unknown): number {
  const json = jsonErrors();
  if (error instanceof CommanderError) {
    // Help and --version exit 0; help shown for a missing command has already been printed.
    if (error.exitCode === 0) return EXIT_SUCCESS;
    if (error.code !== 'commander.help') {
      const command = process.argv.slice(2).find((arg) => program.commands.some((candidate) => candidate.name() === arg));
      const fromVariable = variableChoiceError(error.message.replace(/^error: /, ''));
      const message = fromVariable?.message ?? error.message.replace(/^error: /, '');
      const hint = fromVariable?.hint ?? `run \`onnx-batch ${command === undefined ? '' : `${command} `}--help\` for usage`;
      if (json) writeJsonError({ code: 'USAGE', exitCode: ERRORS.USAGE.exitCode, message, hint });
      else process.stderr.write(`onnx-batch: error: ${message}\n  hint: ${hint}\n`);
    }
    return ERRORS.USAGE.exitCode;
  }
  if (error instanceof OnnxBatchError && error.code !== 'INTERNAL') {
    if (json) {
      writeJsonError({ code: error.code, exitCode: error.exitCode, message: error.message, hint: error.hint, ...(context.verbose ? { stack: error.stack ?? '' } : {}) }, error.context);
      return error.exitCode;
    }
    const where = describeLocation(error.context);
    process.stderr.write(`onnx-batch: error: ${error.message}\n`);
    if (where !== '' && !error.message.includes(error.context.file ?? '\u0000')) process.stderr.write(`  at: ${where}\n`);
    if (error.hint !== undefined) process.stderr.write(`  hint: ${error.hint}\n`);
    if (context.verbose) process.stderr.write(`${error.stack ?? ''}\n`);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const message = 'internal error (this is a bug, please report it with the command you ran)';
  if (json) {
    writeJsonError({ code: 'INTERNAL', exitCode: ERRORS.INTERNAL.exitCode, message, stack });
    return ERRORS.INTERNAL.exitCode;
  }
  process.stderr.write(`onnx-batch: ${message}:\n${stack}\n`);
  return ERRORS.INTERNAL.exitCode;
}
