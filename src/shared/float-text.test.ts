import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_NUMBER_BYTES, writeFloat32, writeFloat64 } from './float-text.js';

const out = new Uint8Array(MAX_NUMBER_BYTES);
const text = (write: typeof writeFloat32, value: number): string => Buffer.from(out.subarray(0, write(value, out, 0))).toString('latin1');

/**
 * The reference: the shortest number of significant digits whose decimal (as toPrecision rounds
 * it, or at a power of two one step up or down) reads back as the float32, walked from 6 digits
 * as the writer does, printed by String().
 */
function reference(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value) || value === 0) return Object.is(value, -0) ? '-0' : String(value);
  const at = (digits: number): number | undefined => {
    const nearest = Number(value.toPrecision(digits));
    if (Math.fround(nearest) === value) return nearest;
    if (!Number.isInteger(Math.log2(Math.abs(value)))) return undefined;
    const [mantissa = '', exponent = '0'] = value.toExponential(digits - 1).split('e');
    const scaled = BigInt(mantissa.replace('.', ''));
    for (const candidate of [scaled + 1n, scaled - 1n]) {
      const decimal = Number(`${candidate}e${Number(exponent) - (digits - 1)}`);
      if (Math.fround(decimal) === value) return decimal;
    }
    return undefined;
  };
  let digits = 6;
  let best = at(digits);
  if (best !== undefined) {
    for (let fewer = digits - 1; fewer >= 1; fewer--) {
      const shorter = at(fewer);
      if (shorter === undefined) break;
      best = shorter;
    }
  }
  while (best === undefined && digits < 9) best = at(++digits);
  return String(best);
}

/** A small seeded generator (xorshift32), so a failure can be replayed. */
function bitPatterns(seed: number, count: number): Float32Array {
  const bits = new Uint32Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bits[i] = state >>> 0;
  }
  return new Float32Array(bits.buffer);
}

describe('writeFloat32', () => {
  it('writes what the string-based method writes, for random float32 bit patterns', () => {
    for (const value of bitPatterns(0x9e3779b9, 200_000)) assert.equal(text(writeFloat32, value), reference(value), `bits of ${value}`);
  });

  it('writes what the string-based method writes for every power of two, and next to powers of ten', () => {
    for (let e = -149; e <= 127; e++) {
      const power = Math.fround(2 ** e);
      for (const value of [power, -power]) assert.equal(text(writeFloat32, value), reference(value), `2^${e}`);
    }
    for (let e = -45; e <= 38; e++) {
      for (const m of [1, 1.5, 2.5, 9.999999, 9.9999999, 1.0000001]) {
        const value = Math.fround(m * 10 ** e);
        if (Number.isFinite(value)) assert.equal(text(writeFloat32, value), reference(value), `${m}e${e}`);
      }
    }
  });

  it('writes typical model outputs: probabilities, and decimals with few digits', () => {
    for (const value of bitPatterns(12345, 50_000)) {
      const probability = Math.fround(Math.abs(value) % 1);
      assert.equal(text(writeFloat32, probability), reference(probability));
    }
    for (let i = -20_000; i <= 20_000; i += 7) {
      const value = Math.fround(i / 1000);
      assert.equal(text(writeFloat32, value), reference(value));
    }
  });

  it('keeps the notation of String(): plain from 1e-7 to 1e21, scientific outside', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'],
      [1 / 3, '0.33333334'],
      [123456.7, '123456.7'],
      [1e-7, '1e-7'],
      [1.5e-7, '1.5e-7'],
      [2e-6, '0.000002'],
      [16777216, '16777216'],
      [1e20, '100000000000000000000'],
      [1e21, '1e+21'],
      [3.4e38, '3.4e+38'],
      [-2.5, '-2.5'],
      [1.4e-45, '1e-45'],
    ];
    for (const [value, expected] of cases) assert.equal(text(writeFloat32, Math.fround(value)), expected, String(value));
  });

  it('writes NaN, the infinities and both zeros', () => {
    assert.equal(text(writeFloat32, Number.NaN), 'NaN');
    assert.equal(text(writeFloat32, Number.POSITIVE_INFINITY), 'Infinity');
    assert.equal(text(writeFloat32, Number.NEGATIVE_INFINITY), '-Infinity');
    assert.equal(text(writeFloat32, 0), '0');
    assert.equal(text(writeFloat32, -0), '-0');
  });

  it('writes at the position given and returns the position after the text', () => {
    const buffer = new Uint8Array(40).fill(0x78);
    const end = writeFloat32(Math.fround(0.25), buffer, 5);
    assert.equal(end, 9);
    assert.equal(Buffer.from(buffer.subarray(4, 10)).toString('latin1'), 'x0.25x');
  });
});

describe('writeFloat64', () => {
  it('writes String(value), with the sign of -0 and NaN spelled out', () => {
    for (const value of [0.1, 1 / 3, 1e21, -1e-7, 123, Number.MAX_VALUE, Number.MIN_VALUE]) assert.equal(text(writeFloat64, value), String(value));
    assert.equal(text(writeFloat64, -0), '-0');
    assert.equal(text(writeFloat64, Number.NaN), 'NaN');
  });
});
