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
