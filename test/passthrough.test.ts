// Kept columns are copied from the input as they were, whether or not they also feed the model
// (issue 10, case 9): in CSV output the field's own text (leading zeros, exponents, trailing zeros,
// -0, quotes, non-ASCII), from every CSV reader path; in JSON Lines output a fed column comes out as
// it does when it is only kept; Arrow and Parquet keep their values and types. Each input has a
// bad row in the middle that --on-error skip rejects, so the kept rows must still line up.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { Dictionary, Float32, Float64, Int16, Int32, Int64, Int8, Table, tableFromIPC, tableToIPC, Uint16, Uint32, Uint64, Uint8, Utf8, vectorFromArray } from 'apache-arrow';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { readCsvTable } from './helpers/golden.js';

const MODEL = join(FIXTURES, 'iris-csv', 'model.onnx');
const FEATURES = ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'];
const HEADER = `id,${FEATURES.join(',')},note`;
/** Fields as written, quoted only where CSV needs it; the third record is not a number in a fed column. */
const FIELDS = [
  ['001', '5.10', '3.5e0', '1.400', '0.2', '"he said ""hi"", ok"'],
  ['02134', '-0', '3.50E+0', '1.4', '2e-1', 'Zürich ✓'],
  ['007', 'abc', '3.0', '1.3', '0.2', 'bad row'],
  ['0.50', '6.300', '2.90', '5.60', '1.80', '"two\nlines"'],
  ['1e3', '7.70', '+2.6', '6.9e+0', '2.3000', '日本語'],
];
const RECORDS = FIELDS.map((fields) => fields.join(','));
const BAD = 2;
const SKIP = ['--on-error', 'skip', '--max-errors', '1'];

async function score(dir: string, input: string, output: string, extra: readonly string[] = [], stdin?: string | Buffer): Promise<string> {
  const result = await runCli(['score', '-m', MODEL, '-i', input, '-o', output, '--features', FEATURES.join(','), '-b', '2', '--rejects', join(dir, 'rejects.jsonl'), ...SKIP, '-q', ...extra], { cwd: dir, ...(stdin === undefined ? {} : { stdin }) });
  assert.equal(result.code, 0, result.stderr);
  return output === '-' ? result.stdout : readFile(join(dir, output), 'utf8');
}

describe('kept columns are the input as it was', () => {
  it('CSV to CSV: every kept field is the input text, byte for byte, from every CSV reader', async () => {
    const dir = await tempDir();
    const csv = `${HEADER}\n${RECORDS.join('\n')}\n`;
    await writeFile(join(dir, 'in.csv'), csv);
    await writeFile(join(dir, 'in.csv.gz'), gzipSync(csv));
    const fast = await score(dir, 'in.csv', 'fast.csv');
    const lines = fast.split('\n');
    assert.ok(lines[0]?.startsWith(`${HEADER},label,`), lines[0]);
    RECORDS.forEach((record, r) => {
      if (r === BAD) assert.ok(!fast.includes(record), 'the rejected row is not written');
      else assert.ok(fast.includes(`\n${record},`), `record ${r} is written as read: ${JSON.stringify(record)} in\n${fast}`);
    });
    // The predictions beside them are those of the same rows without the kept text.
    const bare = readCsvTable(join(dir, 'fast.csv'));
    await score(dir, 'in.csv', 'none.csv', ['--keep', 'none']);
    const none = readCsvTable(join(dir, 'none.csv'));
    for (const [name, values] of none) assert.deepEqual(bare.get(name), values, name);
    assert.deepEqual(bare.get('id'), ['001', '02134', '0.50', '1e3']);
    for (const [name, extra] of [
      ['reference', ['--csv-parser', 'reference']],
      ['parallel', ['--workers', '1']],
    ] as const) {
      assert.equal(await score(dir, 'in.csv', `${name}.csv`, extra), fast, `the ${name} reader`);
    }
    assert.equal(await score(dir, 'in.csv.gz', 'gzip.csv'), fast, 'a gzip input');
    assert.equal(await score(dir, '-', '-', ['--input-format', 'csv'], csv), fast, 'stdin');
    const list = await score(dir, 'in.csv', 'list.csv', ['--keep', `id,${FEATURES[0] as string},note`]);
    FIELDS.forEach((fields, r) => {
      if (r !== BAD) assert.ok(list.includes(`\n${fields[0] as string},${fields[1] as string},${fields[5] as string},`), `record ${r} with --keep id,...,note:\n${list}`);
    });
  });

  it('CSV to JSON Lines: a fed kept column is written as when it is only kept', async () => {
    const dir = await tempDir();
    // The same fields twice, under two names: one copy feeds the model, the other is only kept.
    const copies = FEATURES.map((_, f) => `k${f}`);
    const header = `${FEATURES.join(',')},${copies.join(',')}`;
    const rows = ['5.10,3.5e0,1.400,0.2', '-0,3.50E+0,1.4,2e-1', 'abc,3.0,1.3,0.2', '6.300,2.90,5.60,1.80'].map((fields) => `${fields},${fields}`);
    await writeFile(join(dir, 'in.csv'), `${header}\n${rows.join('\n')}\n`);
    const fed = await score(dir, 'in.csv', 'fed.jsonl', ['--keep', FEATURES.join(',')]);
    const kept = await score(dir, 'in.csv', 'kept.jsonl', ['--keep', copies.join(',')]);
    const rename = (line: string): Record<string, unknown> =>
      Object.fromEntries(Object.entries(JSON.parse(line) as Record<string, unknown>).map(([key, value]) => [FEATURES[copies.indexOf(key)] ?? key, value]));
    assert.deepEqual(fed.trim().split('\n').map((line) => JSON.parse(line) as unknown), kept.trim().split('\n').map(rename));
    const first = JSON.parse(fed.split('\n')[0] as string) as Record<string, unknown>;
    assert.equal(first['sepal length (cm)'], '5.10');
    assert.equal(first['sepal width (cm)'], '3.5e0');
    assert.equal(JSON.parse(fed.split('\n')[1] as string)['sepal length (cm)'], '-0');
  });

  it('Arrow to Arrow: kept columns, fed or not, keep their values and types (int8 to uint64 included)', async () => {
    const dir = await tempDir();
    const columns = {
      id: vectorFromArray(['001', '02134', '007', '0.50', '1e3'], new Dictionary(new Utf8(), new Int32())),
      // Fed: a (with the null that makes row 2 bad), b, c, d.
      a: vectorFromArray([5n, 6n, null, 9007199254740993n, -7n], new Int64()),
      b: vectorFromArray([3.5, -0, 3, 2.9000000000000004, 2.6], new Float64()),
      c: vectorFromArray([1, 2, 3, -4, 6], new Int16()),
      d: vectorFromArray([2, 0, 1, 255, 3], new Uint8()),
      // Only kept.
      i8: vectorFromArray([-128, 127, 0, null, 1], new Int8()),
      i32: vectorFromArray([-2147483648, 2147483647, 0, 1, null], new Int32()),
      f32: vectorFromArray([0.2, 0.3, 0.1, 1e-7, 2.3], new Float32()),
      u16: vectorFromArray([65535, 0, 1, 2, 3], new Uint16()),
      u32: vectorFromArray([4294967295, 0, 1, 2, null], new Uint32()),
      u64: vectorFromArray([18446744073709551615n, 9223372036854775808n, 0n, 1n, 2n], new Uint64()),
      note: vectorFromArray(['he said "hi", ok', 'Zürich ✓', 'bad row', 'two\nlines', '日本語'], new Utf8()),
    };
    const table = new Table(columns);
    await writeFile(join(dir, 'in.arrow'), tableToIPC(table, 'file'));
    const result = await runCli(['score', '-m', MODEL, '-i', 'in.arrow', '-o', 'out.arrow', '--features', 'a,b,c,d', '-b', '2', ...SKIP, '--rejects', 'rejects.jsonl', '-q'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const out = tableFromIPC(await readFile(join(dir, 'out.arrow')));
    const types = Object.fromEntries(out.schema.fields.map((field) => [field.name, String(field.type)]));
    for (const name of Object.keys(columns) as (keyof typeof columns)[]) {
      assert.equal(types[name], name === 'id' ? 'Utf8' : String(table.getChild(name)?.type), `the type of ${name}`);
      const written = Array.from({ length: out.numRows }, (_, i) => out.getChild(name)?.get(i) as unknown);
      const read = [0, 1, 3, 4].map((r) => table.getChild(name)?.get(r) as unknown);
      written.forEach((value, i) => assert.ok(Object.is(value, read[i]), `${name} row ${i}: ${String(value)} is ${String(read[i])}`));
    }
  });

  it('Parquet to Parquet: fed kept columns keep their values and types', async () => {
    const dir = await tempDir();
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const sql = await instance.connect();
    try {
      // Fed: a (with the null that makes row 2 bad), b, c, d; the rest only kept.
      await sql.run(`COPY (SELECT id, a::BIGINT AS a, b::DOUBLE AS b, c::SMALLINT AS c, d::UTINYINT AS d, i8::TINYINT AS i8, i32::INTEGER AS i32, f32::FLOAT AS f32,
            u16::USMALLINT AS u16, u32::UINTEGER AS u32, u64::UBIGINT AS u64, note FROM (VALUES
          ('001', 5, 3.5, 1, 2, -128, -2147483648, 0.2, 65535, 4294967295, 18446744073709551615, 'he said "hi", ok'),
          ('02134', 6, -0.0, 2, 0, 127, 2147483647, 0.3, 0, 0, 9223372036854775808, 'Zürich ✓'),
          ('007', NULL, 3.0, 3, 1, 0, 0, 0.1, 1, 1, 0, 'bad row'),
          ('0.50', 9007199254740993, 2.9000000000000004, -4, 255, NULL, 1, 1e-7, 2, 2, 1, 'two lines'),
          ('1e3', -7, 2.6, 6, 3, 1, NULL, 2.3, 3, NULL, 2, '日本語')) AS t(id, a, b, c, d, i8, i32, f32, u16, u32, u64, note))
        TO '${join(dir, 'in.parquet')}' (FORMAT parquet)`);
      const result = await runCli(['score', '-m', MODEL, '-i', 'in.parquet', '-o', 'out.parquet', '--features', 'a,b,c,d', '-b', '2', ...SKIP, '--rejects', 'rejects.jsonl', '-q'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      const kept = 'id, a, b, c, d, i8, i32, f32, u16, u32, u64, note';
      const types = (path: string): Promise<unknown[][]> => sql.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT ${kept} FROM '${path}')`).then((reader) => reader.getRows() as unknown[][]);
      assert.deepEqual(await types(join(dir, 'out.parquet')), await types(join(dir, 'in.parquet')));
      assert.deepEqual((await types(join(dir, 'out.parquet'))).map((row) => row[1]), ['VARCHAR', 'BIGINT', 'DOUBLE', 'SMALLINT', 'UTINYINT', 'TINYINT', 'INTEGER', 'FLOAT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'VARCHAR']);
      const query = (path: string, where: string): Promise<unknown[][]> =>
        sql.runAndReadAll(`SELECT COLUMNS(*)::VARCHAR, signbit(b) FROM (SELECT ${kept} FROM '${path}' ${where})`).then((reader) => reader.getRows() as unknown[][]);
      assert.deepEqual(await query(join(dir, 'out.parquet'), ''), await query(join(dir, 'in.parquet'), "WHERE id <> '007'"));
    } finally {
      sql.closeSync();
    }
  });
});

// fixtures/parquet/exact.{parquet,arrow} (make-parquet.mjs): a timestamp with a time zone, a date and
// two decimal(18,4) columns, one fed (its null makes row r2 bad), one with digits float64 cannot hold.
describe('kept decimals, dates and timestamps keep their type and values', () => {
  const EXACT_FEATURES = ['price', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'];
  const KEPT = 'id, ts, day, price, amount';
  const exact = (format: 'parquet' | 'arrow'): string => join(FIXTURES, 'parquet', `exact.${format}`);
  const scoreExact = async (dir: string, input: string, output: string): Promise<void> => {
    const result = await runCli(['score', '-m', MODEL, '-i', input, '-o', output, '--features', EXACT_FEATURES.join(','), '-b', '2', ...SKIP, '--rejects', 'rejects.jsonl', '-q'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(await readFile(join(dir, 'rejects.jsonl'), 'utf8'), /"price"/);
  };
  /** DuckDB's view of a Parquet file's kept columns: their types, and every value as text. */
  const duckdb = async (path: string, where = ''): Promise<{ types: unknown[]; rows: unknown[][]; labels: unknown[] }> => {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const sql = await instance.connect();
    try {
      await sql.run(`SET TimeZone = 'UTC'`);
      const types = (await sql.runAndReadAll(`SELECT column_type FROM (DESCRIBE SELECT ${KEPT} FROM '${path}')`)).getRows().map((row) => row[0]);
      const rows = (await sql.runAndReadAll(`SELECT COLUMNS(*)::VARCHAR FROM (SELECT ${KEPT} FROM '${path}' ${where})`)).getRows() as unknown[][];
      const labels = where === '' ? (await sql.runAndReadAll(`SELECT label::VARCHAR FROM '${path}'`)).getRows().map((row) => row[0]) : [];
      return { types, rows, labels };
    } finally {
      sql.closeSync();
    }
  };

  it('Parquet to Parquet, and Arrow to Parquet: DuckDB reads the input types and values back', async () => {
    const dir = await tempDir();
    const input = await duckdb(exact('parquet'), "WHERE id <> 'r2'");
    assert.deepEqual(input.types, ['VARCHAR', 'TIMESTAMP WITH TIME ZONE', 'DATE', 'DECIMAL(18,4)', 'DECIMAL(18,4)']);
    assert.deepEqual(input.rows[0], ['r0', '2024-03-10 06:59:59.123+00', '2024-01-02', '5.1000', '12345678901234.5678']);
    for (const source of ['parquet', 'arrow'] as const) {
      await scoreExact(dir, exact(source), `${source}.parquet`);
      const output = await duckdb(join(dir, `${source}.parquet`));
      assert.deepEqual(output.types, input.types, `types from ${source}`);
      assert.deepEqual(output.rows, input.rows, `values from ${source}`);
      // price fed as a float: r0 and r1 are iris rows 0 (setosa) and 104 (virginica).
      assert.deepEqual(output.labels, ['0', '2', '2', '0'], `labels from ${source}`);
    }
  });

  it('Arrow to Arrow: the Arrow types (time zone, unit, precision, scale) and raw values', async () => {
    const dir = await tempDir();
    await scoreExact(dir, exact('arrow'), 'out.arrow');
    const input = tableFromIPC(await readFile(exact('arrow')));
    const out = tableFromIPC(await readFile(join(dir, 'out.arrow')));
    for (const name of ['id', 'ts', 'day', 'price', 'amount']) {
      const read = input.getChild(name);
      const written = out.getChild(name);
      assert.equal(String(written?.type), String(read?.type), name);
      assert.deepEqual(written?.type, read?.type, name);
      const rows = [0, 1, 3, 4].map((r) => (read?.isValid(r) === true ? String(read.get(r)) : null));
      assert.deepEqual(Array.from({ length: out.numRows }, (_, i) => (written?.isValid(i) === true ? String(written.get(i)) : null)), rows, name);
    }
    // Decimal values as their 128-bit words: 12345678901234.5678 survives to the last digit.
    const words = (table: Table, row: number): number[] => {
      let at = row;
      for (const data of table.getChild('amount')?.data ?? []) {
        if (at < data.length) return Array.from((data.values as Uint32Array).subarray((data.offset + at) * 4, (data.offset + at + 1) * 4));
        at -= data.length;
      }
      return [];
    };
    assert.equal(words(input, 0).length, 4);
    assert.deepEqual(words(out, 0), words(input, 0));
    assert.deepEqual(words(out, 2), words(input, 3));
    assert.equal(out.getChild('ts')?.get(1), -1);
  });

  it('Parquet to CSV and JSON Lines: ISO dates and the exact decimal digits', async () => {
    const dir = await tempDir();
    await scoreExact(dir, exact('parquet'), 'out.csv');
    const csv = readCsvTable(join(dir, 'out.csv'));
    assert.deepEqual(csv.get('ts'), ['2024-03-10T06:59:59.123Z', '1969-12-31T23:59:59.999Z', '', '2262-04-11T23:47:16.854Z']);
    assert.deepEqual(csv.get('day'), ['2024-01-02T00:00:00.000Z', '1900-02-28T00:00:00.000Z', '', '9999-12-31T00:00:00.000Z']);
    assert.deepEqual(csv.get('price'), ['5.1000', '6.3000', '7.7000', '4.9000']);
    assert.deepEqual(csv.get('amount'), ['12345678901234.5678', '-0.0001', '-98765432109876.5432', '']);
    await scoreExact(dir, exact('arrow'), 'out.jsonl');
    const lines = (await readFile(join(dir, 'out.jsonl'), 'utf8')).trim().split('\n');
    assert.match(lines[0] as string, /^\{"id":"r0","ts":"2024-03-10T06:59:59\.123Z","day":"2024-01-02T00:00:00\.000Z","price":5\.1000,"amount":12345678901234\.5678,/);
    assert.match(lines[3] as string, /"amount":null,/);
  });
});
