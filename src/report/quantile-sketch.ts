// Report: a mergeable quantile sketch (KLL-style compactors over typed arrays) with bounded memory.
//
// Why not a library: the well-kept JS sketches (DDSketch in @datadog/sketches-js, tdigest) take one
// value per method call and answer quantiles but not ranks (KS needs a CDF). Here a chunk's values go
// in with one typed-array loop, and once the stream is long, only a random sample of each block of
// 2^s values enters at level s with weight 2^s (the sampler of Karnin, Lang and Liberty's KLL), so the
// cost per value falls as the stream grows while rank error stays near 1/sqrt(SAMPLE_TARGET).

import { sortFloats } from './sort-floats.js';

/** KLL's k: the top level holds about this many items, each lower one 2/3 as many (at least MIN_CAPACITY). */
const TOP_CAPACITY = 256;
const MIN_CAPACITY = 32;
const SHRINK = 2 / 3;
/** Up to this many items nothing is compacted, so a column of up to this many values is summarized exactly. */
const EXACT_ITEMS = 1024;
/** The sampler keeps about this many items per doubling of the stream. */
const SAMPLE_TARGET = 8192;
/** Values collected before they are sorted into the levels at once. */
const BUFFER_ITEMS = 2048;

/** The sketch as stored in a report (and read back for --baseline and `report merge`). */
export interface SketchState {
  /** Total weight: the number of values it summarizes. */
  readonly n: number;
  /** Level at which new values enter (sampling one in 2^level). */
  readonly sampleLevel: number;
  /** Items per level; an item at level h stands for 2^h values. */
  readonly levels: readonly (readonly number[])[];
}

/** A sketch's items in ascending order, with cumulative weights. */
interface SortedItems {
  readonly values: Float64Array;
  readonly cumulative: Float64Array;
}

export class QuantileSketch {
  /** Items per level, each level sorted ascending; an item at level h stands for 2^h values. */
  private levels: Float64Array[] = [];
  private sizes: number[] = [];
  /**
   * Values that entered since the last flush, unsorted, all at `sampleLevel`: sorting them once per
   * BUFFER_ITEMS values and merging them in is much cheaper than keeping every level sorted per value.
   */
  private readonly buffer = new Float64Array(BUFFER_ITEMS);
  private buffered = 0;
  private sampleLevel = 0;
  /** Values seen since the sampler's level last changed, and where the current sampling block stands. */
  private blockFill = 0;
  private blockPick = 0;
  private n = 0;
  /** Items held in the levels, and how many they may hold before the lowest full one is compacted. */
  private items = 0;
  private itemLimit = EXACT_ITEMS;
  private random: () => number;

  constructor(seed = 0x9e3779b9) {
    this.random = xorshift(seed);
  }

  get count(): number {
    return this.n;
  }

  /**
   * Adds the finite values of `values[0..length)` whose null flag is not set. Once sampling, only the
   * picked position of each block is read (a missing value there is skipped: ranks are relative to the
   * items kept, so that costs nothing but a little precision).
   */
  addAll(values: ArrayLike<number>, length: number, nulls?: Uint8Array): void {
    let i = 0;
    while (i < length && this.sampleLevel === 0) {
      const value = values[i] as number;
      if (value - value === 0 && (nulls === undefined || nulls[i] !== 1)) this.append(value);
      i++;
      if (++this.n >= SAMPLE_TARGET * 2) this.raiseSampling(1);
    }
    while (i < length) {
      const block = 1 << this.sampleLevel;
      // Blocks wholly inside this chunk, while the level holds: one random pick each.
      const blocksHere = Math.floor((length - i + this.blockFill) / block);
      const levelEnds = Math.ceil((SAMPLE_TARGET * 2 ** (this.sampleLevel + 1) - this.n + this.blockFill) / block);
      const blocks = Math.min(blocksHere, Math.max(levelEnds, 1));
      if (blocks > 0) {
        // The current block's pick is already drawn and may lie before its fill; then it was read.
        let start = i - this.blockFill;
        let pick = this.blockPick;
        for (let b = 0; b < blocks; b++) {
          if (pick >= i - start) {
            const at = start + pick;
            const value = values[at] as number;
            if (value - value === 0 && (nulls === undefined || nulls[at] !== 1)) this.append(value);
          }
          start += block;
          pick = (this.random() * block) | 0;
        }
        this.n += start - i;
        i = start;
        this.blockFill = 0;
        this.blockPick = pick;
        if (this.n >= SAMPLE_TARGET * 2 ** (this.sampleLevel + 1)) this.raiseSampling(this.sampleLevel + 1);
        continue;
      }
      // The chunk ends inside a block: read its pick if it falls here, and remember how far it is filled.
      const take = length - i;
      const pick = this.blockPick - this.blockFill;
      if (pick >= 0 && pick < take) {
        const value = values[i + pick] as number;
        if (value - value === 0 && (nulls === undefined || nulls[i + pick] !== 1)) this.append(value);
      }
      this.n += take;
      this.blockFill += take;
      i = length;
    }
  }

  /** Adds one value. */
  add(value: number): void {
    this.addAll([value], 1);
  }

  /** Samples one value in 2^level from now on (values buffered so far keep their weight). */
  private raiseSampling(level: number): void {
    this.flush();
    this.sampleLevel = level;
    this.blockFill = 0;
    this.blockPick = Math.floor(this.random() * (1 << level));
  }

  private append(value: number): void {
    this.buffer[this.buffered++] = value;
    this.snapshot = undefined;
    if (this.buffered === BUFFER_ITEMS) this.flush();
  }

  /** Sorts the buffered values into their level, then compacts while the levels hold too many items. */
  private flush(): void {
    if (this.buffered === 0) return;
    const values = this.buffer.subarray(0, this.buffered);
    sortFloats(values);
    this.mergeInto(this.sampleLevel, values, 0, 1, values.length);
    this.buffered = 0;
    this.compress();
  }

  /** Merges the sorted items `from[offset + step * j]`, j < count, into `level` (kept sorted). */
  private mergeInto(level: number, from: Float64Array, offset: number, step: number, count: number): void {
    while (this.levels.length <= level) {
      this.levels.push(new Float64Array(MIN_CAPACITY));
      this.sizes.push(0);
      this.itemLimit = Math.max(EXACT_ITEMS, this.levels.reduce((sum, _, h) => sum + this.capacity(h), 0));
    }
    let target = this.levels[level] as Float64Array;
    const size = this.sizes[level] as number;
    if (size + count > target.length) {
      const grown = new Float64Array(Math.max(target.length * 2, size + count));
      grown.set(target.subarray(0, size));
      this.levels[level] = target = grown;
    }
    // From the back, so the target's own items move at most once and need no copy.
    let i = size - 1;
    let j = count - 1;
    for (let k = size + count - 1; j >= 0; k--) {
      const incoming = from[offset + step * j] as number;
      if (i >= 0 && (target[i] as number) > incoming) target[k] = target[i--] as number;
      else {
        target[k] = incoming;
        j--;
      }
    }
    this.sizes[level] = size + count;
    this.items += count;
  }

  /** Compacts the lowest full level while the sketch holds more than all capacities together. */
  private compress(): void {
    while (this.items > this.itemLimit) {
      let level = 0;
      while ((this.sizes[level] as number) < this.capacity(level)) level++;
      this.compact(level);
    }
  }

  /** KLL's capacities: geometric from the top level down. */
  private capacity(level: number): number {
    const depth = this.levels.length - 1 - level;
    return Math.max(MIN_CAPACITY, Math.ceil(TOP_CAPACITY * SHRINK ** depth));
  }

  /** Moves every other item of a (sorted) level, from a random start, one level up; an odd one out stays. */
  private compact(level: number): void {
    const size = this.sizes[level] as number;
    const items = this.levels[level] as Float64Array;
    const offset = this.random() < 0.5 ? 0 : 1;
    const moved = size >> 1;
    this.mergeInto(level + 1, items, offset, 2, moved);
    if (size % 2 === 1) items[0] = items[size - 1] as number;
    this.sizes[level] = size % 2;
    this.items -= size - (size % 2);
  }

  /** Adds another sketch's values to this one. */
  merge(other: QuantileSketch | SketchState): void {
    const state = other instanceof QuantileSketch ? other.toState() : other;
    this.flush();
    state.levels.forEach((items, level) => {
      // Sorted here: reports written before the levels were kept sorted hold them in any order.
      const sorted = Float64Array.from(items).sort();
      this.mergeInto(level, sorted, 0, 1, sorted.length);
    });
    this.compress();
    this.snapshot = undefined;
    this.n += state.n;
    if (state.sampleLevel > this.sampleLevel) this.raiseSampling(state.sampleLevel);
  }

  /** The weighted items in ascending order, with cumulative weights. */
  private sorted(): SortedItems {
    this.snapshot ??= this.sortItems();
    return this.snapshot;
  }

  /** Summaries ask for several quantiles and a CDF at once: the sorted items are kept until the next value. */
  private snapshot: SortedItems | undefined;

  /** Merges the sorted levels, lowest first, into one list with cumulative weights. */
  private sortItems(): SortedItems {
    this.flush();
    let values = new Float64Array(0);
    let weights = new Float64Array(0);
    this.levels.forEach((items, level) => {
      const size = this.sizes[level] as number;
      const mergedValues = new Float64Array(values.length + size);
      const mergedWeights = new Float64Array(values.length + size);
      let i = 0;
      let j = 0;
      for (let k = 0; k < mergedValues.length; k++) {
        if (j >= size || (i < values.length && (values[i] as number) <= (items[j] as number))) {
          mergedValues[k] = values[i] as number;
          mergedWeights[k] = weights[i++] as number;
        } else {
          mergedValues[k] = items[j++] as number;
          mergedWeights[k] = 2 ** level;
        }
      }
      values = mergedValues;
      weights = mergedWeights;
    });
    let total = 0;
    const cumulative = weights.map((weight) => (total += weight));
    return { values, cumulative };
  }

  /** The value at rank q (0..1), or null when empty. */
  quantile(q: number): number | null {
    const { values, cumulative } = this.sorted();
    const total = cumulative[cumulative.length - 1];
    if (total === undefined) return null;
    const target = q * total;
    for (let i = 0; i < values.length; i++) if ((cumulative[i] as number) >= target) return values[i] as number;
    return values[values.length - 1] as number;
  }

  /** Share of values <= x (0..1); 0 when empty. */
  cdf(x: number): number {
    return cdfOf(this.sorted(), x);
  }

  /** A CDF function over a snapshot of the sketch, for evaluating many points. */
  cdfFunction(): (x: number) => number {
    const snapshot = this.sorted();
    return (x) => cdfOf(snapshot, x);
  }

  /**
   * The largest gap between the CDFs of two sketches, checked at every point either holds: one walk
   * over both sorted item lists (evaluating each CDF at each point, a binary search per point and
   * sketch, took most of a monitored run's drift time on W1's baseline). Same values either way.
   */
  static largestCdfGap(a: QuantileSketch, b: QuantileSketch): number {
    return largestGap(a.sorted(), b.sorted());
  }

  toState(): SketchState {
    this.flush();
    return {
      n: this.n,
      sampleLevel: this.sampleLevel,
      levels: this.levels.map((items, level) => Array.from(items.subarray(0, this.sizes[level]))),
    };
  }

  static fromState(state: SketchState): QuantileSketch {
    const sketch = new QuantileSketch();
    sketch.merge(state);
    return sketch;
  }
}

function largestGap(a: SortedItems, b: SortedItems): number {
  const totalA = a.cumulative[a.cumulative.length - 1] ?? 0;
  const totalB = b.cumulative[b.cumulative.length - 1] ?? 0;
  const valuesA = a.values;
  const valuesB = b.values;
  let i = 0;
  let j = 0;
  let max = 0;
  while (i < valuesA.length || j < valuesB.length) {
    // The next point either holds; both sides move past every item <= it, as a CDF counts them.
    const x = j >= valuesB.length || (i < valuesA.length && (valuesA[i] as number) <= (valuesB[j] as number)) ? (valuesA[i] as number) : (valuesB[j] as number);
    while (i < valuesA.length && (valuesA[i] as number) <= x) i++;
    while (j < valuesB.length && (valuesB[j] as number) <= x) j++;
    const cdfA = i === 0 ? 0 : (a.cumulative[i - 1] as number) / totalA;
    const cdfB = j === 0 ? 0 : (b.cumulative[j - 1] as number) / totalB;
    max = Math.max(max, Math.abs(cdfA - cdfB));
  }
  return max;
}

function cdfOf({ values, cumulative }: SortedItems, x: number): number {
  const total = cumulative[cumulative.length - 1];
  if (total === undefined) return 0;
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : (cumulative[lo - 1] as number) / total;
}

/** A small seeded generator: reports are the same for the same input. */
function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}
