import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Column, ColumnChunk } from '../shared/chunk.js';
import { openSource, readParquetLayout, type InputRange } from './index.js';

// Written by DuckDB (fixtures/make-parquet.mjs), not by the library this reader uses.
const FIXTURES = fileURLToPath(new URL('../../../fixtures/parquet/', import.meta.url));

async function readAll(path: string, options: { columns?: ReadonlySet<string>; chunkRows?: number; range?: InputRange; workers?: number } = {}): Promise<ColumnChunk[]> {
  const source = await openSource('parquet', { path, delimiter: ',', workers: options.workers ?? 1, ...(options.range === undefined ? {} : { range: options.range }) });
  const chunks: ColumnChunk[] = [];
  try {
    for await (const chunk of source.chunks({ chunkRows: options.chunkRows ?? 1000, rowOffset: 0, numericColumns: new Set(), ...(options.columns === undefined ? {} : { columns: options.columns }) })) chunks.push(chunk);
  } finally {
    await source.close();
  }
  return chunks;
}

function valuesOf(column: Column | undefined): unknown[] {
  assert.ok(column !== undefined);
  return Array.from(column.values as ArrayLike<unknown>, (value, i) => (column.type !== 'string' && column.nulls?.[i] === 1 ? null : value));
}

describe('Parquet source', () => {
  it('reads each physical and logical type, with nulls as missing values', async () => {
    const [chunk, ...rest] = await readAll(join(FIXTURES, 'types.parquet'));
    assert.equal(rest.length, 0);
    assert.ok(chunk !== undefined);
    const type = (name: string): string | undefined => chunk.columns.get(name)?.type;
    assert.deepEqual(
      ['i32', 'i64', 'f32', 'f64', 'b', 's', 'dict', 'd', 'ts', 'dec'].map(type),
      ['int32', 'int64', 'float32', 'float64', 'bool', 'string', 'string', 'string', 'string', 'float64'],
    );
    assert.deepEqual(valuesOf(chunk.columns.get('i32')), [1, null, -3, 4]);
    assert.deepEqual(valuesOf(chunk.columns.get('i64')), [10000000000n, null, -5n, 7n]);
    assert.deepEqual(valuesOf(chunk.columns.get('f64')), [2.25, null, 1e300, 0]);
    assert.deepEqual(valuesOf(chunk.columns.get('b')), [1, null, 0, 1]);
    assert.deepEqual(valuesOf(chunk.columns.get('s')), ['a', null, 'b,c', '']);
    assert.deepEqual(valuesOf(chunk.columns.get('dict')), ['red', null, 'red', 'blue']);
    assert.deepEqual(valuesOf(chunk.columns.get('d')), ['2024-01-02T00:00:00.000Z', null, '1999-12-31T00:00:00.000Z', '2024-02-29T00:00:00.000Z']);
    assert.deepEqual(valuesOf(chunk.columns.get('ts')), ['2024-01-02T03:04:05.000Z', null, '1999-12-31T23:59:59.000Z', '2024-02-29T12:00:00.000Z']);
    assert.deepEqual(valuesOf(chunk.columns.get('dec')), [12.34, null, -0.05, 1234567.89]);
  });

  for (const version of ['v1', 'v2']) {
    it(`reads data pages ${version} (plain, dictionary, delta, byte stream split) with nulls, every value as written`, async () => {
      const chunks = await readAll(join(FIXTURES, `pages-${version}.parquet`), { chunkRows: 1000 });
      assert.deepEqual(chunks.map((chunk) => chunk.rowCount).slice(0, 6), [1000, 1000, 1000, 1000, 96, 1000]);
      const column = (name: string): unknown[] => chunks.flatMap((chunk) => valuesOf(chunk.columns.get(name)));
      const ids = Array.from({ length: 12000 }, (_, id) => id);
      assert.deepEqual(column('id'), ids.map((id) => BigInt(id)));
      assert.deepEqual(column('d'), ids.map((id) => (id % 7 === 3 ? null : id * 0.25 - 1000)));
      assert.deepEqual(column('dict'), ids.map((id) => (id % 5 === 0 ? null : (id % 40) / 8)));
      assert.deepEqual(column('f'), ids.map((id) => Math.fround((id % 1000) / 4)));
      assert.deepEqual(column('i'), ids.map((id) => (id % 100000) - 50));
      assert.deepEqual([...(chunks[0]?.columns.values() ?? [])].map((value) => value.type), ['int64', 'float64', 'float64', 'float32', 'int32']);
    });
  }

  it('decodes only the columns asked for, in chunks of the rows asked for, row group by row group', async () => {
    const chunks = await readAll(join(FIXTURES, 'iris-zstd.parquet'), { columns: new Set(['id', 'petal width (cm)']), chunkRows: 100 });
    assert.deepEqual(chunks.map((chunk) => chunk.rowCount), [100, 50]);
    assert.deepEqual(chunks.map((chunk) => [...chunk.columns.keys()]), chunks.map(() => ['id', 'petal width (cm)']));
    // Row groups of 2048 rows: 1500 + 548, 1500 + 548, 904.
    const grouped = await readAll(join(FIXTURES, 'groups.parquet'), { chunkRows: 1500 });
    assert.deepEqual(grouped.map((chunk) => chunk.rowCount), [1500, 548, 1500, 548, 904]);
    assert.deepEqual(grouped.map((chunk) => chunk.rowOffset), [0, 1500, 2048, 3548, 4096]);
  });

  it('tells its row groups, and reads a subset of them with rows numbered within the file', async () => {
    const path = join(FIXTURES, 'groups.parquet');
    const layout = await readParquetLayout(path);
    assert.deepEqual({ rows: layout.rows, rowGroupRows: layout.rowGroupRows }, { rows: 5000, rowGroupRows: [2048, 2048, 904] });
    assert.equal(layout.rowGroupBytes.length, 3);
    assert.ok(layout.rowGroupBytes.every((bytes) => bytes > 0));
    const [chunk] = await readAll(path, { range: { unit: 'row-groups', start: 2, end: 3 } });
    assert.equal(chunk?.origin.firstRowInSource, 4096);
    assert.deepEqual(valuesOf(chunk?.columns.get('id')).slice(0, 2), [4096n, 4097n]);
  });

  it('gives the same chunks, in file order, with row groups spread over several decoder threads', async () => {
    const path = join(FIXTURES, 'groups.parquet');
    const one = await readAll(path, { chunkRows: 700 });
    const three = await readAll(path, { chunkRows: 700, workers: 3 });
    const rows = (chunks: ColumnChunk[]): unknown => chunks.map((chunk) => [chunk.rowOffset, chunk.rowCount, chunk.origin.firstRowInSource, valuesOf(chunk.columns.get('id'))]);
    assert.deepEqual(rows(three), rows(one));
    assert.deepEqual(valuesOf(three.at(-1)?.columns.get('id')).at(-1), 4999n);
  });

  it('reads a good file after the decoder stopped on a corrupt one (the stopped thread is replaced)', async () => {
    await assert.rejects(readAll(join(FIXTURES, 'hostile', 'bad-page-header.parquet')), { code: 'PARQUET_MALFORMED' });
    const chunks = await readAll(join(FIXTURES, 'iris-zstd.parquet'));
    assert.equal(chunks.reduce((sum, chunk) => sum + chunk.rowCount, 0), 150);
  });

  for (const [file, reason] of [
    ['truncated.parquet', /truncated\.parquet: it does not end with the Parquet magic/],
    ['bad-magic.parquet', /bad-magic\.parquet: it does not start with the Parquet magic/],
    ['huge-footer.parquet', /huge-footer\.parquet: its footer declares 2147483647 bytes/],
  ] as const) {
    it(`refuses ${file} with PARQUET_MALFORMED naming the file`, async () => {
      await assert.rejects(readAll(join(FIXTURES, 'hostile', file)), (error: { code?: string; exitCode?: number; message?: string }) => {
        assert.equal(error.code, 'PARQUET_MALFORMED');
        assert.equal(error.exitCode, 3);
        assert.match(error.message ?? '', reason);
        return true;
      });
    });
  }
});
