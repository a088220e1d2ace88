// Fuzzing the Parquet reader against DuckDB (a reader that shares no code with it): Parquet files
// written by DuckDB, mutated with the seeded generator of fuzz.test.ts, are read by onnx-batch's
// source and by DuckDB. Each case must end (2 s at most) with rows or PARQUET_MALFORMED, never
// another error; and where both readers give rows, every number column (the types the JavaScript
// page decoder reads: int32, int64, float, double) must hold the same values, nulls included: a
// mutation never turns into a wrong number that DuckDB would not also read. PARQUET_FUZZ_CASES
// scales it up; FUZZ_SEED replays a run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { OnnxBatchError } from '../src/errors.js';
import { openSource } from '../src/sources/index.js';
import { FIXTURES } from './helpers/cli.js';
import { Random } from './helpers/assertions.js';
import { mutate } from './helpers/mutate.js';
import { tempDir } from './helpers/temp-dir.js';

const CASES = Number(process.env['PARQUET_FUZZ_CASES'] ?? 180);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261206);
const CASE_LIMIT_MS = 2000;
const SEEDS = ['iris-snappy.parquet', 'iris-uncompressed.parquet', 'iris-gzip.parquet', 'iris-float.parquet', 'types.parquet', 'pages-v1.parquet'].map((name) => ({
  name,
  bytes: readFileSync(join(FIXTURES, 'parquet', name)),
}));
const NUMBER_TYPES = new Set(['int32', 'int64', 'float32', 'float64']);

/** Number columns by position in the file, as text per row ('' for null), read by onnx-batch's Parquet source. */
async function ours(path: string): Promise<Map<number, string[]>> {
  const source = await openSource('parquet', { path, delimiter: ',', workers: 1 });
  const columns = new Map<number, string[]>();
  try {
    for await (const chunk of source.chunks({ chunkRows: 1000, rowOffset: 0, numericColumns: new Set() })) {
      [...chunk.columns.values()].forEach((column, position) => {
        if (!NUMBER_TYPES.has(column.type)) return;
        const values = Array.from(column.values as ArrayLike<number | bigint>, (value, i) => (column.type !== 'string' && column.nulls?.[i] === 1 ? '' : String(value)));
        columns.set(position, [...(columns.get(position) ?? []), ...values]);
      });
    }
  } finally {
    await source.close();
  }
  return columns;
}

/** Every column by position (DuckDB may spell a damaged column name otherwise), as text per row. */
async function duckdb(connection: DuckDBConnection, path: string): Promise<Map<number, string[]>> {
  const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`);
  // A decimal (read as a float by onnx-batch) compares as the float its text gives.
  const text = (value: unknown): string => (value === null ? '' : typeof value === 'object' ? String(Number(String(value))) : String(value));
  return new Map(Object.values(reader.getColumnsObject()).map((values, position) => [position, values.map(text)]));
}

function withinLimit<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still running after ${CASE_LIMIT_MS} ms`)), CASE_LIMIT_MS)));
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

describe(`fuzzing the Parquet reader against DuckDB (seed ${SEED})`, () => {
  it(`${CASES} mutated Parquet files end with rows or PARQUET_MALFORMED, and never with numbers DuckDB does not read`, async () => {
    const dir = await tempDir('onnx-batch-parquet-fuzz-');
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await instance.connect();
    const random = new Random(SEED);
    const outcomes = new Map<string, number>();
    const count = (outcome: string): void => void outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    try {
      for (let n = 0; n < CASES; n++) {
        const seed = SEEDS[n % SEEDS.length] as (typeof SEEDS)[number];
        const { bytes, how } = mutate(seed.bytes, random);
        const path = join(dir, `case-${n % 8}.parquet`);
        await writeFile(path, bytes);
        const what = `case ${n} (${seed.name}, ${how})`;
        let read: Map<number, string[]> | undefined;
        try {
          read = await withinLimit(ours(path), what);
        } catch (error) {
          assert.ok(error instanceof OnnxBatchError && error.code === 'PARQUET_MALFORMED', `${what} ended with ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        }
        const reference = await duckdb(connection, path).catch((error: unknown) => {
          if (read !== undefined && process.env['PARQUET_FUZZ_CASES'] !== undefined) console.log(`only DuckDB refuses: ${what}: ${(error as Error).message.split('\n')[0]}`);
          return undefined;
        });
        if (read === undefined) {
          count(reference === undefined ? 'both refuse' : 'only onnx-batch refuses');
          if (reference !== undefined && process.env['PARQUET_FUZZ_CASES'] !== undefined) console.log(`only onnx-batch refuses: ${what}`);
        } else if (reference === undefined) {
          count('only DuckDB refuses');
        } else {
          for (const [position, values] of read) assert.deepEqual(values, reference.get(position), `${what}: column ${position} differs from DuckDB's`);
          count('same numbers');
        }
      }
    } finally {
      connection.closeSync();
    }
    if (process.env['PARQUET_FUZZ_CASES'] !== undefined) console.log(`parquet fuzz outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    assert.ok((outcomes.get('same numbers') ?? 0) > 0 && (outcomes.get('both refuse') ?? 0) > 0, JSON.stringify(Object.fromEntries(outcomes)));
  });
});
