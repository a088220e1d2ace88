// Report: per-column statistics updated chunk by chunk in the scoring pass, in memory that does not grow with rows.
import type { Column } from '../shared/chunk.js';
import { BinCounter } from './bin-counter.js';
import { QuantileSketch, type SketchState } from './quantile-sketch.js';
import { InternalError } from '../errors.js';

/** The quantiles every numeric summary lists, by name. */
export const QUANTILES = { p1: 0.01, p5: 0.05, p25: 0.25, p50: 0.5, p75: 0.75, p95: 0.95, p99: 0.99 } as const;
type QuantileName = keyof typeof QUANTILES;
const HISTOGRAM_BINS = 20;
/** Categories tracked exactly per column (Misra-Gries beyond that: counts become lower bounds). */
const CATEGORY_CAPACITY = 100;

/** Counts over fixed bins: `counts[j]` holds values in (edges[j-1], edges[j]], the first and last bins open-ended. */
export interface BinCounts {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

/** A numeric column. `count` is every row seen; mean, std (population), min, max and quantiles are over finite values. */
export interface NumericSummary {
  readonly kind: 'numeric';
  readonly count: number;
  readonly nulls: number;
  readonly nan: number;
  readonly infinite: number;
  readonly mean: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly quantiles: Readonly<Record<QuantileName, number | null>>;
  /** Equal-width bins from min to max (counts from the sketch). */
  readonly histogram: BinCounts;
  /** Exact counts over a baseline's bins, when scored with --baseline. */
  readonly baseline_bins?: BinCounts;
  readonly sketch: SketchState;
}

/** A string or label column: the most frequent categories and the rest. */
export interface CategoricalSummary {
  readonly kind: 'categorical';
  readonly count: number;
  readonly nulls: number;
  /** Tracked categories, most frequent first. */
  readonly categories: readonly { readonly value: string; readonly count: number }[];
  /** Non-null values not in `categories`. */
  readonly other_count: number;
  readonly other_share: number;
}

export type ColumnSummary = NumericSummary | CategoricalSummary;

/** Accumulates one column's statistics over chunks. */
export interface ColumnStats {
  observe(column: Column, rows: number): void;
  summary(): ColumnSummary;
}

/** Statistics of a numeric column; with `binEdges` (a baseline's), also exact counts over those bins. */
export class NumericStats implements ColumnStats {
  private count = 0;
  private nulls = 0;
  private nan = 0;
  private infinite = 0;
  private finite = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private readonly sketch = new QuantileSketch();
  private readonly bins: BinCounter | undefined;

  constructor(binEdges?: readonly number[]) {
    this.bins = binEdges === undefined ? undefined : new BinCounter(binEdges);
  }

  observe(column: Column, rows: number): void {
    if (column.type === 'string' || column.type === 'tensor') throw new InternalError('NumericStats observes numeric columns');
    const values: ArrayLike<number> = column.type === 'int64' ? Float64Array.from(column.values.subarray(0, rows), Number) : column.values;
    const nulls = column.nulls;
    // One pass: counts, extremes and sums of deviations from a shift. The shift is the mean so
    // far (the chunk's first finite value for the first chunk), so the sums stay small and the
    // variance does not lose digits to cancellation.
    const shift = this.finite > 0 ? this.mean : firstFinite(values, rows, nulls);
    let finite = 0;
    let sum = 0;
    let squares = 0;
    let min = this.min;
    let max = this.max;
    let nullCount = 0;
    let nanCount = 0;
    const bins = this.bins;
    for (let i = 0; i < rows; i++) {
      if (nulls !== undefined && nulls[i] === 1) {
        nullCount++;
        continue;
      }
      const value = values[i] as number;
      if (value - value !== 0) {
        if (value !== value) nanCount++;
        continue;
      }
      finite++;
      const d = value - shift;
      sum += d;
      squares += d * d;
      if (value < min) min = value;
      if (value > max) max = value;
      // In this loop rather than a second pass over the column: about a quarter less time for both.
      bins?.add(value);
    }
    this.count += rows;
    this.nulls += nullCount;
    this.nan += nanCount;
    this.infinite += rows - nullCount - nanCount - finite;
    this.min = min;
    this.max = max;
    if (finite === 0) return;
    // Chan et al.: the chunk's mean and squared deviations, merged into the running ones.
    const chunkMean = shift + sum / finite;
    const chunkM2 = Math.max(0, squares - (sum * sum) / finite);
    const total = this.finite + finite;
    const delta = chunkMean - this.mean;
    this.m2 += chunkM2 + (delta * delta * this.finite * finite) / total;
    this.mean += (delta * finite) / total;
    this.finite = total;
    this.sketch.addAll(values, rows, nulls);
  }

  summary(): NumericSummary {
    return numericSummary({
      count: this.count,
      nulls: this.nulls,
      nan: this.nan,
      infinite: this.infinite,
      finite: this.finite,
      mean: this.mean,
      m2: this.m2,
      min: this.min,
      max: this.max,
      sketch: this.sketch,
      baseline_bins: this.bins === undefined ? undefined : { edges: Array.from(this.bins.edges), counts: Array.from(this.bins.counts) },
    });
  }
}

function firstFinite(values: ArrayLike<number>, rows: number, nulls: Uint8Array | undefined): number {
  for (let i = 0; i < rows; i++) {
    const value = values[i] as number;
    if (value - value === 0 && (nulls === undefined || nulls[i] !== 1)) return value;
  }
  return 0;
}

interface NumericParts {
  readonly count: number;
  readonly nulls: number;
  readonly nan: number;
  readonly infinite: number;
  readonly finite: number;
  readonly mean: number;
  readonly m2: number;
  readonly min: number;
  readonly max: number;
  readonly sketch: QuantileSketch;
  readonly baseline_bins: BinCounts | undefined;
}

function numericSummary(parts: NumericParts): NumericSummary {
  const { finite, sketch } = parts;
  const empty = finite === 0;
  const cdf = sketch.cdfFunction();
  const quantiles = Object.fromEntries(Object.entries(QUANTILES).map(([name, q]) => [name, empty ? null : clamp(sketch.quantile(q), parts)])) as Record<QuantileName, number | null>;
  return {
    kind: 'numeric',
    count: parts.count,
    nulls: parts.nulls,
    nan: parts.nan,
    infinite: parts.infinite,
    mean: empty ? null : parts.mean,
    std: empty ? null : Math.sqrt(parts.m2 / finite),
    min: empty ? null : parts.min,
    max: empty ? null : parts.max,
    quantiles,
    histogram: empty ? { edges: [], counts: [] } : histogramOf(parts.min, parts.max, finite, cdf),
    ...(parts.baseline_bins === undefined ? {} : { baseline_bins: parts.baseline_bins }),
    sketch: sketch.toState(),
  };
}

function clamp(value: number | null, { min, max }: { min: number; max: number }): number | null {
  return value === null ? null : Math.min(max, Math.max(min, value));
}

/** Equal-width bins over [min, max], the counts read from a CDF so they add up to `total`. */
export function histogramOf(min: number, max: number, total: number, cdf: (x: number) => number, bins = HISTOGRAM_BINS): BinCounts {
  const width = (max - min) / bins;
  if (!(width > 0)) return { edges: [min, max], counts: [total] };
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const below = edges.map((edge, i) => (i === 0 ? 0 : i === bins ? total : Math.round(total * cdf(edge))));
  return { edges, counts: below.slice(1).map((value, i) => Math.max(0, value - (below[i] as number))) };
}

/** Merges two numeric summaries (of disjoint rows) exactly, but for the sketch's own error. */
export function mergeNumeric(a: NumericSummary, b: NumericSummary): NumericSummary {
  const finiteA = a.count - a.nulls - a.nan - a.infinite;
  const finiteB = b.count - b.nulls - b.nan - b.infinite;
  const finite = finiteA + finiteB;
  const meanA = a.mean ?? 0;
  const meanB = b.mean ?? 0;
  const delta = meanB - meanA;
  const m2 = (a.std ?? 0) ** 2 * finiteA + (b.std ?? 0) ** 2 * finiteB + (finite === 0 ? 0 : (delta * delta * finiteA * finiteB) / finite);
  const sketch = QuantileSketch.fromState(a.sketch);
  sketch.merge(b.sketch);
  const bins = a.baseline_bins !== undefined && b.baseline_bins !== undefined ? { edges: a.baseline_bins.edges, counts: a.baseline_bins.counts.map((count, i) => count + (b.baseline_bins?.counts[i] ?? 0)) } : undefined;
  return numericSummary({
    count: a.count + b.count,
    nulls: a.nulls + b.nulls,
    nan: a.nan + b.nan,
    infinite: a.infinite + b.infinite,
    finite,
    mean: finite === 0 ? 0 : (meanA * finiteA + meanB * finiteB) / finite,
    m2,
    min: Math.min(a.min ?? Infinity, b.min ?? Infinity),
    max: Math.max(a.max ?? -Infinity, b.max ?? -Infinity),
    sketch,
    baseline_bins: bins,
  });
}

/** Statistics of a string or label column: exact counts for up to CATEGORY_CAPACITY categories (Misra-Gries beyond). */
export class CategoricalStats implements ColumnStats {
  private count = 0;
  private nulls = 0;
  private readonly counts = new Map<string | number | bigint, number>();

  observe(column: Column, rows: number): void {
    this.count += rows;
    const counts = this.counts;
    const nulls = column.type === 'string' ? undefined : column.nulls;
    const values = column.values as ArrayLike<string | number | bigint | null>;
    for (let i = 0; i < rows; i++) {
      const value = values[i];
      if (value === null || value === undefined || (nulls !== undefined && nulls[i] === 1)) {
        this.nulls++;
        continue;
      }
      const seen = counts.get(value);
      if (seen !== undefined) counts.set(value, seen + 1);
      else if (counts.size < CATEGORY_CAPACITY) counts.set(value, 1);
      else decrementAll(counts);
    }
  }

  summary(): CategoricalSummary {
    const merged = new Map<string, number>();
    for (const [value, count] of this.counts) merged.set(String(value), (merged.get(String(value)) ?? 0) + count);
    return categoricalSummary(this.count, this.nulls, merged);
  }
}

function decrementAll(counts: Map<unknown, number>): void {
  for (const [value, count] of counts) {
    if (count <= 1) counts.delete(value);
    else counts.set(value, count - 1);
  }
}

function categoricalSummary(count: number, nulls: number, counts: ReadonlyMap<string, number>): CategoricalSummary {
  const categories = [...counts]
    .map(([value, n]) => ({ value, count: n }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, CATEGORY_CAPACITY);
  const tracked = categories.reduce((sum, category) => sum + category.count, 0);
  const other_count = count - nulls - tracked;
  return { kind: 'categorical', count, nulls, categories, other_count, other_share: count - nulls === 0 ? 0 : other_count / (count - nulls) };
}

/** Merges two categorical summaries (of disjoint rows). */
export function mergeCategorical(a: CategoricalSummary, b: CategoricalSummary): CategoricalSummary {
  const counts = new Map<string, number>();
  for (const { value, count } of [...a.categories, ...b.categories]) counts.set(value, (counts.get(value) ?? 0) + count);
  return categoricalSummary(a.count + b.count, a.nulls + b.nulls, counts);
}

/** Merges two summaries of the same column. */
export function mergeSummaries(a: ColumnSummary, b: ColumnSummary): ColumnSummary {
  if (a.kind === 'numeric' && b.kind === 'numeric') return mergeNumeric(a, b);
  if (a.kind === 'categorical' && b.kind === 'categorical') return mergeCategorical(a, b);
  throw new InternalError('cannot merge a numeric summary with a categorical one');
}
