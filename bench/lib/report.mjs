// Medians over rounds, ratios to the limits, and the table / JSON output.

export function median(values) {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One job's rounds reduced to medians and throughputs. */
export function summarizeJob(job, rounds) {
  const ms = median(rounds.map((r) => r.ms));
  return {
    id: job.id, kind: job.kind, label: job.label, rows: job.rows, inputBytes: job.bytes,
    ms, wallMs: median(rounds.map((r) => r.wallMs)), peakRssMB: median(rounds.map((r) => r.peakRssMB)), cpuMs: median(rounds.map((r) => r.cpuMs)),
    rowsPerSec: job.rows / (ms / 1000),
    MBps: job.bytes / 1e6 / (ms / 1000),
    rounds: rounds.map(({ ms: m, wallMs, peakRssMB, cpuMs, timings }) => ({ ms: m, wallMs, peakRssMB, ...(cpuMs === undefined ? {} : { cpuMs }), ...(timings ? { timings } : {}) })),
  };
}

const ratio = (a, b) => (a && b ? a.rowsPerSec / b.rowsPerSec : null);
/** Extra CPU time of `a` over `b`, as a share of b's (null without both). */
const cpuRatio = (a, b) => (a?.cpuMs && b?.cpuMs ? a.cpuMs / b.cpuMs - 1 : null);

/** A workload's summary: onnx-batch, its limits, and onnx-batch's throughput as a share of each. */
export function summarizeWorkload(workload, results) {
  const get = (job) => (job ? summarizeJob(job, results.get(job.id)) : undefined);
  const onnxBatch = get(workload.main);
  const variants = { noStats: get(workload.noStats), monitored: get(workload.monitored) };
  const limits = {
    ...variants, ceiling: get(workload.ceiling), readFloor: get(workload.readFloor), csvParse: get(workload.csvParse), parse1: get(workload.parse1), parse2: get(workload.parse2),
    csvPath: get(workload.csvPath), ...Object.fromEntries((workload.reads ?? []).map((job) => [job.id, get(job)])),
  };
  const verification = results.get(workload.main.id).find((r) => r.verification)?.verification;
  return {
    name: workload.name, title: workload.title, onnxBatch, limits,
    ratios: {
      vsCeiling: ratio(onnxBatch, limits.ceiling), vsReadFloor: ratio(onnxBatch, limits.readFloor), parse2vs1: ratio(limits.parse2, limits.parse1),
      vsCsvPath: ratio(onnxBatch, limits.csvPath),
      // Statistics overhead: 1 - rows/s with them / rows/s without (same rounds).
      statsOverhead: variants.noStats ? 1 - ratio(onnxBatch, variants.noStats) : null,
      monitoredOverhead: variants.noStats && variants.monitored ? 1 - ratio(variants.monitored, variants.noStats) : null,
      // The same in CPU time (all threads): steadier than wall time on a shared, busy machine.
      statsCpu: cpuRatio(onnxBatch, variants.noStats),
      monitoredCpu: cpuRatio(variants.monitored, variants.noStats),
    },
    ...(verification ? { verification } : {}),
  };
}

const num = (v, digits = 0) => (v === null || v === undefined ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const times = (v) => (v === null || v === undefined ? '' : `${v.toPrecision(2)}x`);
const seconds = (ms) => num(ms / 1000, ms < 1000 ? 3 : 2);

function tableRows(w) {
  const line = (name, s, ratios = ['', '']) => [name, s.label, num(s.rows), seconds(s.ms), num(s.rowsPerSec), num(s.MBps, 1), num(s.peakRssMB), ...ratios];
  const rows = [line(w.name, w.onnxBatch, [times(w.ratios.vsCeiling), times(w.ratios.vsReadFloor)])];
  for (const limit of Object.values(w.limits)) if (limit) rows.push(line('', limit));
  return rows;
}

/** A plain-text table: the first two columns left-aligned, numbers right-aligned. */
export function formatTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

function verificationLine(w) {
  const v = w.verification;
  if (!v) return null;
  if (v.ok) return `${w.name} predictions: OK, ${num(v.rows)} rows match the MLP computed in plain JS (float64) within ${v.tolerance} (max |diff| ${v.maxAbsDiff.toExponential(2)})`;
  return `${w.name} predictions: MISMATCH: ${v.reason ?? `${v.mismatches} of ${num(v.rows)} rows differ by more than ${v.tolerance}; first: ${JSON.stringify(v.firstMismatch)}`}`;
}

/** The human-readable result: workload titles, the table, verification lines, how to read it. */
export function formatText(result) {
  const header = ['workload', 'measure', 'rows', 'time s', 'rows/s', 'MB/s', 'peak RSS MB', 'vs ceiling', 'vs read floor'];
  const all = [...result.workloads, ...result.w4];
  const titles = all.map((w) => `  ${w.name}: ${w.title}`);
  const checks = all.map(verificationLine).filter(Boolean);
  for (const w of all) if (w.ratios.vsCsvPath) checks.push(`${w.name} Parquet path: ${num(w.onnxBatch.rowsPerSec)} rows/s, ${w.ratios.vsCsvPath.toFixed(2)}x the CSV path on the same rows (${num(w.limits.csvPath.rowsPerSec)} rows/s, same rounds)`);
  for (const w of all) if (w.ratios.parse2vs1) checks.push(`${w.name} parse only: 2 workers are ${w.ratios.parse2vs1.toFixed(2)}x 1 worker`);
  for (const w of all) {
    if (w.ratios.statsOverhead !== null && w.ratios.statsOverhead !== undefined) {
      const rate = (a, b) => `${num(a.rowsPerSec)} rows/s against ${num(b.rowsPerSec)}`;
      const { noStats, monitored } = w.limits;
      checks.push(`${w.name} statistics overhead: ${(100 * w.ratios.statsOverhead).toFixed(1)}% (limit 10%; ${rate(w.onnxBatch, noStats)}); with --baseline and --label-column: ${(100 * w.ratios.monitoredOverhead).toFixed(1)}% (limit 15%; ${rate(monitored, noStats)}), both against --no-stats in rows/s`);
      if (w.ratios.statsCpu !== null && w.ratios.monitoredCpu !== null) {
        checks.push(`${w.name} CPU time (all threads) over --no-stats: statistics +${(100 * w.ratios.statsCpu).toFixed(1)}%, with --baseline and --label-column +${(100 * w.ratios.monitoredCpu).toFixed(1)}% (${num(noStats.cpuMs / 1000, 2)} s, ${num(w.onnxBatch.cpuMs / 1000, 2)} s, ${num(monitored.cpuMs / 1000, 2)} s)`);
      }
    }
  }
  const m = result.meta;
  return [
    `onnx-batch bench: ${m.rounds} round(s), batch size ${m.batchSize ?? 'auto (limits: 4096)'}, threads ${m.threads ?? 'ORT default'}, ${m.cpus} CPUs, node ${m.node}, peak RSS via ${m.rssMethod}`,
    ...titles, '',
    formatTable(header, all.flatMap(tableRows)), '',
    ...checks,
    'time: onnx-batch = wall clock of the whole process (median); limits = their own timed loop (median).',
    'MB/s = input file MB / time. vs ceiling / vs read floor = onnx-batch rows/s divided by that limit\'s rows/s.',
  ].join('\n');
}
