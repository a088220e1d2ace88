// Report: exact counts of a column's values over a baseline's bin edges, cheap per value.

/** Cells of the lookup grid. */
const GRID_CELLS = 4096;

/**
 * Counts values into bins: bin j holds values in (edges[j-1], edges[j]] (edges ascending), the first
 * and last open-ended, so a value's bin is the number of edges below it. A search over the edges
 * costs mispredicted branches per value; instead a uniform grid over three times the edges' span (so
 * few values fall beyond it) guesses the bin in one lookup, and two comparisons with the bin's own
 * bounds confirm it. Only values in a cell that an edge crosses, or that float rounding put in a
 * neighbouring cell, miss and are placed by comparing them with the edges: exact either way.
 */
export class BinCounter {
  readonly edges: Float64Array;
  readonly counts: Float64Array;
  /** -Infinity, the edges, +Infinity: bin b is (bounds[b], bounds[b + 1]]. */
  private readonly bounds: Float64Array;
  /** Cell index = clamp(floor((value - start) * scale) + 1, 0, GRID_CELLS + 1). */
  private readonly start: number;
  private readonly scale: number;
  /** Per cell: the bin of the values in it (of its middle, for a cell an edge crosses). */
  private readonly cellBins = new Int32Array(GRID_CELLS + 2);

  constructor(edges: readonly number[]) {
    this.edges = Float64Array.from(edges);
    this.counts = new Float64Array(edges.length + 1);
    this.bounds = Float64Array.from([-Infinity, ...edges, Infinity]);
    const first = edges[0] ?? 0;
    const span = (edges[edges.length - 1] ?? 0) - first;
    this.start = first - span;
    const scale = GRID_CELLS / (3 * span);
    // One edge, equal edges, or a span too small for a grid: every value starts its search at bin 0.
    this.scale = span > 0 && Number.isFinite(scale) ? scale : 0;
    if (this.scale === 0) return;
    for (let cell = 1; cell <= GRID_CELLS; cell++) {
      const middle = this.start + (cell - 0.5) / this.scale;
      this.cellBins[cell] = this.edges.filter((edge) => edge < middle).length;
    }
    this.cellBins[GRID_CELLS + 1] = edges.length;
  }

  /** Counts the finite values of `values[0..rows)` whose null flag is not set. */
  countAll(values: ArrayLike<number>, rows: number, nulls: Uint8Array | undefined): void {
    const { edges, bounds, counts, cellBins, start, scale } = this;
    const top = GRID_CELLS + 1;
    for (let i = 0; i < rows; i++) {
      const value = values[i] as number;
      if (value - value !== 0 || (nulls !== undefined && nulls[i] === 1)) continue;
      const position = (value - start) * scale + 1;
      let bin = cellBins[position >= 1 ? (position < top ? position | 0 : top) : 0] as number;
      if (!(value > (bounds[bin] as number) && value <= (bounds[bin + 1] as number))) {
        bin = 0;
        while (bin < edges.length && value > (edges[bin] as number)) bin++;
      }
      counts[bin] = (counts[bin] as number) + 1;
    }
  }
}
