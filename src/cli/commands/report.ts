// CLI: `onnx-batch report render|merge`: renderings of an existing report, and one report from several runs' reports.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { mergeReports, MergeMismatch, readBaseline, readReportFile, writeReportFiles } from '../../report/index.js';

const EXAMPLES = `
Examples:
  $ onnx-batch report render preds.csv.report.json --html report.html --md report.md
  $ onnx-batch report merge shard-*.report.json -o total.report.json --html total.html
  $ onnx-batch report merge a.report.json b.report.json -o total.report.json --baseline baseline.json`;

interface RenderFlags {
  readonly html?: string;
  readonly md?: string;
  readonly junit?: string;
}

/** Adds the `report` command group to the program. */
export function addReportCommand(program: Command): void {
  const report = program.command('report').description('render an existing run report, or merge the reports of runs over disjoint inputs').addHelpText('after', EXAMPLES);
  report
    .command('render')
    .description('render a report as HTML, Markdown and/or JUnit XML')
    .argument('<report>', 'report.json written by onnx-batch score (or profile, or report merge)')
    .option('--html <path>', 'a self-contained HTML page')
    .option('--md <path>', 'a Markdown summary')
    .option('--junit <path>', 'JUnit XML, one test case per gate')
    .action(async (path: string, flags: RenderFlags) => {
      if (flags.html === undefined && flags.md === undefined && flags.junit === undefined) {
        throw new UsageError('USAGE', 'report render needs at least one of --html, --md, --junit', { hint: 'e.g. onnx-batch report render report.json --html report.html' });
      }
      const parsed = await readReportFile(path, 'report');
      await writeReportFiles(parsed, { markdown: flags.md, html: flags.html, junit: flags.junit });
    });
  report
    .command('merge')
    .description('merge reports of runs over disjoint inputs: counts add, sketches merge, metrics are recomputed (reports of different models, specs or options are refused)')
    .argument('<reports...>', 'report.json files')
    .requiredOption('-o, --output <path>', 'the merged report (JSON)')
    .option('--baseline <path>', "recompute drift against this baseline (default: the runs' own --baseline path, when it can be read)")
    .option('--html <path>', 'also render the merged report as HTML')
    .option('--md <path>', 'also render it as Markdown')
    .action(async (paths: string[], flags: RenderFlags & { readonly output: string; readonly baseline?: string }) => {
      if (/\.(md|markdown|html?)$/i.test(flags.output)) throw new UsageError('USAGE', `-o ${flags.output}: the merged report is JSON`, { hint: 'use --md or --html for renderings' });
      const reports = await Promise.all(paths.map((path) => readReportFile(path, 'report')));
      const baselinePath = flags.baseline ?? reports[0]?.drift?.baseline;
      const baseline = baselinePath === undefined ? undefined : await readBaseline(baselinePath).catch((error: unknown) => {
        if (flags.baseline !== undefined) throw error;
        process.stderr.write(`onnx-batch: warning: drift is left out of the merged report: ${(error as Error).message}\n`);
        return undefined;
      });
      let merged;
      try {
        merged = mergeReports(reports, paths, baseline);
      } catch (error) {
        if (!(error instanceof MergeMismatch)) throw error;
        throw new UsageError('USAGE', `Cannot merge: ${error.message}`, { hint: 'merge only reports of one job: the same model, spec and options over disjoint inputs' });
      }
      await writeReportFiles(merged, { json: flags.output, markdown: flags.md, html: flags.html });
      process.stderr.write(`onnx-batch: merged ${paths.length} reports (${merged.rows.scored} rows scored) -> ${flags.output}\n`);
    });
}
