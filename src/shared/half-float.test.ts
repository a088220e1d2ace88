import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fromFloat16Bits, toFloat16Bits } from './half-float.js';

// numpy's astype(float16) on float64 values, and astype(float64) on float16 bits (fixtures/float16/make_float16.py).
const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../../../fixtures/float16/conversions.json', import.meta.url)), 'utf8')) as {
  encode: [string, number][];
  decode: [number, string][];
};
const double = (hex: string): number => Buffer.from(hex, 'hex').readDoubleLE(0);

describe('float16 conversion', () => {
  it('rounds float64 to float16 bit for bit as numpy does, ties to even, overflow as -1', () => {
    assert.ok(fixture.encode.length > 1000);
    for (const [hex, expected] of fixture.encode) {
      const value = double(hex);
      const got = toFloat16Bits(value);
      // numpy turns a finite value past 65504 (after rounding) into infinity; the tool calls it an overflow.
      const want = Number.isFinite(value) && (expected & 0x7fff) === 0x7c00 ? -1 : expected;
      assert.equal(got, want, `${value}: got 0x${got.toString(16)}, numpy 0x${expected.toString(16)}`);
    }
  });

  it('decodes float16 bits to the same numbers as numpy', () => {
    for (const [half, hex] of fixture.decode) {
      const expected = double(hex);
      assert.ok(Object.is(fromFloat16Bits(half), expected) || (Number.isNaN(expected) && Number.isNaN(fromFloat16Bits(half))), `0x${half.toString(16)}`);
    }
  });

  it('every float16 but NaN survives decoding (through float32, as outputs are written) and encoding again', () => {
    for (let half = 0; half < 0x10000; half++) {
      if ((half & 0x7c00) === 0x7c00 && (half & 0x3ff) !== 0) continue;
      assert.equal(toFloat16Bits(Math.fround(fromFloat16Bits(half))), half);
    }
  });
});
