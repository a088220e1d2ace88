// Report: writes the report and its renderings (JSON, Markdown, HTML, JUnit), and the CI step summary.
import { appendFile, readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { ColumnStatsSet } from './drift.js';
import { writeTextAtomically } from '../shared/atomic-file.js';
import type { RunReport } from './report.js';
import { renderHtml } from './render-html.js';
import { renderJunit } from './render-junit.js';
import { renderMarkdown } from './render-markdown.js';

/** Where a report and its renderings go; undefined: not written. */
export interface ReportPaths {
  readonly json?: string | undefined;
  readonly markdown?: string | undefined;
  readonly html?: string | undefined;
  readonly junit?: string | undefined;
}

/** Writes every requested file; with GITHUB_STEP_SUMMARY set and --report-md given, appends the Markdown there too. */
export async function writeReportFiles(report: RunReport, paths: ReportPaths, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (paths.json !== undefined) await writeTextAtomically(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  if (paths.markdown !== undefined) {
    const markdown = renderMarkdown(report);
    await writeTextAtomically(paths.markdown, markdown);
    const summary = env['GITHUB_STEP_SUMMARY'];
    if (summary !== undefined && summary !== '') await appendFile(summary, `${markdown}\n`);
  }
  if (paths.html !== undefined) await writeTextAtomically(paths.html, renderHtml(report));
  if (paths.junit !== undefined) await writeTextAtomically(paths.junit, renderJunit(report));
}

/** Reads a report (or profile) written by onnx-batch; `what` names the flag or argument in messages. */
export async function readReportFile(path: string, what: string): Promise<RunReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError('CONFIG_INVALID', `Cannot read ${what} ${path}: ${(error as { code?: string }).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, {
      hint: 'give a report.json written by `onnx-batch score` or a baseline written by `onnx-batch profile`',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError('CONFIG_INVALID', `${what} ${path} is not JSON: ${(error as Error).message}`, { hint: 'give a report.json written by onnx-batch' });
  }
  if (parsed === null || typeof parsed !== 'object' || (parsed as { schemaVersion?: unknown }).schemaVersion !== 1) {
    throw new UsageError('CONFIG_INVALID', `${what} ${path} is not an onnx-batch report (schemaVersion 1)`, { hint: 'give a report.json written by onnx-batch' });
  }
  return parsed as RunReport;
}

/** The column statistics of a baseline: a profile or an earlier run's report. */
export async function readBaseline(path: string): Promise<ColumnStatsSet> {
  const report = await readReportFile(path, '--baseline');
  const stats = report.stats;
  if (stats === undefined || typeof stats.features !== 'object' || typeof stats.predictions !== 'object') {
    throw new UsageError('CONFIG_INVALID', `--baseline ${path} has no column statistics`, {
      hint: 'make one with `onnx-batch profile -m model.onnx -i reference.csv -o baseline.json`, or give a report of a run of this version',
    });
  }
  return stats;
}
