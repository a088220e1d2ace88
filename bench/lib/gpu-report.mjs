// The GPU workloads' summary: rows/s per provider end to end and raw, the GPU/CPU ratios, and where
// CUDA's raw time goes (host-to-device copies, from the copy probe, against compute).
import { formatTable, median, summarizeJob } from './report.mjs';

/** The 20x target of issue #13: onnx-batch end to end on CUDA against the CPU, for G1. */
export const G1_TARGET = 20;

const ratio = (a, b) => (a && b ? a.rowsPerSec / b.rowsPerSec : null);

/** One G workload: its jobs summarized, and per non-CPU provider the ratios and the time split. */
export function summarizeGpuWorkload(workload, results) {
  const jobs = workload.jobs.map((job) => ({ ...summarizeJob(job, results.get(job.id)), ep: job.ep, batchSize: median(results.get(job.id).map((r) => r.feeds?.batchSize)) }));
  const find = (kind, ep) => jobs.find((job) => job.kind === kind && job.ep === ep);
  const devices = [...new Set(jobs.map((job) => job.ep))].filter((ep) => ep !== 'cpu').map((ep) => {
    const endToEnd = find('onnx-batch', ep), raw = find('ceiling', ep), probe = find('copy-probe', ep);
    const firstRound = results.get(endToEnd.id)[0];
    const copyShare = raw && probe ? Math.min(1, probe.ms / raw.ms) : null;
    return {
      ep,
      used: firstRound?.executionProvider?.used ?? null,
      nodes: firstRound?.executionProvider?.nodes ?? null,
      endToEndVsCpu: ratio(endToEnd, find('onnx-batch', 'cpu')),
      rawVsCpu: ratio(raw, find('ceiling', 'cpu')),
      vsCeiling: ratio(endToEnd, raw),
      // The probe moves the same batches to the device and back with next to no compute.
      copyMs: probe?.ms ?? null, rawMs: raw?.ms ?? null, copyShare, computeShare: copyShare === null ? null : 1 - copyShare,
      verification: firstRound?.verification ?? null,
    };
  });
  return { name: workload.name, title: workload.title, jobs, devices };
}

const num = (v, digits = 0) => (v === null || v === undefined ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const x = (v) => (v === null || v === undefined ? '-' : `${v.toPrecision(3)}x`);
const pct = (v) => (v === null || v === undefined ? '-' : `${(100 * v).toFixed(0)}%`);

/** The G workloads' table and the lines under it. */
export function formatGpuText(summaries) {
  const rows = [];
  const lines = [];
  for (const w of summaries) {
    w.jobs.forEach((job, i) => rows.push([i === 0 ? w.name : '', job.label, num(job.rows), num(job.ms / 1000, 2), num(job.rowsPerSec), num(job.batchSize), num(job.peakRssMB)]));
    for (const d of w.devices) {
      lines.push(`${w.name} ${d.ep} (used ${d.used ?? '?'}${d.nodes ? `, nodes ${JSON.stringify(d.nodes)}` : ''}): end to end ${x(d.endToEndVsCpu)} the CPU's rows/s` +
        `${w.name === 'G1' ? ` (target >= ${G1_TARGET}x: ${d.endToEndVsCpu >= G1_TARGET ? 'met' : 'NOT met'})` : ''}; raw ORT ${x(d.rawVsCpu)}; onnx-batch reaches ${x(d.vsCeiling)} of raw ${d.ep}`);
      lines.push(`${w.name} ${d.ep} raw time ${num(d.rawMs / 1000, 2)} s: host-to-device copies and back ~${pct(d.copyShare)} (copy probe ${num(d.copyMs / 1000, 2)} s), compute ~${pct(d.computeShare)}`);
      const v = d.verification;
      if (v) lines.push(`${w.name} ${d.ep} predictions vs CPU: ${v.ok ? `OK, ${num(v.rows)} rows within ${v.tolerance} (max |diff| ${v.maxAbsDiff.toExponential(2)})` : `MISMATCH: ${v.reason ?? `${v.mismatches} values differ by more than ${v.tolerance}; first ${JSON.stringify(v.firstMismatch)}`}`}`);
    }
  }
  const header = ['workload', 'measure', 'rows', 'time s', 'rows/s', 'batch', 'peak RSS MB'];
  return [
    ...summaries.map((w) => `  ${w.name}: ${w.title}`), '',
    formatTable(header, rows), '',
    ...lines,
    'time: onnx-batch = wall clock of the whole process (median); raw ORT and the copy probe = their own timed loop over pre-built tensors (median).',
    'batch: rows per inference call, as onnx-batch picked it on that provider (the raw runs use the same).',
  ].join('\n');
}
