// Report: a mergeable quantile sketch (KLL-style compactors over typed arrays) with bounded memory.
//
// Why not a library: the well-kept JS sketches (DDSketch in @datadog/sketches-js, tdigest) take one
// value per method call and answer quantiles but not ranks (KS needs a CDF). Here a chunk's values go
// in with one typed-array loop, and once the stream is long, only a random sample of each block of
// 2^s values enters at level s with weight 2^s (the sampler of Karnin, Lang and Liberty's KLL), so the
// cost per value falls as the stream grows while rank error stays near 1/sqrt(SAMPLE_TARGET).

/** KLL's k: the top level holds about this many items, each lower one 2/3 as many (at least MIN_CAPACITY). */
const TOP_CAPACITY = 256;
const MIN_CAPACITY = 32;
const SHRINK = 2 / 3;
/** Up to this many items nothing is compacted, so a column of up to this many values is summarized exactly. */
const EXACT_ITEMS = 1024;
/** The sampler keeps about this many items per doubling of the stream. */
const SAMPLE_TARGET = 16384;

/** The sketch as stored in a report (and read back for --baseline and `report merge`). */
export interface SketchState {
  /** Total weight: the number of values it summarizes. */
  readonly n: number;
  /** Level at which new values enter (sampling one in 2^level). */
  readonly sampleLevel: number;
  /** Items per level; an item at level h stands for 2^h values. */
  readonly levels: readonly (readonly number[])[];
}

export class QuantileSketch {
  private levels: Float64Array[] = [];
  private sizes: number[] = [];
  private sampleLevel = 0;
  /** Values seen since the sampler's level last changed, and where the current sampling block stands. */
  private blockFill = 0;
  private blockPick = 0;
  private n = 0;
  /** Items held, and how many the levels may hold before the lowest full one is compacted. */
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
      if (value - value === 0 && (nulls === undefined || nulls[i] !== 1)) this.push(0, value);
      i++;
      if (++this.n >= SAMPLE_TARGET * 2) this.raiseSampling();
    }
    while (i < length) {
      const block = 1 << this.sampleLevel;
      const take = Math.min(length - i, block - this.blockFill);
      const pick = this.blockPick - this.blockFill;
      if (pick >= 0 && pick < take) {
        const value = values[i + pick] as number;
        if (value - value === 0 && (nulls === undefined || nulls[i + pick] !== 1)) this.push(this.sampleLevel, value);
      }
      i += take;
      this.n += take;
      this.blockFill += take;
      if (this.blockFill === block) {
        this.blockFill = 0;
        if (this.n >= SAMPLE_TARGET * 2 ** (this.sampleLevel + 1)) this.sampleLevel++;
        this.blockPick = Math.floor(this.random() * (1 << this.sampleLevel));
      }
    }
  }

  /** Adds one value. */
  add(value: number): void {
    this.addAll([value], 1);
  }

  private raiseSampling(): void {
    this.sampleLevel++;
    this.blockFill = 0;
    this.blockPick = Math.floor(this.random() * (1 << this.sampleLevel));
  }

  private push(level: number, value: number): void {
    while (this.levels.length <= level) {
      this.levels.push(new Float64Array(MIN_CAPACITY));
      this.sizes.push(0);
      this.itemLimit = Math.max(EXACT_ITEMS, this.levels.reduce((sum, _, h) => sum + this.capacity(h), 0));
    }
    let items = this.levels[level] as Float64Array;
    const size = this.sizes[level] as number;
    if (size === items.length) {
      const grown = new Float64Array(size * 2);
      grown.set(items);
      this.levels[level] = items = grown;
    }
    items[size] = value;
    this.sizes[level] = size + 1;
    this.snapshot = undefined;
    if (++this.items > this.itemLimit) this.compactLowest();
  }


  /** Compacts the lowest level at its capacity (one is, when the sketch holds more than all capacities). */
  private compactLowest(): void {
    for (let level = 0; level < this.levels.length; level++) {
      if ((this.sizes[level] as number) >= this.capacity(level)) {
        this.compact(level);
        return;
      }
    }
  }

  /** KLL's capacities: geometric from the top level down. */
  private capacity(level: number): number {
    const depth = this.levels.length - 1 - level;
    return Math.max(MIN_CAPACITY, Math.ceil(TOP_CAPACITY * SHRINK ** depth));
  }

  /** Sorts a full level and moves every other item (from a random start) one level up; an odd one out stays. */
  private compact(level: number): void {
    const size = this.sizes[level] as number;
    const items = (this.levels[level] as Float64Array).subarray(0, size);
    items.sort();
    const offset = this.random() < 0.5 ? 0 : 1;
    const moved = size >> 1;
    if (level + 1 === this.levels.length) {
      this.levels.push(new Float64Array(Math.max(MIN_CAPACITY, moved * 2)));
      this.sizes.push(0);
      this.itemLimit = Math.max(EXACT_ITEMS, this.levels.reduce((sum, _, h) => sum + this.capacity(h), 0));
    }
    let target = this.levels[level + 1] as Float64Array;
    const start = this.sizes[level + 1] as number;
    if (start + moved > target.length) {
      const grown = new Float64Array(Math.max(target.length * 2, start + moved));
      grown.set(target.subarray(0, start));
      this.levels[level + 1] = target = grown;
    }
    for (let j = 0; j < moved; j++) target[start + j] = items[2 * j + offset] as number;
    this.sizes[level + 1] = start + moved;
    if (size % 2 === 1) items[0] = items[size - 1] as number;
    this.sizes[level] = size % 2;
    this.items -= moved;
  }

  /** Adds another sketch's values to this one. */
  merge(other: QuantileSketch | SketchState): void {
    const state = other instanceof QuantileSketch ? other.toState() : other;
    const before = this.n;
    state.levels.forEach((items, level) => {
      for (const value of items) this.push(level, value);
    });
    this.n = before + state.n;
    if (state.sampleLevel > this.sampleLevel) {
      this.sampleLevel = state.sampleLevel;
      this.blockFill = 0;
      this.blockPick = Math.floor(this.random() * (1 << this.sampleLevel));
    }
  }

  /** The weighted items in ascending order, with cumulative weights. */
  private sorted(): { values: Float64Array; cumulative: Float64Array } {
    this.snapshot ??= this.sortItems();
    return this.snapshot;
  }

  /** Summaries ask for several quantiles and a CDF at once: the sorted items are kept until the next value. */
  private snapshot: { values: Float64Array; cumulative: Float64Array } | undefined;

  private sortItems(): { values: Float64Array; cumulative: Float64Array } {
    const pairs: [number, number][] = [];
    this.levels.forEach((items, level) => {
      const size = this.sizes[level] as number;
      for (let i = 0; i < size; i++) pairs.push([items[i] as number, 2 ** level]);
    });
    pairs.sort((a, b) => a[0] - b[0]);
    const values = new Float64Array(pairs.length);
    const cumulative = new Float64Array(pairs.length);
    let total = 0;
    pairs.forEach(([value, weight], i) => {
      total += weight;
      values[i] = value;
      cumulative[i] = total;
    });
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

  toState(): SketchState {
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

function cdfOf({ values, cumulative }: { values: Float64Array; cumulative: Float64Array }, x: number): number {
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
