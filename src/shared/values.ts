// Value rules shared by every stage: how text becomes a number, and how a number becomes text.
import { formatSpecial, MAX_NUMBER_BYTES, writeFloat32 } from './float-text.js';

// Decimal and scientific notation only: no hex, no binary, no '' or ' ' (which Number() reads as 0).
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: ReadonlyMap<string, number> = new Map([
  ['nan', Number.NaN],
  ['+nan', Number.NaN],
  ['-nan', Number.NaN],
  ['inf', Number.POSITIVE_INFINITY],
  ['+inf', Number.POSITIVE_INFINITY],
  ['-inf', Number.NEGATIVE_INFINITY],
  ['infinity', Number.POSITIVE_INFINITY],
  ['+infinity', Number.POSITIVE_INFINITY],
  ['-infinity', Number.NEGATIVE_INFINITY],
]);

/**
 * Parses a field as a float64, strictly: surrounding spaces are allowed, and `NaN`, `inf`,
 * `Infinity` (any case, signed) are accepted; anything else that is not a decimal number gives
 * `undefined`. A decimal that overflows float64 gives `undefined` too, rather than Infinity.
 */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (DECIMAL.test(trimmed)) {
    const value = Number(trimmed);
    return Number.isFinite(value) ? value : undefined;
  }
  return SPECIAL.get(trimmed.toLowerCase());
}

/** Shortest decimal text that reads back as the same float64. */
export function formatFloat64(value: number): string {
  return Number.isFinite(value) && value !== 0 ? String(value) : formatSpecial(value);
}

const scratch = new Uint8Array(MAX_NUMBER_BYTES);

/** Shortest decimal text that reads back as the same float32 (when read as float32). */
export function formatFloat32(value: number): string {
  const length = writeFloat32(value, scratch, 0);
  return String.fromCharCode(...scratch.subarray(0, length));
}
