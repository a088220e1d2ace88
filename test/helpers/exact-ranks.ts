// Test helpers for sketches: the exact values a quantile sketch is checked against.

/**
 * Uniform values in [0, 1) from a 32-bit LCG. make_monitoring.py uses the same generator, and it is
 * exact in float64 on both sides, so numpy's results on it are goldens for ours.
 */
export function lcgUniform(seed: number, n: number): Float64Array {
  const out = new Float64Array(n);
  let state = seed >>> 0;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(1664525, state) + 1013904223) >>> 0;
    out[i] = state / 4294967296;
  }
  return out;
}

/** The exact rank of x: the share of `sorted` (ascending) at or below it. */
export function exactRank(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}

/** Largest |exact rank of quantile(q) - q| over q = 0.01 ... 0.99. */
export function worstRankError(quantile: (q: number) => number | null, values: Float64Array): number {
  const sorted = values.slice().sort();
  let worst = 0;
  for (let k = 1; k < 100; k++) worst = Math.max(worst, Math.abs(exactRank(sorted, quantile(k / 100) as number) - k / 100));
  return worst;
}
