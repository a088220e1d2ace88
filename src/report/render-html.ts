// Report: one self-contained HTML page (--report-html): inline CSS and SVG charts, nothing fetched.
import type { ColumnSummary } from './column-stats.js';
import type { DriftEntry } from './drift.js';
import type { RunReport } from './report.js';
import { driftTable, formatNumber, formatShare, gatesTable, groupsTable, metricsTable, perClassTable, summaryTable, type Table } from './render-text.js';

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f4f4f4}.ok{background:#e6f4ea}.warn{background:#fff4ce}.alert,.FAILED{background:#fbe0e0}.passed{background:#e6f4ea}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{border:1px solid #eee;padding:6px}.chart h3{font-size:.95em;margin:0 0 4px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}.status-succeeded{color:#137333}.status-failed,.status-interrupted{color:#c5221f}`;
const CURRENT = '#1a73e8';
const BASELINE = '#9aa0a6';

function html(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** A table; `classOf` may colour a row (by drift status or gate result). */
function htmlTable(table: Table | undefined, classOf?: (row: readonly string[]) => string): string {
  if (table === undefined || table.rows.length === 0) return '';
  const head = table.header.some((h) => h !== '') ? `<tr>${table.header.map((h) => `<th>${html(h)}</th>`).join('')}</tr>` : '';
  const rows = table.rows.map((row) => `<tr${classOf === undefined ? '' : ` class="${html(classOf(row))}"`}>${row.map((c) => `<td>${html(c)}</td>`).join('')}</tr>`);
  return `<table>${head}${rows.join('')}</table>`;
}

/** Bars for one or two series over the same labels (shares or counts), as inline SVG. */
function barChart(title: string, labels: readonly string[], series: readonly { name: string; color: string; values: readonly number[] }[]): string {
  const width = 320;
  const height = 140;
  const max = Math.max(1e-12, ...series.flatMap((s) => s.values));
  const slot = width / Math.max(1, labels.length);
  const bar = (slot * 0.8) / series.length;
  const rects = series.flatMap((s, k) =>
    s.values.map((value, i) => {
      const h = (value / max) * (height - 20);
      return `<rect x="${(i * slot + slot * 0.1 + k * bar).toFixed(1)}" y="${(height - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${html(`${labels[i] ?? ''}: ${s.name} ${formatNumber(value)}`)}</title></rect>`;
    }),
  );
  const legend = series.length > 1 ? `<div class="legend">${series.map((s) => `<span style="background:${s.color}"></span>${html(s.name)}`).join('')}</div>` : '';
  return `<div class="chart"><h3>${html(title)}</h3><svg class="histogram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${html(title)}">${rects.join('')}<line x1="0" y1="${height}" x2="${width}" y2="${height}" stroke="#999"/></svg>${legend}</div>`;
}

function distributionChart(name: string, summary: ColumnSummary, drift: DriftEntry | undefined): string {
  if (drift?.bins != null) {
    return barChart(`${name} (PSI ${formatNumber(drift.psi)}, ${drift.status})`, drift.bins.labels, [
      { name: 'baseline', color: BASELINE, values: drift.bins.baseline },
      { name: 'this run', color: CURRENT, values: drift.bins.current },
    ]);
  }
  if (summary.kind === 'numeric') {
    const labels = summary.histogram.counts.map((_, i) => `${formatNumber(summary.histogram.edges[i])} to ${formatNumber(summary.histogram.edges[i + 1])}`);
    return barChart(`${name} (mean ${formatNumber(summary.mean)}, std ${formatNumber(summary.std)})`, labels, [{ name: 'this run', color: CURRENT, values: summary.histogram.counts }]);
  }
  const top = summary.categories.slice(0, 12);
  return barChart(`${name} (other ${formatShare(summary.other_share)})`, top.map((c) => c.value), [{ name: 'this run', color: CURRENT, values: top.map((c) => c.count) }]);
}

function confusionMatrix(report: RunReport): string {
  const metrics = report.metrics;
  if (metrics?.task !== 'classification') return '';
  const { labels, counts } = metrics.confusion_matrix;
  const max = Math.max(1, ...counts.flat());
  const head = `<tr><th>actual \\ predicted</th>${labels.map((l) => `<th>${html(l)}</th>`).join('')}</tr>`;
  const rows = counts.map((row, a) => `<tr><th>${html(labels[a] ?? '')}</th>${row.map((n) => `<td style="background:rgba(26,115,232,${(0.08 + (0.7 * n) / max).toFixed(2)})">${n}</td>`).join('')}</tr>`);
  return `<h2>Confusion matrix</h2><table class="confusion">${head}${rows.join('')}</table>`;
}

/** Renders a report as one HTML page that needs nothing else (no script, font, image or style is fetched). */
export function renderHtml(report: RunReport): string {
  const parts: string[] = [`<h1>onnx-batch run report: <span class="status-${html(report.status)}">${html(report.status)}</span></h1>`, htmlTable(summaryTable(report))];
  const gates = gatesTable(report);
  if (gates !== undefined) parts.push('<h2>Gates</h2>', htmlTable(gates, (row) => row[2] ?? ''));
  if (report.metrics !== undefined) parts.push('<h2>Metrics</h2>', htmlTable(metricsTable(report)), htmlTable(perClassTable(report)), confusionMatrix(report));
  if (report.groups !== undefined) parts.push('<h2>Groups</h2>', htmlTable(groupsTable(report)));
  if (report.drift !== undefined) {
    parts.push(`<h2>Drift against ${html(report.drift.baseline)}</h2>`, `<p>PSI warn at ${report.drift.thresholds.warn}, alert at ${report.drift.thresholds.alert}; max PSI ${formatNumber(report.drift.max_psi)}.</p>`, htmlTable(driftTable(report), (row) => row[4] ?? ''));
  }
  if (report.stats !== undefined) {
    const charts = (kind: 'features' | 'predictions'): string =>
      `<div class="charts">${Object.entries(report.stats?.[kind] ?? {}).map(([name, summary]) => distributionChart(name, summary, report.drift?.[kind][name])).join('')}</div>`;
    parts.push('<h2>Prediction distribution</h2>', charts('predictions'), '<h2>Features</h2>', charts('features'));
  }
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>onnx-batch report: ${html(report.status)}</title><style>${STYLE}</style></head>\n<body>\n${parts.filter((p) => p !== '').join('\n')}\n</body></html>\n`;
}
