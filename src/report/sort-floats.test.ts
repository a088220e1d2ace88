import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sortFloats } from './sort-floats.js';
import { lcgUniform } from '../../test/helpers/exact-ranks.js';

/** Sorts a copy both ways and compares them value by value (Object.is: -0 and +0 apart). */
function assertSortsAsBuiltIn(values: Float64Array, label: string): void {
  const expected = Float64Array.from(values).sort();
  const actual = Float64Array.from(values);
  sortFloats(actual);
  for (let i = 0; i < values.length; i++) assert.ok(Object.is(actual[i], expected[i]), `${label}: at ${i} ${actual[i]} where the built-in sort has ${expected[i]}`);
}

const SPECIAL = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, 2.2250738585072014e-308, -2.2250738585072014e-308, 1.401298464324817e-45, -1.401298464324817e-45, 3.4028234663852886e38, -3.4028234663852886e38, 1.7976931348623157e308, -1.7976931348623157e308, 1, -1, 1 + Number.EPSILON, 1 - Number.EPSILON / 2];

describe('sortFloats', () => {
  it('orders as Float64Array.prototype.sort: doubles of every magnitude and sign, -0 before +0, infinities, subnormals, repeats', () => {
    const random = lcgUniform(3, 400_000);
    let next = 0;
    for (let trial = 0; trial < 60; trial++) {
      const length = trial < 4 ? trial : Math.floor((random[next++] as number) * 3000);
      const values = Float64Array.from({ length }, () => {
        const u = random[next++] as number;
        const v = random[next++] as number;
        // Wide magnitudes, a few repeats and specials.
        return v < 0.05 ? (SPECIAL[Math.floor(u * SPECIAL.length)] as number) : v < 0.1 ? Math.round(u * 4) - 2 : (u - 0.5) * 10 ** (v * 40 - 20);
      });
      assertSortsAsBuiltIn(values, `doubles, trial ${trial}`);
    }
  });

  it('orders values that all fit a float32 (the 32-bit path) as the built-in sort does', () => {
    const random = lcgUniform(5, 200_000);
    let next = 0;
    for (let trial = 0; trial < 40; trial++) {
      const values = Float64Array.from({ length: 2048 }, () => {
        const u = random[next++] as number;
        const v = random[next++] as number;
        return v < 0.05 ? Math.fround(SPECIAL[Math.floor(u * SPECIAL.length)] as number) : Math.fround((u - 0.5) * 10 ** (v * 20 - 10));
      });
      assertSortsAsBuiltIn(values, `float32 values, trial ${trial}`);
    }
    // Four-decimal values as a CSV holds them, read as float32: the low bytes of the keys vary little.
    assertSortsAsBuiltIn(Float64Array.from(random.subarray(0, 5000), (u) => Math.fround(Math.round((u - 0.5) * 8e4) / 1e4)), 'four decimals');
  });

  it('orders doubles that share float32 roundings: a few (four decimals as text holds them), many (timestamps in milliseconds, 1 + k ulp)', () => {
    const random = lcgUniform(9, 20_000);
    assertSortsAsBuiltIn(Float64Array.from(random.subarray(0, 2048), (u) => Math.round((u - 0.5) * 8e4) / 1e4), 'four decimals as doubles');
    assertSortsAsBuiltIn(Float64Array.from(random.subarray(2048, 4096), (u, i) => 1.7e12 + i * 1000 + Math.floor(u * 1e6)), 'timestamps');
    assertSortsAsBuiltIn(Float64Array.from(random.subarray(4096, 6144), (u) => 1 + Math.floor(u * 500) * Number.EPSILON), '1 + k ulp');
    // A few values in each rounding, in a larger array: the insertion pass finishes them.
    assertSortsAsBuiltIn(Float64Array.from(random.subarray(6144, 10144), (u, i) => Math.fround(i % 97) + (i % 3) * 1e-12 * (u - 0.5)), 'triples');
  });

  it('leaves NaN last, as the built-in sort does', () => {
    assertSortsAsBuiltIn(Float64Array.from([3, Number.NaN, -1, 0.5, Number.NaN, -0]), 'with NaN');
  });
});
