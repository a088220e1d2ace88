import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RejectList, type Column, type ColumnChunk } from '../shared/chunk.js';
import { cutBatches, type BatchCut } from './cut-batches.js';

/**
 * Chunks of the given sizes from one input: row r has x = r, label 'r<r>', physical line 2 + 2r
 * (so lines are not simply consecutive), and a null x every third row.
 */
function chunksOf(sizes: readonly number[], withLines = true): ColumnChunk[] {
  const chunks: ColumnChunk[] = [];
  let row = 0;
  for (const size of sizes) {
    const rows = Array.from({ length: size }, (_, i) => row + i);
    const columns = new Map<string, Column>([
      ['x', { type: 'float64', values: Float64Array.from(rows), nulls: Uint8Array.from(rows.map((r) => (r % 3 === 2 ? 1 : 0))) }],
      ['label', { type: 'string', values: rows.map((r) => `r${r}`) }],
    ]);
    chunks.push({
      rowOffset: 1000 + row,
      rowCount: size,
      columns,
      origin: { source: 'data.csv', firstRowInSource: row, ...(withLines ? { lines: Uint32Array.from(rows.map((r) => 2 + 2 * r)) } : {}) },
    });
    row += size;
  }
  return chunks;
}

async function* stream(chunks: readonly ColumnChunk[]): AsyncGenerator<ColumnChunk> {
  for (const chunk of chunks) yield chunk;
}

async function collect(chunks: readonly ColumnChunk[], rows: number): Promise<ColumnChunk[]> {
  return (await cutAll(chunks, { rows, skipRows: 0, partRows: undefined, rejects: undefined })).batches;
}

async function cutAll(chunks: readonly ColumnChunk[], cut: BatchCut): Promise<{ batches: ColumnChunk[]; end: number }> {
  const batches: ColumnChunk[] = [];
  const iterator = cutBatches(stream(chunks), cut);
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) return { batches, end: next.value };
    batches.push(next.value);
  }
}

function xs(chunk: ColumnChunk): number[] {
  return [...((chunk.columns.get('x') as Column).values as Float64Array)];
}

describe('cutBatches: batch size', () => {
  it('regroups chunks of 3, 3, 3, 1 rows into 4, 4, 2', async () => {
    const out = await collect(chunksOf([3, 3, 3, 1]), 4);
    assert.deepEqual(out.map((chunk) => chunk.rowCount), [4, 4, 2]);
    assert.deepEqual(out.map(xs), [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it('splits a 10-row chunk into 4, 4, 2', async () => {
    const out = await collect(chunksOf([10]), 4);
    assert.deepEqual(out.map((chunk) => chunk.rowCount), [4, 4, 2]);
    assert.deepEqual(out.map(xs), [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it('keeps rowOffset, firstRowInSource and origin.lines contiguous across the new batches', async () => {
    const out = await collect(chunksOf([3, 3, 3, 1]), 4);
    assert.deepEqual(out.map((chunk) => chunk.rowOffset), [1000, 1004, 1008]);
    assert.deepEqual(out.map((chunk) => chunk.origin.firstRowInSource), [0, 4, 8]);
    assert.deepEqual(out.map((chunk) => [...(chunk.origin.lines ?? [])]), [
      [2, 4, 6, 8],
      [10, 12, 14, 16],
      [18, 20],
    ]);
    for (const chunk of out) assert.equal(chunk.origin.source, 'data.csv');
  });

  it('keeps rowOffset and lines contiguous when a large chunk is split', async () => {
    const out = await collect(chunksOf([10]), 4);
    assert.deepEqual(out.map((chunk) => chunk.rowOffset), [1000, 1004, 1008]);
    assert.deepEqual(out.map((chunk) => [...(chunk.origin.lines ?? [])]), [
      [2, 4, 6, 8],
      [10, 12, 14, 16],
      [18, 20],
    ]);
  });

  it('carries string values and null markers into the joined batches', async () => {
    const out = await collect(chunksOf([3, 3, 3, 1]), 4);
    assert.deepEqual(out.map((chunk) => (chunk.columns.get('label') as Column).values), [
      ['r0', 'r1', 'r2', 'r3'],
      ['r4', 'r5', 'r6', 'r7'],
      ['r8', 'r9'],
    ]);
    const nulls = out.map((chunk) => {
      const x = chunk.columns.get('x');
      assert.ok(x !== undefined && x.type === 'float64');
      return [...(x.nulls ?? [])];
    });
    assert.deepEqual(nulls, [
      [0, 0, 1, 0],
      [0, 1, 0, 0],
      [1, 0],
    ]);
  });

  it('keeps the column order', async () => {
    const out = await collect(chunksOf([3, 3]), 4);
    for (const chunk of out) assert.deepEqual([...chunk.columns.keys()], ['x', 'label']);
  });

  it('leaves lines undefined when the chunks have none', async () => {
    const out = await collect(chunksOf([3, 3], false), 4);
    assert.deepEqual(out.map((chunk) => chunk.rowCount), [4, 2]);
    for (const chunk of out) assert.equal(chunk.origin.lines, undefined);
  });

  it('passes chunks of exactly the batch size through unchanged', async () => {
    const input = chunksOf([4, 4]);
    const out = await collect(input, 4);
    assert.equal(out.length, 2);
    assert.equal(out[0], input[0]);
    assert.equal(out[1], input[1]);
  });

  it('yields one batch when all rows fit in it', async () => {
    const out = await collect(chunksOf([1, 2, 1]), 100);
    assert.deepEqual(out.map((chunk) => chunk.rowCount), [4]);
    assert.deepEqual(out.map(xs), [[0, 1, 2, 3]]);
  });

  it('yields single rows with a batch size of 1', async () => {
    const out = await collect(chunksOf([3]), 1);
    assert.deepEqual(out.map(xs), [[0], [1], [2]]);
    assert.deepEqual(out.map((chunk) => chunk.rowOffset), [1000, 1001, 1002]);
  });

  it('yields nothing for no input chunks', async () => {
    assert.deepEqual(await collect([], 4), []);
  });

  it('skips empty chunks', async () => {
    const out = await collect(chunksOf([0, 3, 0, 2]), 4);
    assert.deepEqual(out.map((chunk) => chunk.rowCount), [4, 1]);
    assert.deepEqual(out.map(xs), [[0, 1, 2, 3], [4]]);
  });
});

describe('cutBatches: parts and resumed runs', () => {
  const offsets = (batches: readonly ColumnChunk[]): [number, number][] => batches.map((batch) => [batch.rowOffset, batch.rowCount]);

  it('never lets a batch cross a part boundary, and restarts batches at each boundary', async () => {
    // Global rows 1000..1009 in chunks of 4 and 6, parts of 3 rows: parts start at 1002, 1005 and 1008.
    const { batches, end } = await cutAll(chunksOf([4, 6]), { rows: 2, skipRows: 0, partRows: 3, rejects: undefined });
    assert.deepEqual(offsets(batches), [[1000, 2], [1002, 2], [1004, 1], [1005, 2], [1007, 1], [1008, 2]]);
    assert.equal(end, 1010);
  });

  it('cuts after a part boundary exactly as a run resumed there does', async () => {
    const whole = await cutAll(chunksOf([5, 5]), { rows: 4, skipRows: 0, partRows: 3, rejects: undefined });
    const resumed = await cutAll(chunksOf([5, 5]), { rows: 4, skipRows: 1005, partRows: 3, rejects: undefined });
    assert.deepEqual(offsets(resumed.batches), offsets(whole.batches).filter(([offset]) => offset >= 1005));
    assert.deepEqual(resumed.batches.map(xs), whole.batches.filter((batch) => batch.rowOffset >= 1005).map(xs));
    assert.equal(resumed.end, 1010);
  });

  it('skips the committed rows and drops their rejects, keeping the later ones', async () => {
    const rejects = new RejectList();
    rejects.add({ row: 1001, source: 'data.csv', line: 4, column: 'x', reason: 'early', value: '' });
    rejects.add({ row: 1007, source: 'data.csv', line: 16, column: 'x', reason: 'late', value: '' });
    const { batches } = await cutAll(chunksOf([3, 7]), { rows: 10, skipRows: 1004, partRows: undefined, rejects });
    assert.deepEqual(offsets(batches), [[1004, 6]]);
    assert.deepEqual(xs(batches[0] as ColumnChunk), [4, 5, 6, 7, 8, 9]);
    assert.deepEqual(rejects.take(1000, 1010).map((reject) => reject.reason), ['late']);
  });

  it('returns the end of the input even when every row was committed before', async () => {
    const { batches, end } = await cutAll(chunksOf([3, 3]), { rows: 4, skipRows: 1006, partRows: 3, rejects: undefined });
    assert.deepEqual(batches, []);
    assert.equal(end, 1006);
  });
});
