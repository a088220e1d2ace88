// Report: what the Markdown and HTML renderings share: number formats and the rows of each table.
import type { ColumnSummary } from './column-stats.js';
import type { DriftEntry } from './drift.js';
import type { RunReport } from './report.js';

/** A number as a person reads it: 4 significant digits, integers whole, missing as '-'. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

export function formatShare(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${formatNumber(100 * value)}%`;
}

/** A table: header and rows of cells (plain text; each renderer escapes for its own format). */
export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export function summaryTable(report: RunReport): Table {
  const rows: string[][] = [
    ['status', report.status],
    ['model', `${report.model.path}${report.model.sha256 === null ? '' : ` (sha256 ${report.model.sha256.slice(0, 12)})`}`],
    ['inputs', report.inputs.map((input) => input.path).join(', ')],
    ['rows', `${report.rows.read} read, ${report.rows.scored} scored, ${report.rows.rejected} rejected (${formatNumber(report.rows.rejected_pct)}%)`],
    ['duration', `${formatNumber(report.durationMs / 1000)} s (${report.throughput.rowsPerSec} rows/s)`],
  ];
  if (report.error !== null) rows.push(['error', `${report.error.code}: ${report.error.message}`]);
  return { header: ['', ''], rows };
}

export function gatesTable(report: RunReport): Table | undefined {
  if (report.gates === undefined || report.gates.length === 0) return undefined;
  return {
    header: ['gate', 'value', 'result'],
    rows: report.gates.map((gate) => [gate.expression, gate.value === null ? `- (${gate.note ?? 'no value'})` : formatNumber(gate.value), gate.fired ? 'FAILED' : 'passed']),
  };
}

export function metricsTable(report: RunReport): Table | undefined {
  const metrics = report.metrics;
  if (metrics === undefined) return undefined;
  const names = metrics.task === 'regression' ? (['rows', 'mae', 'rmse', 'r2', 'mape'] as const) : (['rows', 'accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'f1_weighted', 'log_loss', 'roc_auc'] as const);
  return { header: ['metric', 'value'], rows: names.map((name) => [`metrics.${name}`, formatNumber((metrics as unknown as Record<string, number | null>)[name])]) };
}

export function perClassTable(report: RunReport): Table | undefined {
  const metrics = report.metrics;
  if (metrics?.task !== 'classification') return undefined;
  return {
    header: ['class', 'precision', 'recall', 'F1', 'support'],
    rows: Object.entries(metrics.per_class).map(([name, m]) => [name, formatNumber(m.precision), formatNumber(m.recall), formatNumber(m.f1), String(m.support)]),
  };
}

export function groupsTable(report: RunReport): Table | undefined {
  if (report.groups === undefined) return undefined;
  const main = report.metrics?.task === 'regression' ? 'rmse' : 'accuracy';
  const rows = Object.entries(report.groups).map(([name, group]) => [
    name,
    String(group.rows),
    formatNumber((group.metrics as unknown as Record<string, number | null>)[main]),
    formatShare(group.selection_rate),
    formatShare(group.true_positive_rate),
  ]);
  const fairness = report.fairness;
  if (fairness !== undefined) rows.push(['min/max ratio', '', '', formatNumber(fairness.selection_rate_ratio), formatNumber(fairness.true_positive_rate_ratio)]);
  return { header: [report.fairness?.group_by ?? 'group', 'rows', main, 'selection rate', 'true positive rate'], rows };
}

export function driftTable(report: RunReport): Table | undefined {
  const drift = report.drift;
  if (drift === undefined) return undefined;
  const row = (kind: string, name: string, entry: DriftEntry): string[] => [`${kind} ${name}`, formatNumber(entry.psi), formatNumber(entry.ks), formatShare(entry.null_share_change), entry.status];
  return {
    header: ['column', 'PSI', 'KS', 'null share change', 'status'],
    rows: [...Object.entries(drift.features).map(([name, entry]) => row('feature', name, entry)), ...Object.entries(drift.predictions).map(([name, entry]) => row('prediction', name, entry))],
  };
}

export function statsTable(summaries: Readonly<Record<string, ColumnSummary>>): Table {
  return {
    header: ['column', 'count', 'nulls', 'NaN', 'mean', 'std', 'min', 'p50', 'max', 'top categories'],
    rows: Object.entries(summaries).map(([name, s]) =>
      s.kind === 'numeric'
        ? [name, String(s.count), String(s.nulls), String(s.nan), formatNumber(s.mean), formatNumber(s.std), formatNumber(s.min), formatNumber(s.quantiles.p50), formatNumber(s.max), '']
        : [name, String(s.count), String(s.nulls), '', '', '', '', '', '', topCategories(s.categories, s.count - s.nulls, s.other_share)],
    ),
  };
}

function topCategories(categories: readonly { value: string; count: number }[], total: number, otherShare: number): string {
  const shown = categories.slice(0, 5).map((c) => `${c.value} ${formatShare(total === 0 ? 0 : c.count / total)}`);
  const rest = categories.slice(5).reduce((sum, c) => sum + c.count, 0) / Math.max(1, total) + otherShare;
  return rest > 0 ? [...shown, `rest ${formatShare(rest)}`].join(', ') : shown.join(', ');
}
