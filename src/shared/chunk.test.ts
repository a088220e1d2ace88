import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InternalError } from '../errors.js';
import { concatChunks, concatColumns, isNull, lineOf, placeOf, rejectValue, RejectList, rowAt, sliceChunk, sliceColumn, takeRows, withoutRejected, type Column, type ColumnChunk, type ExactColumn } from './chunk.js';

function sampleChunk(): ColumnChunk {
  const columns = new Map<string, Column>([
    ['x', { type: 'float64', values: Float64Array.from([1, 2, 3, 4, 5]), nulls: Uint8Array.from([0, 1, 0, 0, 1]) }],
    ['n', { type: 'int64', values: BigInt64Array.from([10n, 20n, 30n, 40n, 50n]) }],
    ['s', { type: 'string', values: ['a', null, 'c', 'd', null] }],
  ]);
  return {
    rowOffset: 100,
    rowCount: 5,
    columns,
    origin: { source: 'in.csv', lines: Uint32Array.from([2, 3, 5, 6, 7]), firstRowInSource: 20 },
  };
}

describe('sliceChunk', () => {
  it('keeps rows [1, 4) of every column', () => {
    const slice = sliceChunk(sampleChunk(), 1, 4);
    assert.equal(slice.rowCount, 3);
    const x = slice.columns.get('x');
    const n = slice.columns.get('n');
    const s = slice.columns.get('s');
    assert.equal(x?.type, 'float64');
    assert.deepEqual([...(x?.values as Float64Array)], [2, 3, 4]);
    assert.deepEqual([...(n?.values as BigInt64Array)], [20n, 30n, 40n]);
    assert.deepEqual(s?.values, [null, 'c', 'd']);
  });

  it('keeps the column order of the chunk', () => {
    assert.deepEqual([...sliceChunk(sampleChunk(), 0, 2).columns.keys()], ['x', 'n', 's']);
  });

  it('moves rowOffset and firstRowInSource forward by the start of the slice', () => {
    const slice = sliceChunk(sampleChunk(), 2, 5);
    assert.equal(slice.rowOffset, 102);
    assert.equal(slice.origin.firstRowInSource, 22);
    assert.equal(slice.origin.source, 'in.csv');
  });

  it('slices the physical line numbers with the rows', () => {
    const slice = sliceChunk(sampleChunk(), 2, 5);
    assert.deepEqual([...(slice.origin.lines ?? [])], [5, 6, 7]);
    assert.equal(lineOf(slice, 0), 5);
    assert.equal(lineOf(slice, 2), 7);
  });

  it('leaves lines undefined when the source has none', () => {
    const { lines: _lines, ...origin } = sampleChunk().origin;
    const chunk: ColumnChunk = { ...sampleChunk(), origin };
    const slice = sliceChunk(chunk, 1, 3);
    assert.equal(slice.origin.lines, undefined);
    assert.ok(!('lines' in slice.origin));
    assert.equal(lineOf(slice, 0), undefined);
  });

  it('slices null markers with the values', () => {
    const slice = sliceChunk(sampleChunk(), 1, 5);
    const x = slice.columns.get('x') as Column;
    const s = slice.columns.get('s') as Column;
    assert.deepEqual([0, 1, 2, 3].map((i) => isNull(x, i)), [true, false, false, true]);
    assert.deepEqual([0, 1, 2, 3].map((i) => isNull(s, i)), [true, false, false, true]);
  });

  it('leaves nulls undefined for a column without them', () => {
    const n = sliceChunk(sampleChunk(), 1, 3).columns.get('n');
    assert.ok(n !== undefined && n.type !== 'string');
    assert.equal(n.nulls, undefined);
  });

  it('gives an empty chunk for an empty range', () => {
    const slice = sliceChunk(sampleChunk(), 3, 3);
    assert.equal(slice.rowCount, 0);
    assert.equal(slice.columns.get('x')?.values.length, 0);
    assert.equal(slice.origin.lines?.length, 0);
  });
});

describe('sliceColumn', () => {
  it('slices every typed column type', () => {
    const columns: Column[] = [
      { type: 'float32', values: Float32Array.from([1, 2, 3]) },
      { type: 'int32', values: Int32Array.from([1, 2, 3]) },
      { type: 'bool', values: Uint8Array.from([1, 0, 1]), nulls: Uint8Array.from([0, 0, 1]) },
    ];
    for (const column of columns) {
      const slice = sliceColumn(column, 1, 3);
      assert.equal(slice.type, column.type);
      assert.deepEqual([...slice.values].map(Number), [...column.values].slice(1, 3).map(Number));
    }
    const bool = sliceColumn(columns[2] as Column, 1, 3);
    assert.equal(isNull(bool, 1), true);
    assert.equal(isNull(bool, 0), false);
  });
});

describe('concatColumns', () => {
  it('joins float64 columns end to end', () => {
    const joined = concatColumns<Column>([
      { type: 'float64', values: Float64Array.from([1, 2]) },
      { type: 'float64', values: Float64Array.from([3]) },
      { type: 'float64', values: Float64Array.from([4, 5]) },
    ]);
    assert.equal(joined.type, 'float64');
    assert.ok(joined.values instanceof Float64Array);
    assert.deepEqual([...joined.values], [1, 2, 3, 4, 5]);
    assert.equal(joined.nulls, undefined);
  });

  it('keeps the typed array type of float32, int32, int64 and bool columns', () => {
    const f32 = concatColumns([
      { type: 'float32', values: Float32Array.from([0.5]) },
      { type: 'float32', values: Float32Array.from([1.5]) },
    ]);
    assert.ok(f32.values instanceof Float32Array);
    assert.deepEqual([...f32.values], [0.5, 1.5]);
    const i32 = concatColumns([
      { type: 'int32', values: Int32Array.from([-1]) },
      { type: 'int32', values: Int32Array.from([2, 3]) },
    ]);
    assert.ok(i32.values instanceof Int32Array);
    assert.deepEqual([...i32.values], [-1, 2, 3]);
    const i64 = concatColumns([
      { type: 'int64', values: BigInt64Array.from([2n ** 62n]) },
      { type: 'int64', values: BigInt64Array.from([-5n]) },
    ]);
    assert.ok(i64.values instanceof BigInt64Array);
    assert.deepEqual([...i64.values], [2n ** 62n, -5n]);
    const bool = concatColumns([
      { type: 'bool', values: Uint8Array.from([1]) },
      { type: 'bool', values: Uint8Array.from([0]) },
    ]);
    assert.equal(bool.type, 'bool');
    assert.deepEqual([...bool.values], [1, 0]);
  });

  it('joins string columns, keeping nulls', () => {
    const joined = concatColumns<Column>([
      { type: 'string', values: ['a', null] },
      { type: 'string', values: [] },
      { type: 'string', values: ['c'] },
    ]);
    assert.deepEqual(joined, { type: 'string', values: ['a', null, 'c'] });
  });

  it('merges null markers, marking rows of parts without nulls as present', () => {
    const joined = concatColumns<Column>([
      { type: 'float64', values: Float64Array.from([1, 2]) },
      { type: 'float64', values: Float64Array.from([Number.NaN, 4]), nulls: Uint8Array.from([1, 0]) },
      { type: 'float64', values: Float64Array.from([5]) },
      { type: 'float64', values: Float64Array.from([Number.NaN]), nulls: Uint8Array.from([1]) },
    ]);
    assert.ok(joined.type === 'float64');
    assert.deepEqual([...(joined.nulls ?? [])], [0, 0, 1, 0, 0, 1]);
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => isNull(joined, i)), [false, false, true, false, false, true]);
  });

  it('gives back a single column as it is', () => {
    const column: Column = { type: 'int32', values: Int32Array.from([1]) };
    assert.equal(concatColumns([column]), column);
  });

  it('throws an InternalError when the columns have different types', () => {
    assert.throws(
      () =>
        concatColumns([
          { type: 'float64', values: Float64Array.from([1]) },
          { type: 'float32', values: Float32Array.from([1]) },
        ]),
      (error: unknown) => error instanceof InternalError && /float32/.test(error.message) && /float64/.test(error.message),
    );
    assert.throws(
      () =>
        concatColumns([
          { type: 'string', values: ['a'] },
          { type: 'float64', values: Float64Array.from([1]) },
        ]),
      InternalError,
    );
  });

  it('throws an InternalError when given no columns', () => {
    assert.throws(() => concatColumns([]), InternalError);
  });
});

describe('bad rows leave a chunk where they are found', () => {
  function withRejects(rows: readonly number[]): ColumnChunk {
    const rejects = new RejectList();
    for (const row of rows) rejects.add({ row, source: 'in.csv', line: undefined, column: 'x', reason: 'bad', value: '' });
    return { ...sampleChunk(), rejects };
  }

  it('drops the rows the reject list holds from every column, line and record, keeping their global rows', () => {
    const chunk = withRejects([101, 103, 999]);
    const left = withoutRejected({ ...chunk, origin: { ...chunk.origin, records: ['r0', 'r1', 'r2', 'r3', 'r4'] } });
    assert.equal(left.rowCount, 3);
    assert.deepEqual([...(left.columns.get('x')?.values as Float64Array)], [1, 3, 5]);
    assert.deepEqual([...((left.columns.get('x') as { nulls: Uint8Array }).nulls)], [0, 0, 1]);
    assert.deepEqual(left.columns.get('s')?.values, ['a', 'c', null]);
    assert.deepEqual([...(left.origin.lines ?? [])], [2, 5, 7]);
    assert.deepEqual(left.origin.records, ['r0', 'r2', 'r4']);
    assert.deepEqual([0, 1, 2].map((i) => rowAt(left, i)), [100, 102, 104]);
    assert.equal(left.rowOffset, 100);
  });

  it('gives back the same chunk when none of its rows is rejected', () => {
    const chunk = withRejects([7]);
    assert.equal(withoutRejected(chunk), chunk);
    assert.equal(withoutRejected(sampleChunk()).rowCount, 5);
  });

  it('points later problems at the real row: a reject and a message name the row the input had', () => {
    const left = withoutRejected({ ...withRejects([100, 101]), origin: { source: 'in.arrow', firstRowInSource: 20 } });
    // Row 1 of what is left is global row 103, the input's row 23.
    assert.equal(placeOf(left, 1), 'row 23');
    rejectValue(left, 1, 'x', 'expected a number', 'abc');
    assert.deepEqual(left.rejects?.take(103, 104).map((reject) => reject.row), [103]);
  });

  it('keeps global rows through slices and joins of what is left', () => {
    const left = withoutRejected(withRejects([101]));
    const [head, tail] = [sliceChunk(left, 0, 2), sliceChunk(left, 2, 4)];
    assert.deepEqual([0, 1].map((i) => rowAt(tail, i)), [103, 104]);
    assert.equal(placeOf({ ...tail, origin: { source: 'in.arrow', firstRowInSource: tail.origin.firstRowInSource } }, 0), 'row 23');
    const joined = concatChunks([head, tail]);
    assert.deepEqual([0, 1, 2, 3].map((i) => rowAt(joined, i)), [100, 102, 103, 104]);
    // Chunks without gaps stay without row ids.
    assert.equal(concatChunks([sliceChunk(sampleChunk(), 0, 2), sliceChunk(sampleChunk(), 2, 5)]).rowIds, undefined);
  });
});

describe('decimal columns (several words a row)', () => {
  // Rows 0..3 as 128-bit words [r, r + 10, r + 20, r + 30]; row 2 is null.
  const decimal: ExactColumn = {
    type: 'decimal',
    precision: 18,
    scale: 4,
    bitWidth: 128,
    values: Uint32Array.from({ length: 16 }, (_, i) => (i >> 2) + 10 * (i & 3)),
    nulls: Uint8Array.from([0, 0, 1, 0]),
  };
  const rows = (column: ExactColumn): number[][] => Array.from({ length: column.values.length / 4 }, (_, r) => Array.from((column.values as Uint32Array).subarray(r * 4, r * 4 + 4)));

  it('slices, takes and joins whole rows with their nulls and type', () => {
    const slice = sliceColumn(decimal, 1, 3);
    assert.deepEqual(rows(slice), [[1, 11, 21, 31], [2, 12, 22, 32]]);
    assert.deepEqual(slice.nulls, Uint8Array.from([0, 1]));
    const taken = takeRows(decimal, Int32Array.from([0, 2, 3]));
    assert.deepEqual(rows(taken), [[0, 10, 20, 30], [2, 12, 22, 32], [3, 13, 23, 33]]);
    assert.deepEqual(taken.nulls, Uint8Array.from([0, 1, 0]));
    const joined = concatColumns([sliceColumn(decimal, 0, 1), sliceColumn(decimal, 1, 4)]);
    assert.deepEqual(rows(joined), rows(decimal));
    assert.deepEqual(joined.nulls, decimal.nulls);
    assert.deepEqual({ ...joined, values: undefined, nulls: undefined }, { ...decimal, values: undefined, nulls: undefined });
  });
});
