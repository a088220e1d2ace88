// Source helper: one Parquet column chunk of a flat number column (planned by parquet-footer.ts)
// decoded in JavaScript, page by page, straight into the tool's typed columns. On the bench's rows
// this costs a fraction of parquet-wasm's path (bytes copied into WebAssembly memory, decoded to
// Arrow, written as IPC, copied out, parsed again). Pages: dictionary, data v1 and v2; values plain
// or dictionary indices (RLE/bit-packed hybrid); nulls from one definition level.
import { gunzipSync } from 'node:zlib';
import type { Column } from '../shared/chunk.js';
import type { ChunkPlan, PhysicalType } from './parquet-footer.js';
import { snappyUncompress } from './snappy.js';
import { numberField, ParquetFormatError, structField, ThriftReader, type ThriftStruct } from './thrift-compact.js';

type Values = Float64Array | Float32Array | Int32Array | BigInt64Array;

const ARRAYS: Record<PhysicalType, { new (length: number): Values; readonly BYTES_PER_ELEMENT: number }> = { 1: Int32Array, 2: BigInt64Array, 4: Float32Array, 5: Float64Array };
const COLUMN_TYPES = { 1: 'int32', 2: 'int64', 4: 'float32', 5: 'float64' } as const;
const DATA_PAGE = 0;
const DICTIONARY_PAGE = 2;
const DATA_PAGE_V2 = 3;
const PLAIN = 0;
const PLAIN_DICTIONARY = 2;
const RLE = 3;
const RLE_DICTIONARY = 8;

/**
 * The data page being read: its present values densely (as a typed array, or for a plain page
 * without nulls as its bytes, copied once into the output), and 1/0 per row where some are null.
 */
interface Page {
  readonly rows: number;
  readonly values: Values | Uint8Array;
  readonly defined: Uint8Array | undefined;
  row: number;
  value: number;
}

/** Reads a column chunk's rows in order, `take(n)` rows at a time. */
export class ColumnPages {
  private offset = 0;
  private valuesLeft: number;
  private dictionary: Values | undefined;
  private page: Page | undefined;

  constructor(
    private readonly plan: ChunkPlan,
    private readonly bytes: Uint8Array,
  ) {
    this.valuesLeft = plan.values;
  }

  /** The next `rows` rows as a column (nulls, if any, as the mask; 0 under them). */
  take(rows: number): Column {
    const Values = ARRAYS[this.plan.type];
    const values = new Values(rows);
    let nulls: Uint8Array | undefined;
    for (let at = 0; at < rows; ) {
      if (this.page === undefined || this.page.row === this.page.rows) this.page = this.nextPage();
      const { page } = this;
      const count = Math.min(rows - at, page.rows - page.row);
      if (page.values instanceof Uint8Array) {
        const width = Values.BYTES_PER_ELEMENT;
        new Uint8Array(values.buffer, at * width, count * width).set(page.values.subarray(page.value * width, (page.value + count) * width));
        page.value += count;
      } else if (page.defined === undefined) {
        values.set(page.values.subarray(page.value, page.value + count) as never, at);
        page.value += count;
      } else {
        const { defined } = page;
        const words = Values.BYTES_PER_ELEMENT / 4;
        const to = bitsOf(values);
        const from = bitsOf(page.values);
        for (let i = 0; i < count; i++) {
          if (defined[page.row + i] === 1) {
            for (let word = 0; word < words; word++) to[(at + i) * words + word] = from[page.value * words + word] as number;
            page.value++;
          } else {
            nulls ??= new Uint8Array(rows);
            nulls[at + i] = 1;
          }
        }
      }
      page.row += count;
      at += count;
    }
    return { type: COLUMN_TYPES[this.plan.type], values, ...(nulls === undefined ? {} : { nulls }) } as Column;
  }

  /** Reads page headers until the next data page, keeping the dictionary page it may meet. */
  private nextPage(): Page {
    for (;;) {
      if (this.offset >= this.bytes.length) throw this.fail(`its pages end with ${this.valuesLeft} of its ${this.plan.values} values unread`);
      const reader = new ThriftReader(this.bytes, this.offset);
      let header: ThriftStruct;
      try {
        header = reader.readStruct();
      } catch (error) {
        throw this.fail(`its page header at byte ${this.plan.start + this.offset} is corrupt: ${(error as Error).message}`);
      }
      const type = numberField(header, 1);
      const uncompressed = numberField(header, 2) ?? -1;
      const compressed = numberField(header, 3) ?? -1;
      const start = reader.offset;
      if (!(compressed >= 0 && uncompressed >= 0 && start + compressed <= this.bytes.length)) throw this.fail(`the page at byte ${this.plan.start + this.offset} declares ${compressed} bytes, past the end of the column's pages (byte ${this.plan.start + this.plan.length})`);
      this.offset = start + compressed;
      const body = this.bytes.subarray(start, start + compressed);
      if (type === DICTIONARY_PAGE) {
        const dictionary = structField(header, 7);
        const count = dictionary === undefined ? -1 : (numberField(dictionary, 1) ?? -1);
        const encoding = dictionary === undefined ? undefined : numberField(dictionary, 2);
        if (encoding !== PLAIN && encoding !== PLAIN_DICTIONARY) throw this.fail(`its dictionary page has encoding ${encoding}`);
        this.dictionary = this.plain(this.decompress(body, uncompressed), 0, count);
      } else if (type === DATA_PAGE) {
        return this.dataPage(this.decompress(body, uncompressed), structField(header, 5));
      } else if (type === DATA_PAGE_V2) {
        return this.dataPageV2(body, uncompressed, structField(header, 8));
      }
      // Index pages and unknown page types carry no values: skipped.
    }
  }

  private dataPage(bytes: Uint8Array, header: ReturnType<typeof structField>): Page {
    const rows = this.pageRows(header === undefined ? undefined : numberField(header, 1));
    let at = 0;
    let defined: Uint8Array | undefined;
    if (this.plan.optional) {
      if (numberField(header as NonNullable<typeof header>, 3) !== RLE) throw this.fail('its definition levels are not RLE-encoded');
      if (bytes.length < 4) throw this.fail('a data page ends before its definition levels');
      const length = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
      if (4 + length > bytes.length) throw this.fail('its definition levels run past their page');
      defined = definitionLevels(bytes, 4, 4 + length, rows, this);
      at = 4 + length;
    }
    return this.pageValues(bytes, at, rows, defined, numberField(header as NonNullable<typeof header>, 2));
  }

  private dataPageV2(body: Uint8Array, uncompressed: number, header: ReturnType<typeof structField>): Page {
    if (header === undefined) throw this.fail('a data page v2 has no header');
    const rows = this.pageRows(numberField(header, 1));
    const levels = numberField(header, 5) ?? 0;
    const repetitions = numberField(header, 6) ?? 0;
    if (repetitions !== 0 || levels < 0 || levels > body.length || levels > uncompressed) throw this.fail('a data page v2 declares levels it cannot have');
    let defined: Uint8Array | undefined;
    if (this.plan.optional) defined = definitionLevels(body, 0, levels, rows, this);
    const compressed = header.get(7) !== false;
    const data = compressed ? this.decompress(body.subarray(levels), uncompressed - levels) : body.subarray(levels);
    return this.pageValues(data, 0, rows, defined, numberField(header, 4));
  }

  private pageRows(count: number | undefined): number {
    if (count === undefined || count <= 0 || count > this.valuesLeft) throw this.fail(`a data page declares ${count} values, with ${this.valuesLeft} left in the column`);
    this.valuesLeft -= count;
    return count;
  }

  /** The present values of a data page, from `at` in its (decompressed) bytes. */
  private pageValues(bytes: Uint8Array, at: number, rows: number, defined: Uint8Array | undefined, encoding: number | undefined): Page {
    let present = rows;
    if (defined !== undefined) {
      present = 0;
      for (let i = 0; i < rows; i++) present += defined[i] as number;
    }
    let values: Values | Uint8Array;
    if (encoding === PLAIN && present === rows) {
      const size = rows * ARRAYS[this.plan.type].BYTES_PER_ELEMENT;
      if (at + size !== bytes.length) throw this.fail(`a page holds ${bytes.length - at} bytes for ${rows} values`);
      values = bytes.subarray(at, at + size);
    } else if (encoding === PLAIN) {
      values = this.plain(bytes, at, present);
    } else if (encoding === PLAIN_DICTIONARY || encoding === RLE_DICTIONARY) {
      const { dictionary } = this;
      if (dictionary === undefined) throw this.fail('a dictionary-encoded page comes without a dictionary page');
      if (at >= bytes.length && present > 0) throw this.fail('a data page ends before its dictionary indices');
      const width = bytes[at] ?? 0;
      if (width > 32) throw this.fail(`its dictionary indices declare ${width} bits`);
      const indices = new Uint32Array(present);
      hybrid(bytes, at + 1, bytes.length, width, present, indices, this);
      values = new ARRAYS[this.plan.type](present);
      const size = dictionary.length;
      const to = bitsOf(values);
      const from = bitsOf(dictionary);
      const words = to.length / Math.max(1, present);
      for (let i = 0; i < present; i++) {
        const index = indices[i] as number;
        if (index >= size) throw this.fail(`a value points at dictionary entry ${index}, but the dictionary has ${size}`);
        if (words === 1) {
          to[i] = from[index] as number;
        } else {
          to[2 * i] = from[2 * index] as number;
          to[2 * i + 1] = from[2 * index + 1] as number;
        }
      }
    } else {
      throw this.fail(`a data page has encoding ${encoding}`);
    }
    // Required values are read straight from `values`; optional ones through `defined`.
    const all = defined !== undefined && present === rows;
    return { rows, values, defined: all ? undefined : defined, row: 0, value: 0 };
  }

  /**
   * `count` plain little-endian values from `at` to the page's end (copied, so that they are aligned
   * and own their memory). The values fill the page exactly: a page of another size (a type that a
   * damaged footer changed, say) is refused rather than read as other numbers.
   */
  private plain(bytes: Uint8Array, at: number, count: number): Values {
    const Values = ARRAYS[this.plan.type];
    const size = count * Values.BYTES_PER_ELEMENT;
    if (count < 0 || at + size !== bytes.length) throw this.fail(`a page holds ${bytes.length - at} bytes for ${count} values`);
    const values = new Values(count);
    new Uint8Array(values.buffer).set(bytes.subarray(at, at + size));
    return values;
  }

  private decompress(body: Uint8Array, uncompressed: number): Uint8Array {
    switch (this.plan.codec) {
      case 0:
        if (uncompressed !== body.length) throw this.fail(`an uncompressed page declares ${uncompressed} bytes and holds ${body.length}`);
        return body;
      case 1:
        try {
          return snappyUncompress(body, uncompressed);
        } catch (error) {
          throw this.fail((error as Error).message);
        }
      case 2: {
        const output = gunzipSync(body, { maxOutputLength: Math.max(1, uncompressed) });
        if (output.length !== uncompressed) throw this.fail(`a gzip page holds ${output.length} bytes, not the ${uncompressed} it declares`);
        return output;
      }
    }
  }

  fail(reason: string): ParquetFormatError {
    return new ParquetFormatError(`column '${this.plan.name}': ${reason}`);
  }
}

/**
 * A typed array's bits as 32-bit words: values are moved through these views, exact for every type
 * (no NaN canonicalised, no BigInt made per int64) and of one shape wherever the column's type varies.
 */
function bitsOf(values: Values): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.byteLength / 4);
}

/**
 * One definition level (0 null, 1 present) per row; undefined when the levels are a single run of
 * 1s (no nulls: the common case, read without a per-row array).
 */
function definitionLevels(bytes: Uint8Array, at: number, end: number, rows: number, pages: ColumnPages): Uint8Array | undefined {
  let header = 0;
  let scale = 1;
  let next = at;
  let complete = false;
  for (; next < end && next < at + 5; next++) {
    const byte = bytes[next] as number;
    header += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) {
      complete = true;
      break;
    }
  }
  if (complete && header % 2 === 0 && header / 2 >= rows && next + 1 < end && bytes[next + 1] === 1) return undefined;
  const defined = new Uint8Array(rows);
  hybrid(bytes, at, end, 1, rows, defined, pages);
  return defined;
}

/**
 * Parquet's RLE/bit-packed hybrid: `count` values of `width` bits from bytes [at, end) into `out`
 * (bit-packed groups are padded to 8 values; the padding past `count` is ignored).
 */
function hybrid(bytes: Uint8Array, at: number, end: number, width: number, count: number, out: Uint8Array | Uint32Array, pages: ColumnPages): void {
  const valueBytes = (width + 7) >> 3;
  let filled = 0;
  while (filled < count) {
    let header = 0;
    let scale = 1;
    for (;;) {
      if (at >= end) throw pages.fail(`its RLE data ends after ${filled} of ${count} values`);
      const byte = bytes[at++] as number;
      header += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 128;
      if (scale > 2 ** 35) throw pages.fail('an RLE run header is too long');
    }
    if (header % 2 === 0) {
      const run = Math.min(header / 2, count - filled);
      if (at + valueBytes > end) throw pages.fail('an RLE run ends before its value');
      let value = 0;
      for (let i = valueBytes - 1; i >= 0; i--) value = value * 256 + (bytes[at + i] as number);
      at += valueBytes;
      out.fill(value, filled, filled + run);
      filled += run;
    } else {
      const groupBytes = ((header - 1) / 2) * width;
      const run = Math.min(((header - 1) / 2) * 8, count - filled);
      // Some writers cut the last group's padding: the values asked for must be there.
      if (at + Math.ceil((run * width) / 8) > end) throw pages.fail('a bit-packed run ends before its values');
      unpack(bytes, at, width, run, out, filled);
      at += groupBytes;
      filled += run;
    }
  }
}

/** `count` values of `width` bits, least significant bit first, from `at` into out[from...]. */
function unpack(bytes: Uint8Array, at: number, width: number, count: number, out: Uint8Array | Uint32Array, from: number): void {
  if (width === 0) {
    out.fill(0, from, from + count);
    return;
  }
  if (width <= 24) {
    const mask = (1 << width) - 1;
    let buffer = 0;
    let bits = 0;
    for (let i = 0; i < count; i++) {
      while (bits < width) {
        buffer |= (bytes[at++] ?? 0) << bits;
        bits += 8;
      }
      out[from + i] = buffer & mask;
      buffer >>>= width;
      bits -= width;
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    let value = 0;
    for (let bit = 0; bit < width; bit++) {
      const position = i * width + bit;
      value += (((bytes[at + (position >> 3)] ?? 0) >> (position & 7)) & 1) * 2 ** bit;
    }
    out[from + i] = value;
  }
}
