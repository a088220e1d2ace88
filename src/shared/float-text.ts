// Numbers written as bytes of decimal text, for writers that must keep up with the reader: the
// shortest text that reads back as the same float32 is found with float64 arithmetic on integers,
// without building a string per value. Each step is exact or falls back to the string-based method
// (toPrecision, then Number), so the text is always the one that method gives.

/** 10^k for k = 0..22: each one is an exact float64 (the CSV scanner reads decimals with them too). */
export const POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * How close to a rounding tie a scaled value may come before float64 rounding could matter: the
 * scaled values are below 10^9 with a relative error of at most 2^-53, so an absolute error under 2e-7.
 */
const TIE_MARGIN = 1e-6;

/** The longest text written for one number ("-1.17549435e-38" is 15 bytes). */
export const MAX_NUMBER_BYTES = 24;

/** The candidate of `nearestAt`: the decimal `significand` × 10^`exponent`. */
let significand = 0;
let exponent = 0;
/** Facts about the value being written, worked out once per value. */
let decimalPower = 0;
let powerOfTwo = false;
const bits = new Float32Array(1);
const bitsAsInteger = new Uint32Array(bits.buffer);

/**
 * Writes the shortest decimal text that reads back as the float32 `value` (when read as a float64
 * and rounded to float32), in the notation of `String(number)`, into `out` at `at`; returns the
 * position after it. `out` needs MAX_NUMBER_BYTES free bytes.
 */
export function writeFloat32(value: number, out: Uint8Array, at: number): number {
  if (!Number.isFinite(value) || value === 0) return writeAscii(formatSpecial(value), out, at);
  let position = at;
  if (value < 0) out[position++] = 0x2d;
  const magnitude = Math.abs(value);
  decimalPower = Math.floor(Math.log10(magnitude));
  bits[0] = magnitude;
  const fraction = (bitsAsInteger[0] as number) & 0x7fffff;
  // A normal float32 is a power of two when its fraction bits are zero; a subnormal when one bit is set.
  powerOfTwo = (bitsAsInteger[0] as number) >>> 23 === 0 ? (fraction & (fraction - 1)) === 0 : fraction === 0;
  // Most values need 6 to 9 digits: start in the middle and walk to the shortest that reads back.
  let digits = 6;
  if (readsBackAt(magnitude, digits)) {
    let keptSignificand = significand;
    let keptExponent = exponent;
    for (let fewer = digits - 1; fewer >= 1 && readsBackAt(magnitude, fewer); fewer--) {
      keptSignificand = significand;
      keptExponent = exponent;
    }
    return writeDecimal(keptSignificand, keptExponent, out, position);
  }
  while (digits < 9) {
    if (readsBackAt(magnitude, ++digits)) return writeDecimal(significand, exponent, out, position);
  }
  // Nine digits always suffice for a float32; this is only a guard.
  return writeAscii(String(Number(magnitude.toPrecision(9))), out, position);
}

/** Writes `String(value)` (the shortest text that reads back as the same float64). */
export function writeFloat64(value: number, out: Uint8Array, at: number): number {
  return writeAscii(Number.isFinite(value) && value !== 0 ? String(value) : formatSpecial(value), out, at);
}

/** NaN, infinities and zeros, with the sign of -0 kept. */
export function formatSpecial(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  return Object.is(value, -0) ? '-0' : String(value);
}

function writeAscii(text: string, out: Uint8Array, at: number): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/**
 * Whether a decimal of `digits` significant digits reads back as the positive float32 `value`:
 * the nearest one (as toPrecision rounds), or at a power of two, where the float32's rounding
 * interval is lopsided, the next one up or down. Leaves the decimal found in significand/exponent.
 */
function readsBackAt(value: number, digits: number): boolean {
  if (!nearestAt(value, digits)) return readsBackAtSlowly(value, digits);
  const nearest = significand;
  const decimal = scaleByPowerOfTen(nearest, exponent);
  if (Number.isNaN(decimal)) return readsBackAtSlowly(value, digits);
  if (Math.fround(decimal) === value) return true;
  if (!powerOfTwo) return false;
  for (const candidate of [nearest + 1, nearest - 1]) {
    const neighbour = scaleByPowerOfTen(candidate, exponent);
    if (Number.isNaN(neighbour)) return readsBackAtSlowly(value, digits);
    if (Math.fround(neighbour) === value) {
      significand = candidate;
      return true;
    }
  }
  return false;
}

/** readsBackAt through decimal strings, for what float64 arithmetic cannot settle exactly. */
function readsBackAtSlowly(value: number, digits: number): boolean {
  const [mantissa = '', power = '0'] = value.toExponential(digits - 1).split('e');
  const nearest = Number(mantissa.replace('.', ''));
  exponent = Number(power) - (digits - 1);
  const candidates = powerOfTwo ? [nearest, nearest + 1, nearest - 1] : [nearest];
  for (const candidate of candidates) {
    if (Math.fround(Number(`${candidate}e${exponent}`)) === value) {
      significand = candidate;
      return true;
    }
  }
  return false;
}

/**
 * The `digits`-digit decimal nearest to `value` (ties away from zero, as toPrecision), into
 * significand/exponent. False when the value is too close to a tie, or too large or small for
 * one exact scaling by a power of ten.
 */
function nearestAt(value: number, digits: number): boolean {
  const low = POWERS_OF_TEN[digits - 1] as number;
  const high = POWERS_OF_TEN[digits] as number;
  let power = decimalPower;
  // log10 can be off by one next to a power of ten: move until the scaled value has `digits` digits.
  for (let attempt = 0; attempt < 3; attempt++) {
    const scale = digits - 1 - power;
    const scaled = scaleByPowerOfTen(value, scale);
    if (Number.isNaN(scaled)) return false;
    if (scaled >= high) {
      power++;
      continue;
    }
    if (scaled < low) {
      power--;
      continue;
    }
    const whole = Math.floor(scaled);
    const fraction = scaled - whole;
    if (Math.abs(fraction - 0.5) < TIE_MARGIN) return false;
    const rounded = fraction > 0.5 ? whole + 1 : whole;
    // Rounding up to 10^digits carries into the next power, as toPrecision writes it.
    significand = rounded === high ? low : rounded;
    exponent = rounded === high ? 1 - scale : -scale;
    return true;
  }
  return false;
}

/**
 * value × 10^scale rounded once, or NaN beyond the exact powers. For an integer value below 2^53
 * both operands are exact, so this is the float64 that Number() reads from `${value}e${scale}`.
 */
function scaleByPowerOfTen(value: number, scale: number): number {
  if (scale >= 0) return scale <= 22 ? value * (POWERS_OF_TEN[scale] as number) : Number.NaN;
  return scale >= -22 ? value / (POWERS_OF_TEN[-scale] as number) : Number.NaN;
}

/**
 * Writes significand × 10^exponent as String(number) would: trailing zeros dropped, plain
 * notation from 1e-7 up to 1e21, scientific ("1.5e-8", "3.4e+38") outside.
 */
function writeDecimal(integer: number, power: number, out: Uint8Array, at: number): number {
  let digits = integer;
  let scale = power;
  while (digits % 10 === 0) {
    digits /= 10;
    scale++;
  }
  let count = 1;
  while (count < 16 && digits >= (POWERS_OF_TEN[count] as number)) count++;
  // The decimal point sits `point` digits from the left (0.ddd × 10^point).
  const point = count + scale;
  let position = at;
  if (point >= count && point <= 21) {
    position = writeDigits(digits, count, out, position);
    for (let i = count; i < point; i++) out[position++] = 0x30;
    return position;
  }
  if (point > 0 && point <= 21) {
    writeDigits(digits, count, out, position + 1);
    out.copyWithin(position, position + 1, position + 1 + point);
    out[position + point] = 0x2e;
    return position + count + 1;
  }
  if (point <= 0 && point > -6) {
    out[position++] = 0x30;
    out[position++] = 0x2e;
    for (let i = point; i < 0; i++) out[position++] = 0x30;
    return writeDigits(digits, count, out, position);
  }
  writeDigits(digits, count, out, position + 1);
  out[position] = out[position + 1] as number;
  position++;
  if (count > 1) {
    out[position] = 0x2e;
    position += count;
  }
  out[position++] = 0x65;
  out[position++] = point - 1 < 0 ? 0x2d : 0x2b;
  return writeAscii(String(Math.abs(point - 1)), out, position);
}

/** Writes the `count` decimal digits of `integer`, most significant first. */
function writeDigits(integer: number, count: number, out: Uint8Array, at: number): number {
  let rest = integer;
  for (let i = at + count - 1; i >= at; i--) {
    const next = Math.floor(rest / 10);
    out[i] = 0x30 + rest - next * 10;
    rest = next;
  }
  return at + count;
}
