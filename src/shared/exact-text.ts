// Text of the kept Arrow and Parquet columns written back with their own type (see ExactColumn), for
// the text outputs: a decimal's exact digits, a date or a timestamp as ISO 8601 (UTC), the form the
// readers give the model's pipeline.
import type { ExactColumn, TimeUnitName } from './chunk.js';

/** Milliseconds since the epoch as ISO 8601 text (UTC); a value beyond Date's range as the number. */
export function isoText(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

// Finer units are divided as integers, toward zero as Date truncates: a float product could land
// just below a whole millisecond.
const TO_MS: Readonly<Record<TimeUnitName, (value: bigint) => number>> = {
  second: (value) => Number(value) * 1000,
  millisecond: (value) => Number(value),
  microsecond: (value) => Number(value / 1000n),
  nanosecond: (value) => Number(value / 1_000_000n),
};

/** Row i's text (the caller handles nulls). */
export function exactText(column: ExactColumn): (i: number) => string {
  switch (column.type) {
    case 'decimal':
      return (i) => decimalText(column.values, i, column.bitWidth / 32, column.scale);
    case 'date32':
      return (i) => isoText((column.values[i] as number) * 86_400_000);
    case 'date64':
      return (i) => isoText(Number(column.values[i]));
    case 'timestamp': {
      const toMs = TO_MS[column.unit];
      return (i) => isoText(toMs(column.values[i] as bigint));
    }
  }
}

/** The `i`th decimal of `words` little-endian two's complement words, with `scale` digits after the point. */
function decimalText(values: Uint32Array, i: number, words: number, scale: number): string {
  let integer = 0n;
  for (let word = words - 1; word >= 0; word--) integer = (integer << 32n) | BigInt(values[i * words + word] ?? 0);
  integer = BigInt.asIntN(words * 32, integer);
  const sign = integer < 0n ? '-' : '';
  const digits = (integer < 0n ? -integer : integer).toString();
  if (scale <= 0) return `${sign}${digits}${'0'.repeat(-scale)}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${sign}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}
