// The JavaScript page decoder on pages built here byte by byte (Thrift compact headers, RLE/bit-packed
// levels and indices, Snappy blocks), so that each case (page versions, dictionary, nulls, slices across
// pages, corrupt pages) is known exactly; real files written by DuckDB are read in parquet.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Column } from '../shared/chunk.js';
import type { ChunkPlan } from './parquet-footer.js';
import { ColumnPages } from './parquet-pages.js';
import { snappyUncompress } from './snappy.js';

type Field = readonly [id: number, value: number | boolean | Field[]];

function varint(value: number): number[] {
  const bytes: number[] = [];
  for (; value >= 0x80; value = Math.floor(value / 128)) bytes.push((value % 128) | 0x80);
  bytes.push(value);
  return bytes;
}

/** A Thrift compact struct of i32, bool and struct fields, in ascending id order. */
function struct(fields: readonly Field[]): number[] {
  const bytes: number[] = [];
  let last = 0;
  for (const [id, value] of fields) {
    const type = typeof value === 'boolean' ? (value ? 1 : 2) : typeof value === 'number' ? 5 : 12;
    bytes.push(((id - last) << 4) | type);
    last = id;
    if (typeof value === 'number') bytes.push(...varint(value >= 0 ? value * 2 : -value * 2 - 1));
    else if (typeof value !== 'boolean') bytes.push(...struct(value));
  }
  bytes.push(0);
  return bytes;
}

/** Snappy of `data` as literals of at most 60 bytes (a valid block, as a compressor may write it). */
function snappyLiterals(data: readonly number[]): number[] {
  const bytes = varint(data.length);
  for (let at = 0; at < data.length; at += 60) {
    const piece = data.slice(at, at + 60);
    bytes.push((piece.length - 1) << 2, ...piece);
  }
  return bytes;
}

function le(Array: Float64ArrayConstructor | Float32ArrayConstructor | Int32ArrayConstructor, values: readonly number[]): number[] {
  return [...new Uint8Array(Array.from(values).buffer)];
}

function int64s(values: readonly bigint[]): number[] {
  return [...new Uint8Array(BigInt64Array.from(values).buffer)];
}

/** A page: header (type, sizes, and the page kind's own header) then the body, compressed by `codec`. */
function page(type: 0 | 2 | 3, raw: readonly number[], kindHeader: Field, options: { compress?: (raw: readonly number[]) => number[]; uncompressedPrefix?: number[] } = {}): number[] {
  const body = [...(options.uncompressedPrefix ?? []), ...(options.compress ?? ((bytes) => [...bytes]))(raw)];
  const uncompressed = (options.uncompressedPrefix?.length ?? 0) + raw.length;
  return [...struct([[1, type], [2, uncompressed], [3, body.length], kindHeader]), ...body];
}

function pagesOf(plan: Omit<ChunkPlan, 'start' | 'length' | 'name'>, bytes: readonly number[]): ColumnPages {
  return new ColumnPages({ name: 'x', start: 4, length: bytes.length, ...plan }, Uint8Array.from(bytes));
}

function valuesOf(column: Column): unknown[] {
  return Array.from(column.values as ArrayLike<unknown>, (value, i) => (column.type !== 'string' && column.nulls?.[i] === 1 ? null : value));
}

describe('Parquet pages decoded in JavaScript', () => {
  it('reads plain pages of a required double column in slices that cross page boundaries', () => {
    const first = page(0, le(Float64Array, [1.5, -2, 3e300, 0.25, 5]), [5, [[1, 5], [2, 0], [3, 3], [4, 3]]]);
    const second = page(0, le(Float64Array, [6, 7, 8, Number.NaN]), [5, [[1, 4], [2, 0], [3, 3], [4, 3]]]);
    const pages = pagesOf({ type: 5, optional: false, codec: 0, values: 9 }, [...first, ...second]);
    const a = pages.take(3);
    const b = pages.take(4);
    const c = pages.take(2);
    assert.equal(a.type, 'float64');
    assert.deepEqual([valuesOf(a), valuesOf(b), valuesOf(c)], [[1.5, -2, 3e300], [0.25, 5, 6, 7], [8, Number.NaN]]);
    assert.ok(b.type === 'float64' && b.nulls === undefined);
    assert.throws(() => pages.take(1), /column 'x': its pages end with 0 of its 9 values unread/);
  });

  it('reads an optional int64 column from a dictionary page and Snappy data pages with nulls (v1 and v2)', () => {
    const dictionary = page(2, int64s([10n, -20n, 30000000000n]), [7, [[1, 3], [2, 0]]], { compress: snappyLiterals });
    // v1: 4-byte length, then definition levels 1,0,1,1,0,1 bit-packed (one group of 8, padded),
    // then bit width 2 and indices 2,0,1,2 as an RLE run of one 2 and a bit-packed group 0,1,2.
    const v1 = [2, 0, 0, 0, 0b11, 0b00101101, 2, 1 << 1, 2, 0b11, 0b00100100, 0];
    const dataV1 = page(0, v1, [5, [[1, 6], [2, 8], [3, 3], [4, 3]]], { compress: snappyLiterals });
    // v2: levels uncompressed before the compressed values (all three present: an RLE run of 1s).
    const levelsV2 = [3 << 1, 1];
    const dataV2 = page(3, [2, 0b11, 0b00100001, 0], [8, [[1, 3], [2, 0], [3, 3], [4, 8], [5, levelsV2.length], [6, 0], [7, true]]], { compress: snappyLiterals, uncompressedPrefix: levelsV2 });
    const pages = pagesOf({ type: 2, optional: true, codec: 1, values: 9 }, [...dictionary, ...dataV1, ...dataV2]);
    const first = pages.take(4);
    const rest = pages.take(5);
    assert.equal(first.type, 'int64');
    assert.deepEqual(valuesOf(first), [30000000000n, null, 10n, -20n]);
    assert.deepEqual(valuesOf(rest), [null, 30000000000n, -20n, 10n, 30000000000n]);
  });

  it('reads float and int32 plain values after definition levels, and an uncompressed v2 page', () => {
    const floats = page(3, le(Float32Array, [0.5, -1.25]), [8, [[1, 3], [2, 1], [3, 3], [4, 0], [5, 2], [6, 0], [7, false]]], { uncompressedPrefix: [0b11, 0b101] });
    const column = pagesOf({ type: 4, optional: true, codec: 1, values: 3 }, floats).take(3);
    assert.equal(column.type, 'float32');
    assert.deepEqual(valuesOf(column), [0.5, null, -1.25]);
    const ints = pagesOf({ type: 1, optional: false, codec: 0, values: 2 }, page(0, le(Int32Array, [-7, 2147483647]), [5, [[1, 2], [2, 0], [3, 3], [4, 3]]])).take(2);
    assert.deepEqual([ints.type, valuesOf(ints)], ['int32', [-7, 2147483647]]);
  });

  it('refuses corrupt pages with a reason naming the column', () => {
    const dictionary = page(2, le(Float64Array, [1, 2]), [7, [[1, 2], [2, 0]]]);
    const outside = page(0, [2, 2 << 1, 2], [5, [[1, 2], [2, 8], [3, 3], [4, 3]]]);
    assert.throws(() => pagesOf({ type: 5, optional: false, codec: 0, values: 2 }, [...dictionary, ...outside]).take(2), /column 'x': a value points at dictionary entry 2, but the dictionary has 2/);
    const long = page(0, le(Float64Array, [1]), [5, [[1, 1], [2, 0], [3, 3], [4, 3]]]);
    long[5] = 0x7f;
    assert.throws(() => pagesOf({ type: 5, optional: false, codec: 0, values: 1 }, long).take(1), /column 'x': .*(declares|past)/);
    const short = page(0, le(Float64Array, [1]), [5, [[1, 2], [2, 0], [3, 3], [4, 3]]]);
    assert.throws(() => pagesOf({ type: 5, optional: false, codec: 0, values: 2 }, short).take(2), /column 'x': a page holds 8 bytes for 2 values/);
    const wider = page(0, le(Float64Array, [1, 2]), [5, [[1, 1], [2, 0], [3, 3], [4, 3]]]);
    assert.throws(() => pagesOf({ type: 5, optional: false, codec: 0, values: 1 }, wider).take(1), /a page holds 16 bytes for 1 values/);
    const tooMany = page(0, le(Float64Array, [1, 2]), [5, [[1, 2], [2, 0], [3, 3], [4, 3]]]);
    assert.throws(() => pagesOf({ type: 5, optional: false, codec: 0, values: 1 }, tooMany).take(1), /a data page declares 2 values, with 1 left in the column/);
    const lying = page(0, le(Float64Array, [1]), [5, [[1, 1], [2, 0], [3, 3], [4, 3]]], { compress: (raw) => [9, ...snappyLiterals(raw).slice(1)] });
    assert.throws(() => pagesOf({ type: 5, optional: false, codec: 1, values: 1 }, lying).take(1), /Snappy/);
  });
});

describe('Snappy', () => {
  it('decompresses literals and copies, overlapping ones included, and refuses a block that lies', () => {
    // "abc", then a copy of 9 bytes from 3 back (overlapping), then 19 bytes from 12 back (2-byte offset), then "!".
    const block = Uint8Array.from([32, 2 << 2, 97, 98, 99, ((9 - 4) << 2) | 1, 3, ((19 - 1) << 2) | 2, 12, 0, 0, 33]);
    assert.equal(Buffer.from(snappyUncompress(block, 32)).toString('latin1'), `${'abc'.repeat(4)}abcabcabcabcabcabca!`);
    assert.throws(() => snappyUncompress(block, 31), /declares 32, its page 31/);
    assert.throws(() => snappyUncompress(Uint8Array.from([8, ((5 - 4) << 2) | 1, 1]), 8), /Snappy block is corrupt/);
    assert.throws(() => snappyUncompress(Uint8Array.from([8, 3 << 2, 1, 2, 3, 4]), 8), /Snappy block is corrupt/);
    assert.throws(() => snappyUncompress(Uint8Array.from([0xff, 0xff, 0xff, 0x0f, 0]), 2 ** 25 - 1), /declares/);
  });
});
