// Decimal numbers read straight from CSV bytes, exactly as Number() reads their text: the fast
// path for a whole field (the tokenizer reads plain decimals on its own way, with readDigits).
// Each step is exact (integers up to 2^53, one rounding by an exact power of ten); anything else
// is left to the string-based path.
import { POWERS_OF_TEN } from '../shared/float-text.js';
import { digitCount, digitsBeforePoint, digitsValue, readDigits } from './csv-scan.js';

/** 2^53: integers up to it are exact float64s. */
const MAX_EXACT = 9007199254740992;
/** Where fastDecimal leaves its result, so the hot path does not box a double per field. */
export const fastResult = new Float64Array(1);

/** ASCII whitespace that String.prototype.trim removes (the rest of its set is not ASCII). */
function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/**
 * Reads bytes [start, end) as a plain decimal into fastResult[0], returning true, when the text is
 * one the fast path is exact for: the DECIMAL form of values.ts whose digits, read as an integer,
 * are at most 2^53 (any 15 significant digits are), scaled by a power of ten up to 22. Then the integer mantissa and 10^k are both exact float64s, so one
 * multiplication or division rounds once, correctly, as Number() does. Anything else (more digits,
 * large exponents, NaN, inf, non-ASCII spaces, garbage) returns false for the exact slow path.
 */
export function fastDecimal(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  let stop = end;
  while (i < stop && isSpace(bytes[i] as number)) i++;
  while (stop > i && isSpace(bytes[stop - 1] as number)) stop--;
  let negative = false;
  if (i < stop && (bytes[i] === 0x2d || bytes[i] === 0x2b)) negative = bytes[i++] === 0x2d;
  i = readDigits(bytes, i, stop);
  const mantissa = digitsValue;
  const fraction = digitsBeforePoint < 0 ? 0 : digitCount - digitsBeforePoint;
  // Each step of the sum was exact if the total is at most 2^53 (it only grows).
  if (digitCount === 0 || mantissa > MAX_EXACT) return false;
  let exponent = 0;
  if (i < stop && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    let exponentNegative = false;
    if (i < stop && (bytes[i] === 0x2d || bytes[i] === 0x2b)) exponentNegative = bytes[i++] === 0x2d;
    const exponentStart = i;
    for (; i < stop; i++) {
      const digit = (bytes[i] as number) - 0x30;
      if (digit < 0 || digit > 9) break;
      exponent = exponent * 10 + digit;
    }
    // No digits is not a number; many digits could be anything: both for the slow path.
    if (i === exponentStart || i - exponentStart > 4) return false;
    if (exponentNegative) exponent = -exponent;
  }
  if (i !== stop) return false;
  const scale = exponent - fraction;
  let value: number;
  if (mantissa === 0) value = 0;
  else if (scale === 0) value = mantissa;
  else if (scale > 0 && scale <= 22) value = mantissa * (POWERS_OF_TEN[scale] as number);
  else if (scale < 0 && scale >= -22) value = mantissa / (POWERS_OF_TEN[-scale] as number);
  else return false;
  fastResult[0] = negative ? -value : value;
  return true;
}
