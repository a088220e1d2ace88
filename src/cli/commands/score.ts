// CLI: `onnx-batch score`: flags -> job -> runner; prints warnings and the one-line summary.
import type { Command } from 'commander';
import type { ScoreFlags } from '../../config/flags.js';
import { buildScoreJob } from '../../config/load.js';
import { runIncremental, runScore, type RunProgress } from '../../run/index.js';
import { flagNamesOf, scoreOptions } from '../options.js';
import { createLog } from '../log.js';
import { createProgress, parseProgressInterval } from '../progress.js';
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
    const log = createLog(flags.logFormat, quiet);
    context.log = log;
    const names = flagNamesOf(command);
    const intervalSeconds = parseProgressInterval(flags.progressInterval, names);
    const job = await buildScoreJob(flags, process.env, names);
    const progress = createProgress({ enabled: flags.progress && !quiet, log, intervalSeconds });
    const say = (event: string, text: string, fields: Readonly<Record<string, unknown>> = {}): void => log.write({ level: 'info', event, text, fields });
    const hooks = {
      signal: context.signal,
      onProgress: (update: RunProgress) => progress.update(update),
      onWarning: (message: string) => log.write({ level: 'warn', event: 'warning', text: message }),
      // ONNX Runtime's own lines, only with --verbose, and marked as its own.
      ...(context.verbose ? { onRuntimeLog: (line: string) => say('onnxruntime', `onnxruntime: ${line}`) } : {}),
    };
    try {
      if (job.state !== undefined) {
        const outcome = await runIncremental(job, job.state, hooks);
        progress.stop();
        for (const { input, result } of outcome.scored) {
          const output = result.report.outputs[0]?.path ?? '';
          if (result.error === undefined) say('scored', `scored ${input}: ${result.report.rows.scored} rows -> ${output}`, { input, rows: result.report.rows.scored, output });
        }
        if (outcome.skipped.length > 0) say('skipped', `skipped ${outcome.skipped.length} inputs already scored with this model, spec and options: ${outcome.skipped.join(', ')}`, { inputs: outcome.skipped });
        if (outcome.otherShards > 0) say('other-shards', `left ${outcome.otherShards} inputs to the other shards of the job`, { inputs: outcome.otherShards });
        if (outcome.error !== undefined) throw outcome.error;
        // A quiet night is a success: cron's `|| alert` must not fire because nothing arrived.
        if (outcome.scored.length === 0) say('nothing-new', 'nothing new to score');
        say('state', `state: ${job.state}`, { state: job.state });
        return;
      }
      if (job.inputs.length === 0) {
        say('nothing-found', `no input file found in ${flags.input.join(', ')}: nothing to score (--allow-empty); no output written`);
        return;
      }
      const result = await runScore(job, hooks);
      progress.stop();
      if (result.error !== undefined) throw result.error;
      const { rows, durationMs, throughput, rejects } = result.report;
      const where = job.output.path === '-' ? 'stdout' : job.output.path;
      say('summary', `scored ${rows.scored} rows in ${(durationMs / 1000).toFixed(2)} s (${throughput.rowsPerSec} rows/s) -> ${where}`, {
        rows,
        durationMs,
        rowsPerSec: throughput.rowsPerSec,
        output: where,
        rejects: rejects?.path ?? null,
        report: job.report ?? null,
      });
      if (log.format === 'text') {
        if (rejects !== null) say('rejects', `rejected ${rejects.count} rows -> ${rejects.path}`);
        if (job.report !== undefined) say('report', `report: ${job.report}`);
      }
    } finally {
      progress.stop();
    }
  });
}
