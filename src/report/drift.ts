// Report: drift of a run's columns against a baseline's (PSI over the baseline's bins, Kolmogorov-Smirnov, null share).
import type { CategoricalSummary, ColumnSummary, NumericSummary } from './column-stats.js';
import { QuantileSketch } from './quantile-sketch.js';

/** PSI at or above `warn` is worth a look, at or above `alert` the population has shifted (common practice). */
export const PSI_THRESHOLDS = { warn: 0.1, alert: 0.25 } as const;
/** An empty bin's share is floored at this, so PSI stays finite (a bin that empties still counts heavily). */
const EMPTY_SHARE = 1e-4;
/** Baseline deciles bound the PSI bins of a numeric column. */
const PSI_BINS = 10;

export type DriftStatus = 'ok' | 'warn' | 'alert';

export interface DriftEntry {
  readonly kind: 'numeric' | 'categorical';
  readonly psi: number | null;
  /** Kolmogorov-Smirnov statistic (numeric columns; null for categoricals). */
  readonly ks: number | null;
  /** Share of missing values now minus in the baseline. */
  readonly null_share_change: number;
  readonly status: DriftStatus;
  /** The PSI bins (baseline deciles, or categories and the rest) with each side's shares, for charts. */
  readonly bins: { readonly labels: readonly string[]; readonly baseline: readonly number[]; readonly current: readonly number[] } | null;
}

/** Columns as profiled: model input features and prediction columns. */
export interface ColumnStatsSet {
  readonly features: Readonly<Record<string, ColumnSummary>>;
  readonly predictions: Readonly<Record<string, ColumnSummary>>;
}

export interface DriftReport {
  /** Where the baseline came from (the --baseline path). */
  readonly baseline: string;
  readonly thresholds: typeof PSI_THRESHOLDS;
  readonly features: Readonly<Record<string, DriftEntry>>;
  readonly predictions: Readonly<Record<string, DriftEntry>>;
  /** Largest PSI over features and predictions; null when nothing was compared. */
  readonly max_psi: number | null;
  /** Baseline columns that this run did not have. */
  readonly missing: readonly string[];
}

/** The interior bin edges a run counts a numeric column over: the baseline's deciles, without repeats. */
export function psiEdges(baseline: NumericSummary): number[] {
  if (baseline.sketch.n === 0) return [];
  const sketch = QuantileSketch.fromState(baseline.sketch);
  const edges: number[] = [];
  for (let i = 1; i < PSI_BINS; i++) {
    const edge = sketch.quantile(i / PSI_BINS) as number;
    if (edges[edges.length - 1] !== edge) edges.push(edge);
  }
  return edges;
}

/** Population Stability Index of `actual` against `expected` shares (each adding up to 1). */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  let total = 0;
  expected.forEach((e, i) => {
    const a = Math.max(actual[i] ?? 0, EMPTY_SHARE);
    const b = Math.max(e, EMPTY_SHARE);
    total += (a - b) * Math.log(a / b);
  });
  // Equal shares computed two ways differ in the last bits: that is no drift.
  return total < 1e-12 ? 0 : total;
}

/** Kolmogorov-Smirnov statistic: the largest gap between two CDFs, checked at every point either sketch holds. */
export function ksStatistic(a: QuantileSketch, b: QuantileSketch): number {
  return QuantileSketch.largestCdfGap(a, b);
}

function statusOf(value: number | null): DriftStatus {
  if (value === null) return 'ok';
  return value >= PSI_THRESHOLDS.alert ? 'alert' : value >= PSI_THRESHOLDS.warn ? 'warn' : 'ok';
}

function nullShare(summary: ColumnSummary): number {
  return summary.count === 0 ? 0 : summary.nulls / summary.count;
}

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return counts.map((count) => (total === 0 ? 0 : count / total));
}

/** Drift of one numeric column: PSI over the baseline's decile bins (exact counts when the run counted them), KS from the sketches. */
export function numericDrift(baseline: NumericSummary, current: NumericSummary): DriftEntry {
  const base = QuantileSketch.fromState(baseline.sketch);
  const now = QuantileSketch.fromState(current.sketch);
  const nullChange = nullShare(current) - nullShare(baseline);
  if (base.count === 0 || now.count === 0) return { kind: 'numeric', psi: null, ks: null, null_share_change: nullChange, status: 'ok', bins: null };
  const edges = current.baseline_bins?.edges ?? psiEdges(baseline);
  const expected = binShares(edges, base.cdfFunction());
  const actual = current.baseline_bins === undefined ? binShares(edges, now.cdfFunction()) : shares(current.baseline_bins.counts);
  const value = psi(expected, actual);
  const labels = [...edges.map((edge) => `<= ${formatEdge(edge)}`), `> ${formatEdge(edges[edges.length - 1] ?? Number.NaN)}`];
  return { kind: 'numeric', psi: value, ks: ksStatistic(base, now), null_share_change: nullChange, status: statusOf(value), bins: { labels, baseline: expected, current: actual } };
}

function formatEdge(value: number): string {
  return Number.isNaN(value) ? 'all' : String(Number(value.toPrecision(4)));
}

function binShares(edges: readonly number[], cdf: (x: number) => number): number[] {
  const below = [0, ...edges.map(cdf), 1];
  return below.slice(1).map((value, i) => value - (below[i] as number));
}

/** Drift of one categorical column: PSI over the categories of both (a category unseen in the baseline counts), plus the rest. */
export function categoricalDrift(baseline: CategoricalSummary, current: CategoricalSummary): DriftEntry {
  const names = [...new Set([...baseline.categories.map((c) => c.value), ...current.categories.map((c) => c.value)])];
  const countsOf = (summary: CategoricalSummary): number[] => {
    const byName = new Map(summary.categories.map((c) => [c.value, c.count]));
    return [...names.map((name) => byName.get(name) ?? 0), summary.other_count];
  };
  const nonEmpty = baseline.count > baseline.nulls && current.count > current.nulls;
  const nullChange = nullShare(current) - nullShare(baseline);
  if (!nonEmpty) return { kind: 'categorical', psi: null, ks: null, null_share_change: nullChange, status: 'ok', bins: null };
  const expected = shares(countsOf(baseline));
  const actual = shares(countsOf(current));
  const value = psi(expected, actual);
  return { kind: 'categorical', psi: value, ks: null, null_share_change: nullChange, status: statusOf(value), bins: { labels: [...names, '(other)'], baseline: expected, current: actual } };
}

function driftOf(baseline: ColumnSummary, current: ColumnSummary): DriftEntry | undefined {
  if (baseline.kind === 'numeric' && current.kind === 'numeric') return numericDrift(baseline, current);
  if (baseline.kind === 'categorical' && current.kind === 'categorical') return categoricalDrift(baseline, current);
  return undefined;
}

/** Compares every column the run and the baseline both have. */
export function computeDrift(baselinePath: string, baseline: ColumnStatsSet, current: ColumnStatsSet): DriftReport {
  const missing: string[] = [];
  const compare = (base: Readonly<Record<string, ColumnSummary>>, now: Readonly<Record<string, ColumnSummary>>): Record<string, DriftEntry> => {
    const entries: Record<string, DriftEntry> = {};
    for (const [name, summary] of Object.entries(base)) {
      const currentSummary = now[name];
      const entry = currentSummary === undefined ? undefined : driftOf(summary, currentSummary);
      if (entry === undefined) missing.push(name);
      else entries[name] = entry;
    }
    return entries;
  };
  const features = compare(baseline.features, current.features);
  const predictions = compare(baseline.predictions, current.predictions);
  const values = [...Object.values(features), ...Object.values(predictions)].map((entry) => entry.psi).filter((v): v is number => v !== null);
  return { baseline: baselinePath, thresholds: PSI_THRESHOLDS, features, predictions, max_psi: values.length === 0 ? null : Math.max(...values), missing };
}
