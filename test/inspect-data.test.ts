// `inspect <data file>`: the columns and types the reader sees, the row count from Parquet's footer,
// the first rows, and with -m which columns feed which model input, or what is missing (exit 3); a
// compressed Parquet file is refused with a clear message, not taken for a model.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const MODEL = join(FIXTURES, 'iris-csv', 'model.onnx');
const FEATURES = 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)';

describe('inspect a data file', () => {
  it('shows a Parquet file written by DuckDB: its row count from the footer, each column with its declared type, the first rows', async () => {
    const result = await runCli(['inspect', join(FIXTURES, 'parquet', 'types.parquet'), '--rows', '2']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Rows {5}4 \(from the file's metadata\)$/m);
    assert.match(result.stdout, /^ {2}i64 +int64 \(Int64\) +1 *$/m);
    assert.match(result.stdout, /^ {2}s +text \(Utf8\) +1 *$/m);
    assert.match(result.stdout, /^First 2 rows$/m);
    assert.match(result.stdout, /^ {2}1 +10000000000 +1\.5 +2\.25 +true +a +red /m);
  });

  it('shows a gzip CSV as text columns that hold only numbers, and which columns feed the model with -m and --features', async () => {
    const result = await runCli(['inspect', join(FIXTURES, 'compressed', 'iris.csv.gz'), '-m', MODEL, '--features', FEATURES, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      format: string;
      rows: number;
      sampledRows: number;
      columns: { name: string; type: string; numbersOnly: boolean }[];
      firstRows: string[][];
      feeding: { mapping: string; feeds: { input: string; columns: string[] }[] };
    };
    assert.equal(report.format, 'csv');
    assert.equal(report.rows, 150);
    assert.equal(report.sampledRows, 150);
    assert.deepEqual(report.columns.map((column) => [column.name, column.type, column.numbersOnly]).slice(0, 2), [['id', 'text', true], ['sepal length (cm)', 'text', true]]);
    assert.deepEqual(report.firstRows[0], ['0', '5.1', '3.5', '1.4', '0.2']);
    assert.deepEqual(report.feeding.feeds, [{ input: 'float_input', type: 'float32', columns: FEATURES.split(','), rank: 2 }]);
  });

  it('refuses a compressed Parquet file clearly, by its name (exit 2) or by its bytes under a .parquet name (exit 3)', async () => {
    const dir = await tempDir();
    const gzipped = gzipSync(readFileSync(join(FIXTURES, 'parquet', 'iris-snappy.parquet')));
    writeFileSync(join(dir, 'x.parquet.gz'), gzipped);
    writeFileSync(join(dir, 'y.parquet'), gzipped);
    const named = await runCli(['inspect', join(dir, 'x.parquet.gz')]);
    assert.equal(named.code, 2, named.stderr);
    assert.match(named.stderr, /^onnx-batch: error: Input \S*x\.parquet\.gz is a compressed parquet file; only CSV, TSV and JSON Lines are read compressed\n {2}hint: decompress it first; Parquet compresses its pages itself/);
    const disguised = await runCli(['inspect', join(dir, 'y.parquet')]);
    assert.equal(disguised.code, 3, disguised.stderr);
    assert.match(disguised.stderr, /^onnx-batch: error: Cannot read Parquet data from \S*y\.parquet: it is a gzip-compressed file, not Parquet \(decompress it first\)/);
  });

  it('says what is missing when the columns cannot feed the model, after the columns, with exit 3', async () => {
    const result = await runCli(['inspect', join(FIXTURES, 'compressed', 'iris.jsonl.zst'), '-m', MODEL, '--features', 'sepal length (cm),sepal width (cm),petal length (cm),petal_width']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stdout, /^ {2}petal width \(cm\) +text +0 +numbers only/m);
    assert.match(result.stdout, /^Feeding the model\n {2}cannot: .*petal_width/m);
    assert.match(result.stderr, /^onnx-batch: error: .*petal_width/);
  });
});
