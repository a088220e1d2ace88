// Report: sorting the quantile sketch's buffered values, radix sorts over their bit patterns.
//
// Why not Float64Array.prototype.sort: it is a comparison sort, about one mispredicted branch per
// comparison on unordered values, and sorting the sketch's buffers took about half of W1's
// statistics CPU time. A least-significant-byte radix sort has no data-dependent branches. Each
// value is first sorted by its float32 rounding (32-bit keys, four passes at most; rounding is
// monotone, so only values with the same rounding can be out of order after it), then an insertion
// pass orders those: a no-op for values that fit a float32 (columns read as float32, model outputs)
// and cheap for values of a few significant digits (CSV text). Where many values share a rounding
// (timestamps in milliseconds), the insertion pass gives up early and the values are sorted by their
// 64-bit patterns instead. The order is that of Float64Array.prototype.sort: -0 before +0.

/** Scratch, grown to the largest array sorted (the sketch's buffer: 2,048 values). */
let keys = new Uint32Array(0);
let spare = new Uint32Array(0);
let highKeys = new Uint32Array(0);
let spareHigh = new Uint32Array(0);
let spareValues = new Float64Array(0);
/** Per byte position (8 of them), how many keys hold each byte value; then where each goes. */
const counts = new Uint32Array(8 * 256);
const SIGN = 0x80000000;
/** Element moves the insertion pass may make per value before the 64-bit sort takes over. */
const INSERTION_BUDGET = 8;

/** Sorts `values` ascending in place, as Float64Array.prototype.sort does. */
export function sortFloats(values: Float64Array): void {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const value = values[i] as number;
    // NaN (not in a sketch) goes where the built-in sort puts it: last.
    if (value !== value) {
      values.sort();
      return;
    }
  }
  if (keys.length < n) {
    keys = new Uint32Array(n);
    spare = new Uint32Array(n);
    highKeys = new Uint32Array(n);
    spareHigh = new Uint32Array(n);
    spareValues = new Float64Array(n);
  }
  if (!sortByFloat32(values)) sortAsFloat64(values);
}

/**
 * A float's bits as an unsigned key in the float's order: a negative one's bits inverted (larger
 * magnitudes first), a positive one's sign bit set (after every negative).
 */
function toKey(bits: number): number {
  return (bits & SIGN ? ~bits : bits | SIGN) >>> 0;
}

function fromKey(key: number): number {
  return (key & SIGN ? key & ~SIGN : ~key) >>> 0;
}

/** Sorts by float32 rounding, then by value; false if the values share roundings too often (then half sorted). */
function sortByFloat32(values: Float64Array): boolean {
  const n = values.length;
  new Float32Array(keys.buffer, 0, n).set(values);
  counts.fill(0, 0, 4 * 256);
  for (let i = 0; i < n; i++) {
    const key = toKey(keys[i] as number);
    keys[i] = key;
    countBytes(key, 0);
  }
  let from = keys;
  let to = spare;
  let fromValues: Float64Array = values;
  let toValues: Float64Array = spareValues;
  for (let pass = 0; pass < 4; pass++) {
    if (!spreadOver(pass, from[0] as number, n)) continue;
    const shift = pass * 8;
    const base = pass * 256;
    for (let i = 0; i < n; i++) {
      const key = from[i] as number;
      const at = base + ((key >>> shift) & 255);
      const index = counts[at] as number;
      counts[at] = index + 1;
      to[index] = key;
      toValues[index] = fromValues[i] as number;
    }
    [from, to] = [to, from];
    [fromValues, toValues] = [toValues, fromValues];
  }
  if (fromValues !== values) values.set(fromValues.subarray(0, n));
  let budget = INSERTION_BUDGET * n;
  for (let i = 1; i < n; i++) {
    const value = values[i] as number;
    let j = i - 1;
    if (!((values[j] as number) > value)) continue;
    do {
      values[j + 1] = values[j] as number;
      j--;
    } while (j >= 0 && (values[j] as number) > value);
    values[j + 1] = value;
    budget -= i - j;
    if (budget < 0) return false;
  }
  return true;
}

function sortAsFloat64(values: Float64Array): void {
  const n = values.length;
  // Little-endian, as every platform Node runs on: the low word first.
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const high = words[2 * i + 1] as number;
    const low = high & SIGN ? ~(words[2 * i] as number) >>> 0 : (words[2 * i] as number);
    keys[i] = low;
    highKeys[i] = toKey(high);
    countBytes(low, 0);
    countBytes(highKeys[i] as number, 4);
  }
  let low = keys;
  let high = highKeys;
  let toLow = spare;
  let toHigh = spareHigh;
  for (let pass = 0; pass < 8; pass++) {
    const word = pass < 4 ? low : high;
    if (!spreadOver(pass, word[0] as number, n)) continue;
    const shift = (pass % 4) * 8;
    const base = pass * 256;
    for (let i = 0; i < n; i++) {
      const at = base + (((word[i] as number) >>> shift) & 255);
      const to = counts[at] as number;
      counts[at] = to + 1;
      toLow[to] = low[i] as number;
      toHigh[to] = high[i] as number;
    }
    [low, toLow] = [toLow, low];
    [high, toHigh] = [toHigh, high];
  }
  for (let i = 0; i < n; i++) {
    const key = high[i] as number;
    words[2 * i + 1] = fromKey(key);
    words[2 * i] = key & SIGN ? (low[i] as number) : ~(low[i] as number) >>> 0;
  }
}

/** Counts the four bytes of `key` under byte positions `first` to `first + 3`. */
function countBytes(key: number, first: number): void {
  const base = first * 256;
  counts[base + (key & 255)] = (counts[base + (key & 255)] as number) + 1;
  counts[base + 256 + ((key >>> 8) & 255)] = (counts[base + 256 + ((key >>> 8) & 255)] as number) + 1;
  counts[base + 512 + ((key >>> 16) & 255)] = (counts[base + 512 + ((key >>> 16) & 255)] as number) + 1;
  counts[base + 768 + (key >>> 24)] = (counts[base + 768 + (key >>> 24)] as number) + 1;
}

/**
 * Whether the keys differ in byte position `pass` (else the pass is skipped: float32 values in a
 * double leave its low 29 bits zero); if so, turns that position's counts into start offsets.
 */
function spreadOver(pass: number, firstKey: number, n: number): boolean {
  const base = pass * 256;
  if (counts[base + ((firstKey >>> ((pass % 4) * 8)) & 255)] === n) return false;
  let start = 0;
  for (let byte = 0; byte < 256; byte++) {
    const count = counts[base + byte] as number;
    counts[base + byte] = start;
    start += count;
  }
  return true;
}
