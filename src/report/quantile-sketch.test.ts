import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuantileSketch } from './quantile-sketch.js';
import { lcgUniform as uniform, worstRankError } from '../../test/helpers/exact-ranks.js';

function feed(sketch: QuantileSketch, values: Float64Array): void {
  for (let start = 0; start < values.length; start += 5000) sketch.addAll(values.subarray(start, start + 5000), Math.min(5000, values.length - start));
}

describe('QuantileSketch', () => {
  it('is exact up to 1,024 values: every quantile is a value at its exact rank', () => {
    const values = uniform(3, 1000);
    const sketch = new QuantileSketch();
    feed(sketch, values);
    const sorted = values.slice().sort();
    for (let k = 1; k < 100; k++) assert.equal(sketch.quantile(k / 100), sorted[Math.ceil((k / 100) * 1000) - 1]);
  });

  it('1,000,000 values: within 1% in rank, a few thousand items held, each level sorted', () => {
    const values = uniform(11, 1_000_000).map((u) => u * u * 10);
    const sketch = new QuantileSketch();
    feed(sketch, values);
    assert.ok(worstRankError((q) => sketch.quantile(q), values) < 0.01);
    const state = sketch.toState();
    assert.equal(state.n, 1_000_000);
    assert.ok(state.levels.reduce((sum, level) => sum + level.length, 0) < 4000);
    for (const level of state.levels) for (let i = 1; i < level.length; i++) assert.ok((level[i - 1] as number) <= (level[i] as number));
  });

  it('merges: two halves give the whole within 1% in rank, also from a stored state with unsorted levels', () => {
    const values = uniform(5, 400_000);
    const a = new QuantileSketch(1);
    const b = new QuantileSketch(2);
    feed(a, values.subarray(0, 200_000));
    feed(b, values.subarray(200_000));
    const state = b.toState();
    // Reports written before the levels were kept sorted: the same items, in any order.
    a.merge({ ...state, levels: state.levels.map((level) => [...level].reverse()) });
    assert.equal(a.count, 400_000);
    assert.ok(worstRankError((q) => a.quantile(q), values) < 0.01);
  });

  it('skips NaN, infinities and nulls but counts them in n', () => {
    const sketch = new QuantileSketch();
    sketch.addAll(Float64Array.from([1, Number.NaN, 2, Infinity, 3]), 5, Uint8Array.from([0, 0, 0, 0, 1]));
    assert.equal(sketch.count, 5);
    assert.equal(sketch.quantile(1), 2);
    assert.equal(sketch.cdf(1), 0.5);
  });

  it('largest CDF gap (KS): the largest |cdf_a(x) - cdf_b(x)| over every point either sketch holds', () => {
    const bruteForce = (a: QuantileSketch, b: QuantileSketch): number => {
      const points = new Set([...a.toState().levels.flat(), ...b.toState().levels.flat()]);
      return Math.max(0, ...[...points].map((x) => Math.abs(a.cdf(x) - b.cdf(x))));
    };
    // Sampled levels, ties within and across the sketches (values on a grid), and empty sketches.
    const grid = (seed: number, n: number, shift: number): Float64Array => uniform(seed, n).map((u) => Math.round(u * 50) / 10 + shift);
    const pairs: [Float64Array, Float64Array][] = [
      [grid(1, 300_000, 0), grid(2, 200_000, 0.3)],
      [grid(3, 500, 0), grid(4, 700, 0)],
      [uniform(5, 50_000), uniform(6, 80_000).map((u) => u * 1.2)],
      [new Float64Array(0), uniform(7, 100)],
    ];
    for (const [valuesA, valuesB] of pairs) {
      const a = new QuantileSketch(1);
      const b = new QuantileSketch(2);
      feed(a, valuesA);
      feed(b, valuesB);
      assert.equal(QuantileSketch.largestCdfGap(a, b), bruteForce(a, b));
      assert.equal(QuantileSketch.largestCdfGap(b, a), bruteForce(b, a));
    }
  });
});
