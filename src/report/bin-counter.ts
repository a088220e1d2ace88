// Report: exact counts of a column's values over a baseline's bin edges, cheap per value.

/** Cells of the lookup grid between the first and the last edge. */
const GRID_CELLS = 512;

/**
 * Counts values into bins: bin j holds values in (edges[j-1], edges[j]], the first and last open-ended,
 * so a value's bin is the number of edges below it. A binary search over the edges costs a mispredicted
 * branch or two per value; instead a uniform grid between the first and the last edge gives, per cell,
 * a lower bound of the bin (from one cell lower, so float rounding cannot make it too high), and a
 * short scan up from it, usually zero steps, finds the exact bin.
 */
export class BinCounter {
  readonly edges: Float64Array;
  readonly counts: Float64Array;
  /** The grid: cell index = clamp((value - first) * scale + 1, 0, lowest.length - 1), truncated. */
  readonly first: number;
  readonly scale: number;
  readonly lowest: Int32Array;

  constructor(edges: readonly number[]) {
    this.edges = Float64Array.from(edges);
    this.counts = new Float64Array(edges.length + 1);
    const first = edges[0] ?? 0;
    const last = edges[edges.length - 1] ?? 0;
    this.first = first;
    this.scale = last > first ? GRID_CELLS / (last - first) : 0;
    this.lowest = new Int32Array(GRID_CELLS + 2);
    if (this.scale === 0) return;
    // Cell index i >= 1 starts at first + (i - 1) / scale; its bound is taken one cell lower.
    let below = 0;
    for (let i = 1; i < this.lowest.length; i++) {
      const bound = first + (i - 2) / this.scale;
      while (below < edges.length && (edges[below] as number) < bound) below++;
      this.lowest[i] = below;
    }
  }

  /**
   * Counts the finite values of `values[0..rows)` whose null flag is not set: a loop of its own with
   * the grid in locals (looked up per value from inside the statistics loop, the same work took
   * several times longer in the W1 bench's profile).
   */
  countAll(values: ArrayLike<number>, rows: number, nulls: Uint8Array | undefined): void {
    const { edges, counts, lowest, first, scale } = this;
    const edgeCount = edges.length;
    const lastCell = lowest.length - 1;
    for (let i = 0; i < rows; i++) {
      const value = values[i] as number;
      if (value - value !== 0 || (nulls !== undefined && nulls[i] === 1)) continue;
      const cell = (value - first) * scale + 1;
      let bin = lowest[cell <= 0 ? 0 : cell >= lastCell ? lastCell : cell | 0] as number;
      while (bin < edgeCount && value > (edges[bin] as number)) bin++;
      counts[bin] = (counts[bin] as number) + 1;
    }
  }
}
