import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinCounter } from './bin-counter.js';
import { NumericStats } from './column-stats.js';

/** The definition: a value's bin is the number of edges strictly below it. */
function binByDefinition(edges: readonly number[], value: number): number {
  return edges.filter((edge) => edge < value).length;
}

/** The bin `add` puts one value in. */
function binOf(counter: BinCounter, value: number): number {
  const before = Array.from(counter.counts);
  counter.add(value);
  return before.findIndex((count, bin) => counter.counts[bin] !== count);
}

describe('BinCounter', () => {
  it('puts every value in the bin the definition gives, on edges, between them and beyond them', () => {
    const cases = [[-2, -1.3, -0.8, -0.4, 0, 0.4, 0.8, 1.3, 2], [0.1, 0.1000001, 5, 1e6], [3], [], [-1e-300, 0, 1e-300], [1e15, 1e15 + 2, 1e15 + 4], [5e-324, 1e-323], [-1e308, 1e308], Array.from({ length: 200 }, (_, k) => k / 7 - 3), [-8e307, -1e307]];
    let state = 7;
    const random = (): number => (state = (Math.imul(1664525, state) + 1013904223) >>> 0) / 4294967296;
    for (const edges of cases) {
      const counter = new BinCounter(edges);
      const span = Math.max(1, Math.abs(edges[0] ?? 1), Math.abs(edges[edges.length - 1] ?? 1));
      const values = [...edges, ...edges.map((edge) => edge + Number.EPSILON * Math.abs(edge)), ...edges.map((edge) => edge - Number.EPSILON * Math.abs(edge)), -1e308, 1e308, 0];
      for (let i = 0; i < 20000; i++) values.push((random() * 2.4 - 1.2) * span);
      for (const value of values) assert.equal(binOf(counter, value), binByDefinition(edges, value), `edges ${edges.join(',')} value ${value}`);
    }
  });

  it('counts a column by the definition in its statistics, skipping nulls, NaN and infinities', () => {
    const edges = [-1, 0, 0.5, 2];
    const values = new Float64Array([-3, -1, -0.5, 0, 0.25, 0.5, 1, 2, 2.5, Number.NaN, Infinity, -Infinity, 7, 0.1]);
    const nulls = new Uint8Array(values.length);
    nulls[12] = 1;
    const stats = new NumericStats(edges);
    stats.observe({ type: 'float64', values, nulls }, values.length - 1);
    const expected = new Array<number>(edges.length + 1).fill(0);
    for (const value of values.subarray(0, 12)) if (Number.isFinite(value)) (expected[binByDefinition(edges, value)] as number)++;
    assert.deepEqual(stats.summary().baseline_bins?.counts, expected);
    assert.deepEqual(expected, [2, 2, 2, 2, 1]);
  });
});
