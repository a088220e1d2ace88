// Value rules shared by every stage: how text becomes a number, and how a number becomes text.

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
  if (Number.isNaN(value)) return 'NaN';
  return Object.is(value, -0) ? '-0' : String(value);
}

/** Shortest decimal text that reads back as the same float32 (when read as float32). */
export function formatFloat32(value: number): string {
  if (!Number.isFinite(value) || value === 0) return formatFloat64(value);
  // Most values need 6 to 9 digits: start in the middle and walk to the shortest that reads back.
  let digits = 6;
  let best = readsBackAt(value, digits);
  if (best !== undefined) {
    for (let fewer = digits - 1; fewer >= 1; fewer--) {
      const shorter = readsBackAt(value, fewer);
      if (shorter === undefined) break;
      best = shorter;
    }
  } else {
    while (best === undefined && digits < 9) best = readsBackAt(value, ++digits);
  }
  // Number() then String() turns "1e+2" into "100" and keeps the digits found here.
  return String(best ?? Number(value.toPrecision(9)));
}

/**
 * A decimal of `digits` significant digits that reads back as the float32 `value`, if any. At a
 * power of two the float32's rounding interval is lopsided, so the nearest decimal can miss where
 * the next one up or down hits: only there are the neighbours tried.
 */
function readsBackAt(value: number, digits: number): number | undefined {
  const nearest = Number(value.toPrecision(digits));
  if (Math.fround(nearest) === value) return nearest;
  if (!isPowerOfTwo(value)) return undefined;
  const [mantissa = '', exponent = '0'] = value.toExponential(digits - 1).split('e');
  const scaled = BigInt(mantissa.replace('.', ''));
  const scale = Number(exponent) - (digits - 1);
  for (const candidate of [scaled + 1n, scaled - 1n]) {
    const decimal = Number(`${candidate}e${scale}`);
    if (Math.fround(decimal) === value) return decimal;
  }
  return undefined;
}

function isPowerOfTwo(value: number): boolean {
  const exponent = Math.log2(Math.abs(value));
  return Number.isInteger(exponent);
}
