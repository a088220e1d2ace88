// Report: exact counts of a column's values over a baseline's bin edges, cheap per value.

/** Cells of the lookup grid. */
const GRID_CELLS = 4096;

/**
 * Counts values into bins: bin j holds values in (edges[j-1], edges[j]] (edges ascending), the first
 * and last open-ended, so a value's bin is the number of edges below it. A search over the edges
 * costs mispredicted branches per value; instead a uniform grid over three times the edges' span (so
 * few values fall beyond it) gives the bin in one lookup. Exact without any bound on rounding: a
 * value's cell is a non-decreasing function of the value (subtraction, multiplication by a positive
 * scale and floor all round monotonically), so a value in a cell below an edge's own cell is below
 * the edge and one in a cell above it is above it. A cell that holds no edge therefore holds one bin,
 * the number of edges in lower cells; only values in a cell that holds an edge (about one in a
 * hundred for a baseline's deciles) are compared with the edges.
 */
export class BinCounter {
  readonly edges: Float64Array;
  readonly counts: Float64Array;
  /** Cell index = clamp(floor((value - start) * scale) + 1, 0, GRID_CELLS + 1). */
  private readonly start: number;
  private readonly scale: number;
  /**
   * Per cell: its bin (>= 0) when no edge falls in it; else ~b (< 0), b the number of edges in lower
   * cells, where the search over the edges starts.
   */
  private readonly cellBins = new Int32Array(GRID_CELLS + 2);

  constructor(edges: readonly number[]) {
    this.edges = Float64Array.from(edges);
    this.counts = new Float64Array(edges.length + 1);
    const first = edges[0] ?? 0;
    const span = (edges[edges.length - 1] ?? 0) - first;
    this.start = first - span;
    const scale = GRID_CELLS / (3 * span);
    // One edge, equal edges, or a span too small or large for a grid: every value is searched from bin 0.
    this.scale = span > 0 && Number.isFinite(scale) && Number.isFinite(this.start) ? scale : 0;
    if (this.scale === 0) {
      this.cellBins.fill(~0);
      return;
    }
    // Edges ascending, so their cells too: one walk over the cells, counting the edges below each.
    let below = 0;
    for (let cell = 0; cell < this.cellBins.length; cell++) {
      let inCell = 0;
      while (below + inCell < edges.length && this.cellOf(edges[below + inCell] as number) === cell) inCell++;
      this.cellBins[cell] = inCell === 0 ? below : ~below;
      below += inCell;
    }
  }

  /** The grid cell of a finite value (the same arithmetic for edges and values, so the same rounding). */
  private cellOf(value: number): number {
    const position = (value - this.start) * this.scale + 1;
    return position >= 1 ? (position < GRID_CELLS + 1 ? position | 0 : GRID_CELLS + 1) : 0;
  }

  /** Counts one finite value (the statistics' loop calls it per value: one pass over a column for all its counts). */
  add(value: number): void {
    let bin = this.cellBins[this.cellOf(value)] as number;
    if (bin < 0) {
      const edges = this.edges;
      bin = ~bin;
      while (bin < edges.length && value > (edges[bin] as number)) bin++;
    }
    this.counts[bin] = (this.counts[bin] as number) + 1;
  }
}
