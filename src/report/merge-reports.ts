// Report: `report merge`: one report from the reports of runs over disjoint inputs (shards, or days).
import { mergeSummaries, type ColumnSummary } from './column-stats.js';
import { computeDrift, type ColumnStatsSet } from './drift.js';
import { mergeEvaluation } from './evaluation.js';
import { monitoringOf } from './monitor.js';
import type { RunReport, ShardSection } from './report.js';

/** Why reports cannot be merged (they describe different jobs). */
export class MergeMismatch extends Error {}

/** What must be equal for reports to be parts of one job. */
function identity(report: RunReport): Record<string, unknown> {
  return {
    'model sha256': report.model.sha256,
    'pipeline sha256': report.pipeline?.sha256 ?? null,
    'feeds (mapping and columns)': { mapping: report.feeds.mapping, inputs: report.feeds.inputs },
    'output columns': report.outputs[0]?.columns ?? null,
    'execution provider requested': report.executionProvider.requested,
    '--label-column / --group-by': report.evaluation === undefined ? null : [report.evaluation.label_column, report.evaluation.group_by],
    '--baseline': report.drift?.baseline ?? null,
  };
}

/** Merges reports; `baseline` (the profile the runs compared with) recomputes drift over the merged statistics. */
export function mergeReports(reports: readonly RunReport[], names: readonly string[], baseline?: ColumnStatsSet): RunReport {
  const first = reports[0];
  if (first === undefined) throw new MergeMismatch('no reports to merge');
  const expected = identity(first);
  reports.forEach((report, i) => {
    const actual = identity(report);
    for (const [what, value] of Object.entries(expected)) {
      if (JSON.stringify(actual[what]) !== JSON.stringify(value)) {
        throw new MergeMismatch(`${names[i] ?? `report ${i + 1}`} differs from ${names[0] ?? 'the first report'} in ${what}: ${JSON.stringify(actual[what])} vs ${JSON.stringify(value)}`);
      }
    }
  });
  checkShards(reports, names);
  const sum = (pick: (report: RunReport) => number): number => reports.reduce((total, report) => total + pick(report), 0);
  const startedAt = Math.min(...reports.map((r) => Date.parse(r.startedAt)));
  const finishedAt = Math.max(...reports.map((r) => Date.parse(r.finishedAt)));
  const read = sum((r) => r.rows.read);
  const rejected = sum((r) => r.rows.rejected);
  const scored = sum((r) => r.rows.scored);
  const durationMs = finishedAt - startedAt;
  const withRejects = reports.map((r) => r.rejects).filter((r) => r !== null);
  const byReason: Record<string, number> = {};
  for (const rejects of withRejects) for (const [reason, count] of Object.entries(rejects.byReason)) byReason[reason] = (byReason[reason] ?? 0) + count;
  const nanCounts: Record<string, number> = {};
  for (const report of reports) for (const [column, count] of Object.entries(report.predictions.nanCounts)) nanCounts[column] = (nanCounts[column] ?? 0) + count;
  const status = reports.every((r) => r.status === 'succeeded') ? 'succeeded' : reports.some((r) => r.status === 'failed') ? 'failed' : 'interrupted';
  // The merged report covers the whole job: it is no shard.
  const { shard: _shard, ...whole } = first;
  const merged: RunReport = {
    ...whole,
    status,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs,
    inputs: reports.flatMap((r) => r.inputs),
    rows: { read, scored, rejected, rejected_pct: read === 0 ? 0 : (100 * rejected) / read },
    batches: sum((r) => r.batches),
    timings: {
      loadModelMs: sum((r) => r.timings.loadModelMs),
      readMs: sum((r) => r.timings.readMs),
      preprocessMs: sum((r) => r.timings.preprocessMs),
      inferMs: sum((r) => r.timings.inferMs),
      writeMs: sum((r) => r.timings.writeMs),
    },
    throughput: { rowsPerSec: durationMs > 0 ? Math.round(scored / (durationMs / 1000)) : 0 },
    rejects: withRejects.length === 0 ? null : { path: withRejects.map((r) => r.path).join(', '), count: rejected, byReason, first: withRejects.flatMap((r) => r.first).slice(0, 10) },
    outputs: reports.flatMap((r) => r.outputs),
    predictions: { nanCounts },
    warnings: reports.flatMap((r) => r.warnings),
    error: reports.find((r) => r.error !== null)?.error ?? null,
  };
  return withMonitoring(merged, reports, baseline);
}

/** Shard reports merge only as one complete job: the same fingerprint and shard count, each shard once. */
function checkShards(reports: readonly RunReport[], names: readonly string[]): void {
  const nameOf = (i: number): string => names[i] ?? `report ${i + 1}`;
  const sharded = reports.findIndex((report) => report.shard !== undefined);
  if (sharded < 0) return;
  const whole = reports.findIndex((report) => report.shard === undefined);
  if (whole >= 0) throw new MergeMismatch(`${nameOf(sharded)} is a shard's report and ${nameOf(whole)} is not`);
  const first = reports[sharded]?.shard as ShardSection;
  // A shard that failed before its model loaded has no fingerprint; its failed status carries over.
  const printed = reports.findIndex((report) => report.shard?.fingerprint !== null);
  const fingerprint = reports[printed]?.shard?.fingerprint ?? null;
  const seen = new Map<number, number>();
  reports.forEach((report, i) => {
    const shard = report.shard as ShardSection;
    if (shard.count !== first.count) throw new MergeMismatch(`${nameOf(i)} is shard ${shard.index} of ${shard.count}, ${nameOf(sharded)} one of ${first.count}: they are parts of different jobs`);
    if (shard.fingerprint !== null && shard.fingerprint !== fingerprint) {
      throw new MergeMismatch(`${nameOf(i)} and ${nameOf(printed)} have different job fingerprints: they are shards of different jobs (model, spec, options or inputs differ)`);
    }
    const before = seen.get(shard.index);
    if (before !== undefined) throw new MergeMismatch(`shard ${shard.index} of ${shard.count} is given twice: ${nameOf(before)} and ${nameOf(i)}`);
    seen.set(shard.index, i);
  });
  const missing = Array.from({ length: first.count }, (_, index) => index).filter((index) => !seen.has(index));
  if (missing.length > 0) throw new MergeMismatch(`no report of shard ${missing.join(', ')} of ${first.count}: a merge of shards needs every shard's report (run the missing shard with --shard k/n)`);
}

function withMonitoring(merged: RunReport, reports: readonly RunReport[], baseline: ColumnStatsSet | undefined): RunReport {
  const { stats: _stats, drift: _drift, metrics: _metrics, groups: _groups, fairness: _fairness, evaluation: _evaluation, gates: _gates, ...rest } = merged;
  const statsParts = reports.map((r) => r.stats).filter((s) => s !== undefined);
  if (statsParts.length === 0) return rest;
  const stats: ColumnStatsSet = { features: mergeColumns(statsParts.map((s) => s.features)), predictions: mergeColumns(statsParts.map((s) => s.predictions)) };
  const evaluations = reports.map((r) => r.evaluation).filter((e) => e !== undefined);
  let evaluation = undefined;
  if (evaluations.length > 0) {
    evaluation = structuredClone(evaluations[0]);
    for (const other of evaluations.slice(1)) mergeEvaluation(evaluation as NonNullable<typeof evaluation>, other);
  }
  const sections = monitoringOf(stats, evaluation);
  const baselinePath = reports[0]?.drift?.baseline;
  return { ...rest, ...sections, ...(baseline !== undefined && baselinePath !== undefined ? { drift: computeDrift(baselinePath, baseline, stats) } : {}) };
}

function mergeColumns(parts: readonly Readonly<Record<string, ColumnSummary>>[]): Record<string, ColumnSummary> {
  const merged: Record<string, ColumnSummary> = {};
  for (const part of parts) {
    for (const [name, summary] of Object.entries(part)) {
      const seen = merged[name];
      merged[name] = seen === undefined ? summary : mergeSummaries(seen, summary);
    }
  }
  return merged;
}
