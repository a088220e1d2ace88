// CLI: `onnx-batch score`: flags -> job -> runner; prints warnings and the one-line summary.
import type { Command } from 'commander';
import type { ScoreFlags } from '../../config/flags.js';
import { buildScoreJob } from '../../config/load.js';
import { runIncremental, runScore, type RunProgress } from '../../run/index.js';
import { scoreOptions } from '../options.js';
import { createProgress } from '../progress.js';
import type { CommandContext } from './context.js';

const EXAMPLES = `
Examples:
  $ onnx-batch score -m model.onnx -i data.csv -o preds.csv
  $ onnx-batch score -m model.onnx -i 'landing/*.csv' -o scored.arrow --keep id
  $ onnx-batch score -m model.onnx -i data.arrows --features "age,income,tenure" -o -
  $ cat data.csv | onnx-batch score -m model.onnx -i - -o - --keep none > preds.csv`;

/** Adds the `score` command to the program. */
export function addScoreCommand(program: Command, context: CommandContext): void {
  const command = program.command('score').description('score CSV or Arrow inputs with an ONNX model; writes predictions and a run report');
  for (const option of scoreOptions()) command.addOption(option);
  command.addHelpText('after', EXAMPLES);
  command.action(async (flags: ScoreFlags) => {
    context.verbose = flags.verbose === true;
    const quiet = flags.quiet === true;
    const job = await buildScoreJob(flags);
    const progress = createProgress(flags.progress && !quiet);
    const say = (line: string): void => {
      if (!quiet) process.stderr.write(`onnx-batch: ${line}\n`);
    };
    const hooks = {
      signal: context.signal,
      onProgress: (update: RunProgress) => progress.update(update),
      onWarning: (message: string) => say(`warning: ${message}`),
      // ONNX Runtime's own lines, only with --verbose, and marked as its own.
      ...(context.verbose ? { onRuntimeLog: (line: string) => say(`onnxruntime: ${line}`) } : {}),
    };
    if (job.state !== undefined) {
      const outcome = await runIncremental(job, job.state, hooks);
      progress.stop();
      for (const { input, result } of outcome.scored) if (result.error === undefined) say(`scored ${input}: ${result.report.rows.scored} rows -> ${result.report.outputs[0]?.path ?? ''}`);
      if (outcome.skipped.length > 0) say(`skipped ${outcome.skipped.length} inputs already scored with this model, spec and options: ${outcome.skipped.join(', ')}`);
      if (outcome.error !== undefined) throw outcome.error;
      say(`state: ${job.state}`);
      return;
    }
    const result = await runScore(job, hooks);
    progress.stop();
    if (result.error !== undefined) throw result.error;
    if (!quiet) {
      const { rows, durationMs, throughput, rejects } = result.report;
      const where = job.output.path === '-' ? 'stdout' : job.output.path;
      process.stderr.write(`onnx-batch: scored ${rows.scored} rows in ${(durationMs / 1000).toFixed(2)} s (${throughput.rowsPerSec} rows/s) -> ${where}\n`);
      if (rejects !== null) process.stderr.write(`onnx-batch: rejected ${rejects.count} rows -> ${rejects.path}\n`);
      if (job.report !== undefined) process.stderr.write(`onnx-batch: report: ${job.report}\n`);
    }
  });
}
