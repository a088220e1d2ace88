// Shared: IEEE 754 binary16 (float16) bits to and from numbers. onnxruntime-node carries float16
// tensors as Uint16Array bit patterns (Node 20 has no Float16Array), so feeds are encoded here and
// outputs decoded here. Rounding is to nearest, ties to even, straight from float64 (as numpy's
// astype(float16)): going through float32 first would round twice and be wrong on some ties.

/** The largest finite float16, 65504. */
export const FLOAT16_MAX = 65504;

const bits = new DataView(new ArrayBuffer(8));

/** Rounds x (0 <= x < 2^53) to the nearest integer, ties to even. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The float16 bits nearest to `value`, or -1 when a finite value is too large for float16 (it would
 * become infinite, which the caller treats as a bad value). NaN and infinities keep their meaning.
 */
export function toFloat16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === Infinity) return sign | 0x7c00;
  if (magnitude < 2 ** -14) {
    // Subnormal: a multiple of 2^-24; rounding up from the largest one gives the smallest normal (0x0400).
    return sign | roundHalfEven(magnitude * 2 ** 24);
  }
  bits.setFloat64(0, magnitude);
  const exponent = ((bits.getUint16(0) >>> 4) & 0x7ff) - 1023;
  // The significand as an integer in [1024, 2048): exact, since scaling by a power of two is.
  let significand = roundHalfEven(magnitude * 2 ** (10 - exponent));
  let biased = exponent + 15;
  if (significand === 2048) {
    significand = 1024;
    biased += 1;
  }
  if (biased >= 31) return -1;
  return sign | (biased << 10) | (significand - 1024);
}

/** The number that float16 bits stand for (exact: every float16 is a float32 and a float64). */
export function fromFloat16Bits(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const biased = (half >>> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (biased === 0) return sign * fraction * 2 ** -24;
  if (biased === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1024 + fraction) * 2 ** (biased - 25);
}
