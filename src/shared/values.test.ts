import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatFloat32, formatFloat64, parseNumber } from './values.js';
import { mulberry32 } from '../../test/helpers/assertions.js';

/** `count` finite float32 values from random bit patterns (all exponents, subnormals included). */
function randomFloat32s(seed: number, count: number): number[] {
  const next = mulberry32(seed);
  const bits = new Uint32Array(1);
  const view = new Float32Array(bits.buffer);
  const values: number[] = [];
  while (values.length < count) {
    bits[0] = next();
    const value = view[0] as number;
    if (Number.isFinite(value)) values.push(value);
  }
  return values;
}

/** Significant decimal digits of a number's text ("1.50e-3" -> 2, "100" -> 1, "0.001" -> 1). */
function significantDigits(text: string): number {
  const mantissa = text.replace(/^[+-]/, '').split(/[eE]/)[0] ?? '';
  const digits = mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.max(digits.length, 1);
}

/** Fewest significant digits any decimal needs to read back (via Math.fround) as `value`. */
function shortestFloat32Digits(value: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const [mantissa = '', exponent = '0'] = value.toExponential(digits - 1).split('e');
    const scaled = BigInt(mantissa.replace('.', '').replace('-', ''));
    const sign = value < 0 ? '-' : '';
    // The nearest decimal of this length and its two neighbours cover every candidate that can round-trip.
    for (const candidate of [scaled - 1n, scaled, scaled + 1n]) {
      if (candidate <= 0n) continue;
      const text = `${sign}${candidate}e${Number(exponent) - (digits - 1)}`;
      if (Math.fround(Number(text)) === value) return digits;
    }
  }
  return 9;
}

describe('parseNumber', () => {
  it('reads integers and decimals', () => {
    assert.equal(parseNumber('0'), 0);
    assert.equal(parseNumber('42'), 42);
    assert.equal(parseNumber('3.25'), 3.25);
    assert.equal(parseNumber('.5'), 0.5);
    assert.equal(parseNumber('5.'), 5);
    assert.equal(parseNumber('007'), 7);
  });

  it('reads exponents in either case and with either sign', () => {
    assert.equal(parseNumber('1e3'), 1000);
    assert.equal(parseNumber('1E3'), 1000);
    assert.equal(parseNumber('2.5e-3'), 0.0025);
    assert.equal(parseNumber('2.5E+3'), 2500);
    assert.equal(parseNumber('.5e1'), 5);
  });

  it('reads leading + and - signs', () => {
    assert.equal(parseNumber('-1.5'), -1.5);
    assert.equal(parseNumber('+1.5'), 1.5);
    assert.ok(Object.is(parseNumber('-0'), -0));
  });

  it('ignores spaces and tabs around the number', () => {
    assert.equal(parseNumber('  12.5 '), 12.5);
    assert.equal(parseNumber('\t-3\t'), -3);
    assert.equal(parseNumber(' 1e2 '), 100);
  });

  it('reads NaN in any case and with a sign', () => {
    for (const text of ['NaN', 'nan', 'NAN', 'nAn', '+nan', '-NaN', ' NaN ']) {
      assert.ok(Number.isNaN(parseNumber(text)), `${JSON.stringify(text)} should read as NaN`);
    }
  });

  it('reads inf and Infinity in any case and with a sign', () => {
    for (const text of ['inf', 'INF', 'Inf', '+inf', 'Infinity', 'infinity', 'INFINITY', '+Infinity', ' inf ']) {
      assert.equal(parseNumber(text), Number.POSITIVE_INFINITY, JSON.stringify(text));
    }
    for (const text of ['-inf', '-INF', '-Infinity', '-infinity', ' -Inf ']) {
      assert.equal(parseNumber(text), Number.NEGATIVE_INFINITY, JSON.stringify(text));
    }
  });

  it('rejects the empty string and blank text (which Number() reads as 0)', () => {
    assert.equal(parseNumber(''), undefined);
    assert.equal(parseNumber(' '), undefined);
    assert.equal(parseNumber('\t'), undefined);
  });

  it('rejects hexadecimal, binary and octal literals', () => {
    assert.equal(parseNumber('0x1A'), undefined);
    assert.equal(parseNumber('0b101'), undefined);
    assert.equal(parseNumber('0o17'), undefined);
  });

  it('rejects a decimal that overflows float64 instead of returning Infinity', () => {
    assert.equal(parseNumber('1e999'), undefined);
    assert.equal(parseNumber('-1e999'), undefined);
  });

  it('rejects a decimal comma, words, doubled signs and other malformed text', () => {
    for (const text of ['1,5', 'abc', '--1', '+-1', '1e', 'e5', '.', '1.2.3', '1 2', '12abc', 'infinit', 'Infinityy', '∞']) {
      assert.equal(parseNumber(text), undefined, JSON.stringify(text));
    }
  });

  it('reads an underflowing decimal as zero', () => {
    assert.equal(parseNumber('1e-999'), 0);
  });
});

describe('formatFloat32', () => {
  it('writes 10,000 random float32 values as text that reads back (via Math.fround) as the same value', () => {
    for (const value of randomFloat32s(20240601, 10_000)) {
      const text = formatFloat32(value);
      assert.ok(Object.is(Math.fround(Number(text)), value), `${value} was written as ${text}`);
    }
  });

  it('writes 10,000 random float32 values with the fewest significant digits that read back', () => {
    for (const value of randomFloat32s(7, 10_000)) {
      if (value === 0) continue;
      const text = formatFloat32(value);
      assert.equal(significantDigits(text), shortestFloat32Digits(value), `${value} was written as ${text}`);
    }
  });

  it('writes float32 values in [0, 1) as short text that reads back', () => {
    const next = mulberry32(99);
    for (let i = 0; i < 2000; i++) {
      const value = Math.fround(next() / 2 ** 32);
      const text = formatFloat32(value);
      assert.equal(Math.fround(Number(text)), value, `${value} was written as ${text}`);
      assert.ok(significantDigits(text) <= 9, text);
    }
  });

  it('writes powers of two (where the gap below is half the gap above) with the fewest digits that read back', () => {
    // Regression: at a power of two the nearest decimal can miss where its neighbour reads back.
    assert.equal(formatFloat32(2 ** -96), '1.2621775e-29');
    assert.equal(formatFloat32(2 ** 87), '1.5474251e+26');
    assert.equal(formatFloat32(2 ** 90), '1.2379401e+27');
    for (let exponent = -149; exponent < 128; exponent++) {
      const value = 2 ** exponent;
      const text = formatFloat32(value);
      assert.equal(Math.fround(Number(text)), value, `2^${exponent} was written as ${text}`);
      assert.equal(significantDigits(text), shortestFloat32Digits(value), `2^${exponent} was written as ${text}`);
    }
  });

  it('writes 0.1f as 0.1 rather than its float64 expansion', () => {
    assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
    assert.equal(formatFloat32(Math.fround(1 / 3)), '0.33333334');
    assert.equal(formatFloat32(Math.fround(2.5)), '2.5');
    assert.equal(formatFloat32(Math.fround(100)), '100');
    assert.equal(formatFloat32(Math.fround(16777216)), '16777216');
  });

  it('writes 1e-8f as 1e-8', () => {
    assert.equal(formatFloat32(Math.fround(1e-8)), '1e-8');
  });

  it('writes the largest float32 (about 3.4e38) as text that reads back as it', () => {
    const max = Math.fround(3.4e38);
    assert.equal(formatFloat32(max), '3.4e+38');
    const largest = Math.fround(3.4028234663852886e38);
    const text = formatFloat32(largest);
    assert.equal(text, '3.4028235e+38');
    assert.equal(Math.fround(Number(text)), largest);
  });

  it('writes the smallest subnormal float32 as text that reads back', () => {
    const tiny = 2 ** -149;
    const text = formatFloat32(tiny);
    assert.equal(Math.fround(Number(text)), tiny);
    assert.equal(text, '1e-45');
  });

  it('writes negative values with a minus sign', () => {
    assert.equal(formatFloat32(Math.fround(-0.1)), '-0.1');
    assert.equal(formatFloat32(Math.fround(-1e-8)), '-1e-8');
  });

  it('keeps the sign of negative zero (-0 reads back as -0)', () => {
    // Regression: -0 keeps its sign.
    assert.equal(formatFloat32(-0), '-0');
  });

  it('writes zero as 0', () => {
    assert.equal(formatFloat32(0), '0');
  });

  it('writes NaN and the infinities as NaN, Infinity and -Infinity (which parseNumber reads back)', () => {
    assert.equal(formatFloat32(Number.NaN), 'NaN');
    assert.equal(formatFloat32(Number.POSITIVE_INFINITY), 'Infinity');
    assert.equal(formatFloat32(Number.NEGATIVE_INFINITY), '-Infinity');
    assert.ok(Number.isNaN(parseNumber(formatFloat32(Number.NaN))));
    assert.equal(parseNumber(formatFloat32(Number.NEGATIVE_INFINITY)), Number.NEGATIVE_INFINITY);
  });
});

describe('formatFloat64', () => {
  it('writes 10,000 random float64 values as text that reads back exactly', () => {
    const next = mulberry32(12345);
    const bits = new Uint32Array(2);
    const view = new Float64Array(bits.buffer);
    let checked = 0;
    while (checked < 10_000) {
      bits[0] = next();
      bits[1] = next();
      const value = view[0] as number;
      if (!Number.isFinite(value)) continue;
      const text = formatFloat64(value);
      assert.equal(Number(text), value, `${value} was written as ${text}`);
      assert.equal(parseNumber(text), value, `parseNumber(${text})`);
      checked++;
    }
  });

  it('writes common values in their shortest form', () => {
    assert.equal(formatFloat64(0.1), '0.1');
    assert.equal(formatFloat64(1 / 3), '0.3333333333333333');
    assert.equal(formatFloat64(1e21), '1e+21');
    assert.equal(formatFloat64(-2.5), '-2.5');
    assert.equal(formatFloat64(Number.MAX_VALUE), '1.7976931348623157e+308');
    assert.equal(formatFloat64(5e-324), '5e-324');
  });

  it('writes NaN and the infinities so that parseNumber reads them back', () => {
    assert.equal(formatFloat64(Number.NaN), 'NaN');
    assert.equal(formatFloat64(Number.POSITIVE_INFINITY), 'Infinity');
    assert.equal(formatFloat64(Number.NEGATIVE_INFINITY), '-Infinity');
    assert.ok(Number.isNaN(parseNumber(formatFloat64(Number.NaN))));
    assert.equal(parseNumber(formatFloat64(Number.POSITIVE_INFINITY)), Number.POSITIVE_INFINITY);
  });

  it('keeps the sign of negative zero (-0 reads back as -0)', () => {
    // Regression: -0 keeps its sign.
    assert.equal(formatFloat64(-0), '-0');
  });
});
