// Parquet and JSON Lines end to end: files written by DuckDB (fixtures/make-parquet.mjs) score to the
// same predictions as the CSV fixture (scikit-learn's, in fixtures/iris-csv/expected), Parquet output
// reads back in DuckDB (a reader that is not the writer onnx-batch uses), and hostile Parquet files
// end with exit 3 naming the file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { Random } from './helpers/assertions.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { assertPredictionsMatch, readCsvTable, type TextTable } from './helpers/golden.js';

const IRIS = join(FIXTURES, 'iris-csv');
const PARQUET = join(FIXTURES, 'parquet');
const MODEL = join(IRIS, 'model.onnx');
const FEATURES = ['--features', 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)'];
const EXPECTED = readCsvTable(join(IRIS, 'expected', 'predictions.csv'));

/** The expected table, `times` times over. */
function repeated(table: TextTable, times: number): TextTable {
  return new Map([...table].map(([name, values]) => [name, Array.from({ length: times }, () => values).flat()]));
}

/** Rows of a query, each column as cell texts, read by DuckDB. */
async function duckdbTable(query: string): Promise<TextTable> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(query);
    const columns = reader.getColumnsObjectJson();
    return new Map(Object.entries(columns).map(([name, values]) => [name, values.map((value) => (value === null ? '' : String(value)))]));
  } finally {
    connection.closeSync();
  }
}

describe('Parquet input', () => {
  it('scores files of every compression (snappy, gzip, zstd, lz4, brotli, none) as the CSV path does', async () => {
    const dir = await tempDir();
    const codecs = ['snappy', 'gzip', 'zstd', 'lz4', 'brotli', 'uncompressed'];
    const inputs = codecs.flatMap((codec) => ['-i', join(PARQUET, `iris-${codec}.parquet`)]);
    const result = await runCli(['score', '-m', MODEL, ...inputs, '-o', join(dir, 'out.csv'), ...FEATURES, '--keep', 'id', '-q']);
    assert.equal(result.code, 0, result.stderr);
    const table = readCsvTable(join(dir, 'out.csv'));
    assert.deepEqual(table.get('id')?.slice(148, 152), ['148', '149', '0', '1']);
    assertPredictionsMatch(table, repeated(EXPECTED, codecs.length), 'Parquet inputs');
    const report = JSON.parse(readFileSync(join(dir, 'out.csv.report.json'), 'utf8')) as { inputs: { format: string; rows: number }[] };
    assert.deepEqual(report.inputs.map((input) => [input.format, input.rows]), codecs.map(() => ['parquet', 150]));
  });

  for (const file of ['bad-page-header.parquet', 'huge-page.parquet']) {
    it(`ends with exit 3 naming the file when the decoder meets ${file}`, async () => {
      const dir = await tempDir();
      const result = await runCli(['score', '-m', MODEL, '-i', join(PARQUET, 'hostile', file), '-o', join(dir, 'out.csv'), ...FEATURES]);
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, new RegExp(`^onnx-batch: error: Cannot read Parquet data from .*${file.replace('.', '\\.')}: `));
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }
});

describe('binary files read as CSV', () => {
  it('are refused naming the format their magic bytes show, with no binary bytes in the message (issue 10 case 6)', async () => {
    const dir = await tempDir();
    const cases = [
      [join(FIXTURES, 'parquet', 'groups.parquet'), /holds binary data at line 1 \(Parquet magic bytes "PAR1"\), not CSV text\n  hint: pass --input-format parquet/],
      [join(FIXTURES, 'hostile', 'valid.arrows'), /holds binary data at line 1 \(Arrow IPC stream bytes\), not CSV text\n  hint: pass --input-format arrows/],
    ] as const;
    for (const [input, message] of cases) {
      for (const parser of ['fast', 'reference']) {
        const result = await runCli(['score', '-m', join(FIXTURES, 'iris-csv', 'model.onnx'), '-i', input, '--input-format', 'csv', '--csv-parser', parser, '-o', join(dir, 'out.csv')]);
        assert.equal(result.code, 3, result.stderr);
        // csv-parse may meet a misplaced quote in the bytes before the header's end: exit 3 without the bytes too.
        if (parser === 'fast') assert.match(result.stderr, message);
        assert.doesNotMatch(result.stderr, /[\u0000-\u0008\u000e-\u001f\u007f\uFFFD]/, 'no binary bytes printed');
      }
    }
  });
});

describe('binary files read as JSON Lines', () => {
  /** No control character and no U+FFFD (bytes that are not UTF-8) may reach the terminal. */
  const BINARY = /[\u0000-\u0008\u000e-\u001f\u007f\uFFFD]/;
  const random = new Random(10);
  const noise = (bytes: number): Buffer => Buffer.from(Array.from({ length: bytes }, () => random.int(256)));
  const row = `${JSON.stringify({ 'sepal length (cm)': 5.1, 'sepal width (cm)': 3.5, 'petal length (cm)': 1.4, 'petal width (cm)': 0.2 })}\n`;

  it('are refused without printing their bytes: random bytes, gzip files renamed .jsonl, binary lines after good ones (issue 10)', async () => {
    const dir = await tempDir();
    const files: [string, Buffer, RegExp][] = [
      ['random.jsonl', noise(4000), /^onnx-batch: error: JSON Lines input .*random\.jsonl holds binary data at line 1 \(control characters in the line\), not JSON Lines text\n  hint: check that the file is JSON Lines text/],
      ['csv-gzip.jsonl', gzipSync(readFileSync(join(IRIS, 'input.csv'))), /^onnx-batch: error: Malformed JSON Lines at .*csv-gzip\.jsonl:1: no line holds a JSON object with keys\n/],
      ['random-gzip.jsonl', gzipSync(noise(4000)), /^onnx-batch: error: JSON Lines input .*random-gzip\.jsonl holds binary data at line 1/],
      ['later.jsonl', Buffer.concat([Buffer.from(row), noise(3000), Buffer.from('\n')]), /^onnx-batch: error: Malformed JSON Lines at .*later\.jsonl:2: binary data \(control characters\), not JSON text\n/],
      ['latin.jsonl', Buffer.concat([Buffer.from(row), Buffer.from([0xe9, 0xe8, 0xff, 0x0a])]), /^onnx-batch: error: Malformed JSON Lines at .*latin\.jsonl:2: not valid JSON\n/],
    ];
    for (const [name, bytes, message] of files) {
      await writeFile(join(dir, name), bytes);
      const result = await runCli(['score', '-m', MODEL, '-i', join(dir, name), '--input-format', 'jsonl', ...FEATURES, '-o', join(dir, 'out.csv')]);
      assert.equal(result.code, 3, `${name}: ${result.stderr}`);
      assert.match(result.stderr, message, name);
      assert.doesNotMatch(result.stderr, BINARY, `${name}: no binary bytes printed`);
    }
    // Skipped, the binary line's reason (counted and printed when the budget is over) quotes no bytes either.
    const skipped = await runCli(['score', '-m', MODEL, '-i', join(dir, 'later.jsonl'), ...FEATURES, '-o', join(dir, 'out.csv'), '--on-error', 'skip', '--max-errors', '0']);
    assert.equal(skipped.code, 3, skipped.stderr);
    assert.match(skipped.stderr, /most common: \d+ × binary data \(control characters\), not JSON text/);
    assert.doesNotMatch(skipped.stderr, BINARY);
  });
});

describe('Parquet output', () => {
  it('writes predictions that DuckDB reads back, with the compression and row group size asked for', async () => {
    const dir = await tempDir();
    const output = join(dir, 'preds.parquet');
    const result = await runCli(['score', '-m', MODEL, '-i', join(IRIS, 'input.csv'), '-o', output, '--compression', 'zstd', '--row-group-rows', '64', '-q']);
    assert.equal(result.code, 0, result.stderr);
    assertPredictionsMatch(await duckdbTable(`SELECT * FROM '${output}'`), EXPECTED, 'Parquet output read by DuckDB');
    const groups = await duckdbTable(`SELECT row_group_id, row_group_num_rows AS rows, compression FROM parquet_metadata('${output}') WHERE path_in_schema = 'label'`);
    assert.deepEqual(groups.get('rows'), ['64', '64', '22']);
    assert.deepEqual(groups.get('compression'), ['ZSTD', 'ZSTD', 'ZSTD']);
  });
});

describe('JSON Lines', () => {
  it('round-trips: CSV -> JSON Lines output -> JSON Lines on stdin -> the same predictions', async () => {
    const dir = await tempDir();
    const jsonl = join(dir, 'rows.jsonl');
    const first = await runCli(['score', '-m', MODEL, '-i', join(IRIS, 'input.csv'), '-o', jsonl, '--keep', 'all', '-q']);
    assert.equal(first.code, 0, first.stderr);
    const lines = readFileSync(jsonl, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 150);
    assert.deepEqual(Object.keys(JSON.parse(lines[0] as string) as object).slice(4, 6), ['label', 'probabilities_0']);
    const second = await runCli(['score', '-m', MODEL, '-i', '-', '--input-format', 'jsonl', '-o', '-', ...FEATURES, '--keep', 'none'], { stdin: readFileSync(jsonl) });
    assert.equal(second.code, 0, second.stderr);
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 'again.csv'), second.stdout));
    assertPredictionsMatch(readCsvTable(join(dir, 'again.csv')), EXPECTED, 'JSON Lines from stdin');
  });

  it('makes a nested value in a model-bound column a bad row with a reason, and a line that is not JSON a malformed input', async () => {
    const dir = await tempDir();
    const rows = [
      { 'sepal length (cm)': 5.1, 'sepal width (cm)': 3.5, 'petal length (cm)': 1.4, 'petal width (cm)': 0.2 },
      { 'sepal length (cm)': { cm: 4.9 }, 'sepal width (cm)': 3, 'petal length (cm)': 1.4, 'petal width (cm)': 0.2 },
    ];
    const text = `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
    const skipped = await runCli(['score', '-m', MODEL, '-i', '-', '--input-format', 'jsonl', '-o', join(dir, 'out.csv'), ...FEATURES, '--on-error', 'skip', '--max-errors', '1', '-q'], { stdin: text });
    assert.equal(skipped.code, 0, skipped.stderr);
    const rejects = readFileSync(join(dir, 'out.csv.rejects.csv'), 'utf8');
    assert.match(rejects, /-,2,1,sepal length \(cm\),"?expected a number, got a nested object/);
    const failed = await runCli(['score', '-m', MODEL, '-i', '-', '--input-format', 'jsonl', '-o', join(dir, 'fail.csv'), ...FEATURES], { stdin: `${JSON.stringify(rows[0])}\n{"sepal length (cm)": 1,\n` });
    assert.equal(failed.code, 3, failed.stderr);
    assert.match(failed.stderr, /^onnx-batch: error: Malformed JSON Lines at -:2: not valid JSON/);
  });
});
