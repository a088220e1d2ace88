import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../errors.js';
import type { ColumnChunk } from '../shared/chunk.js';
import { partitionKeysOf, withPartitionColumns } from './partitions.js';
import type { ChunkOptions, OpenedSource } from './source.js';

/** A source of two chunks (3 rows, then 2) with one text column `a`. */
function twoChunks(path: string): OpenedSource {
  return {
    path,
    format: 'csv',
    columnNames: ['a'],
    async *chunks(options: ChunkOptions): AsyncGenerator<ColumnChunk> {
      for (const [offset, values] of [[0, ['x', 'y', 'z']], [3, ['v', 'w']]] as const) {
        yield { rowOffset: options.rowOffset + offset, rowCount: values.length, columns: new Map([['a', { type: 'string', values }]]), origin: { source: path, firstRowInSource: offset } };
      }
    },
    bytesRead: () => 0,
    warnings: () => [],
    close: async () => undefined,
  };
}

async function collect(source: OpenedSource, options: Partial<ChunkOptions> = {}): Promise<ColumnChunk[]> {
  const chunks: ColumnChunk[] = [];
  for await (const chunk of source.chunks({ chunkRows: 3, rowOffset: 0, numericColumns: new Set(), ...options })) chunks.push(chunk);
  return chunks;
}

describe('partitionKeysOf', () => {
  it('reads key=value directories outermost first, decodes %-escapes, takes Hive\'s default partition as null', () => {
    assert.deepEqual(partitionKeysOf('data/date=2024-01-01/city=New%20York/region=__HIVE_DEFAULT_PARTITION__/part-0.parquet'), [
      { name: 'date', value: '2024-01-01' },
      { name: 'city', value: 'New York' },
      { name: 'region', value: null },
    ]);
  });

  it('ignores other directories, a file name with =, stdin, and lets the innermost of two same keys win', () => {
    assert.deepEqual(partitionKeysOf('runs/x=1/plain/=odd/x=2/a=b.csv'), [{ name: 'x', value: '2' }]);
    assert.deepEqual(partitionKeysOf('-'), []);
  });
});

describe('withPartitionColumns', () => {
  it('adds each key as a text column to every chunk, and after the file\'s columns', async () => {
    const source = withPartitionColumns(twoChunks('d/day=3/f.csv'), partitionKeysOf('d/day=3/f.csv'));
    assert.deepEqual(source.columnNames, ['a', 'day']);
    const chunks = await collect(source);
    assert.deepEqual(chunks.map((chunk) => chunk.columns.get('day')), [
      { type: 'string', values: ['3', '3', '3'] },
      { type: 'string', values: ['3', '3'] },
    ]);
  });

  it('gives a key the model reads as numbers as float64, a null key as missing', async () => {
    const numbers = await collect(withPartitionColumns(twoChunks('p'), [{ name: 'day', value: '3.5' }]), { numericColumns: new Set(['day']) });
    assert.deepEqual(numbers[1]?.columns.get('day'), { type: 'float64', values: Float64Array.of(3.5, 3.5), nulls: Uint8Array.of(0, 0) });
    const missing = await collect(withPartitionColumns(twoChunks('p'), [{ name: 'day', value: null }]), { numericColumns: new Set(['day']) });
    assert.deepEqual(missing[1]?.columns.get('day'), { type: 'float64', values: Float64Array.of(0, 0), nulls: Uint8Array.of(1, 1) });
  });

  it('refuses a key that is not a number where the model reads a number, and a key named like a column', async () => {
    await assert.rejects(collect(withPartitionColumns(twoChunks('d/day=mon/f.csv'), [{ name: 'day', value: 'mon' }]), { numericColumns: new Set(['day']) }), (error: unknown) => {
      assert.ok(error instanceof InputError && error.code === 'BAD_VALUE');
      assert.match(error.message, /partition key 'day' of d\/day=mon\/f\.csv: expected a number, got "mon"/);
      return true;
    });
    assert.throws(() => withPartitionColumns(twoChunks('d/a=1/f.csv'), [{ name: 'a', value: '1' }]), /has a column 'a' and sits in a partition directory a=\.\.\./);
  });
});
