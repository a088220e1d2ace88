import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Column, ColumnChunk } from '../shared/chunk.js';
import { rebatch } from './rebatch.js';

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
  const out: ColumnChunk[] = [];
  for await (const chunk of rebatch(stream(chunks), rows)) out.push(chunk);
  return out;
}

function xs(chunk: ColumnChunk): number[] {
  return [...((chunk.columns.get('x') as Column).values as Float64Array)];
}

describe('rebatch', () => {
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
