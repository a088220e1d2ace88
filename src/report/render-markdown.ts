// Report: the Markdown summary (--report-md, CI step summaries).
import type { RunReport } from './report.js';
import { driftTable, gatesTable, groupsTable, metricsTable, perClassTable, statsTable, summaryTable, type Table } from './render-text.js';

function cell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function markdownTable(table: Table): string {
  const lines = [`| ${table.header.map(cell).join(' | ')} |`, `| ${table.header.map(() => '---').join(' | ')} |`];
  for (const row of table.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

/** Renders a report as GitHub-flavoured Markdown. */
export function renderMarkdown(report: RunReport): string {
  const sections: string[] = [`## onnx-batch run report: ${report.status}`, markdownTable(summaryTable(report))];
  const add = (title: string, table: Table | undefined): void => {
    if (table !== undefined && table.rows.length > 0) sections.push(`### ${title}`, markdownTable(table));
  };
  add('Gates', gatesTable(report));
  add('Metrics', metricsTable(report));
  add('Per class', perClassTable(report));
  add('Groups', groupsTable(report));
  if (report.drift !== undefined) add(`Drift against ${report.drift.baseline} (PSI warn >= ${report.drift.thresholds.warn}, alert >= ${report.drift.thresholds.alert})`, driftTable(report));
  if (report.stats !== undefined) {
    add('Predictions', statsTable(report.stats.predictions));
    add('Features', statsTable(report.stats.features));
  }
  return `${sections.join('\n\n')}\n`;
}
