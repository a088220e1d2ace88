// CLI: `onnx-batch profile`: the statistics of a reference set (features and predictions) as a baseline for --baseline.
import type { Command } from 'commander';
import type { ScoreFlags } from '../../config/flags.js';
import { buildScoreJob } from '../../config/load.js';
import { UsageError } from '../../errors.js';
import { runScore } from '../../run/index.js';
import { flagNamesOf, profileOptions } from '../options.js';
import type { CommandContext } from './context.js';

const EXAMPLES = `
Examples:
  $ onnx-batch profile -m model.onnx -i train.csv -o baseline.json
  $ onnx-batch score -m model.onnx -i today.csv -o preds.csv --baseline baseline.json --fail-on 'drift.max_psi > 0.25'`;

/** Adds the `profile` command to the program. */
export function addProfileCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('profile')
    .description('profile a reference set (e.g. the training data): statistics of every model input feature and prediction column, written as a baseline for `score --baseline`; no predictions are written');
  for (const option of profileOptions()) command.addOption(option);
  command.addHelpText('after', EXAMPLES);
  command.action(async (flags: Omit<ScoreFlags, 'output' | 'keep' | 'progress'> & { readonly output: string }) => {
    context.verbose = flags.verbose === true;
    if (flags.output === '-' || /\.(md|markdown|html?)$/i.test(flags.output)) {
      throw new UsageError('USAGE', `-o ${flags.output}: profile writes a JSON baseline file`, { hint: 'e.g. -o baseline.json' });
    }
    // A baseline profiles the whole reference set; a worker of a sharded job would profile all of it
    // n times over, or (were it sharded) a part that describes nothing.
    if ((process.env['ONNX_BATCH_SHARD_COUNT'] ?? '').trim() !== '') {
      throw new UsageError('USAGE', 'profile builds one baseline from the whole reference set: it does not run as a shard of a job (ONNX_BATCH_SHARD_COUNT is set)', {
        hint: 'run profile once, outside the sharded job, and give every shard --baseline <that file>',
      });
    }
    const job = { ...(await buildScoreJob({ ...flags, output: '-', report: flags.output, keep: 'none', progress: false }, process.env, flagNamesOf(command))), profile: true };
    const result = await runScore(job, {
      signal: context.signal,
      onWarning: (message) => {
        if (flags.quiet !== true) process.stderr.write(`onnx-batch: warning: ${message}\n`);
      },
    });
    if (result.error !== undefined) throw result.error;
    if (flags.quiet !== true) process.stderr.write(`onnx-batch: profiled ${result.report.rows.scored} rows -> ${flags.output}\n`);
  });
}
