// Compressed text inputs end to end: gzip and zstd files written by DuckDB (fixtures/make-compressed.mjs)
// score to scikit-learn's predictions (fixtures/iris-csv/expected) whatever their format, name or
// source (file, stdin, parallel reader), and damaged or mislabelled ones end with exit 3 naming the file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { assertPredictionsMatch, readCsvTable, type TextTable } from './helpers/golden.js';

const COMPRESSED = join(FIXTURES, 'compressed');
const MODEL = join(FIXTURES, 'iris-csv', 'model.onnx');
const FEATURES = ['--features', 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)'];
const EXPECTED = readCsvTable(join(FIXTURES, 'iris-csv', 'expected', 'predictions.csv'));

function repeated(table: TextTable, times: number): TextTable {
  return new Map([...table].map(([name, values]) => [name, Array.from({ length: times }, () => values).flat()]));
}

describe('compressed inputs', () => {
  it('scores CSV, TSV and JSON Lines compressed with gzip and zstd as the plain CSV', async () => {
    const dir = await tempDir();
    const names = ['csv', 'tsv', 'jsonl'].flatMap((format) => [`iris.${format}.gz`, `iris.${format}.zst`]);
    const inputs = names.flatMap((name) => ['-i', join(COMPRESSED, name)]);
    const result = await runCli(['score', '-m', MODEL, ...inputs, '-o', join(dir, 'out.csv'), ...FEATURES, '--keep', 'id', '-q']);
    assert.equal(result.code, 0, result.stderr);
    const table = readCsvTable(join(dir, 'out.csv'));
    assert.deepEqual(table.get('id')?.slice(149, 151), ['149', '0']);
    assertPredictionsMatch(table, repeated(EXPECTED, names.length), 'compressed inputs');
    const report = JSON.parse(readFileSync(join(dir, 'out.csv.report.json'), 'utf8')) as { inputs: { format: string; rows: number; bytes: number }[] };
    // The CSV reader reports a TSV input's format as csv (the format of its parser).
    assert.deepEqual(report.inputs.map((input) => [input.format, input.rows]), names.map((name) => [name.startsWith('iris.jsonl') ? 'jsonl' : 'csv', 150]));
  });

  it('tells the compression by the magic bytes: gzip under a .csv name with parse workers (one reader then), zstd on stdin', async () => {
    const dir = await tempDir();
    const named = await runCli(['score', '-m', MODEL, '-i', join(COMPRESSED, 'gzip-named.csv'), '-o', join(dir, 'named.csv'), ...FEATURES, '--workers', '2', '-q']);
    assert.equal(named.code, 0, named.stderr);
    assertPredictionsMatch(readCsvTable(join(dir, 'named.csv')), EXPECTED, 'gzip named .csv');
    const piped = await runCli(['score', '-m', MODEL, '-i', '-', '-o', '-', ...FEATURES, '--keep', 'none', '-q'], { stdin: readFileSync(join(COMPRESSED, 'iris.csv.zst')) });
    assert.equal(piped.code, 0, piped.stderr);
    await writeFile(join(dir, 'piped.csv'), piped.stdout);
    assertPredictionsMatch(readCsvTable(join(dir, 'piped.csv')), EXPECTED, 'zstd on stdin');
  });

  // The other refusals (a plain file named .gz, bzip2, a huge zstd window), and the time each takes
  // in the process (under 2 s), are in src/sources/decompress.test.ts: a whole CLI run's time here
  // is mostly start-up, which a loaded machine stretches to many seconds.
  for (const [file, codec] of [['truncated.csv.gz', 'gzip'], ['truncated.jsonl.gz', 'gzip'], ['truncated.csv.zst', 'zstd']] as const) {
    it(`ends with exit 3 naming ${file}, without a stack trace`, { timeout: 60_000 }, async () => {
      const dir = await tempDir();
      const result = await runCli(['score', '-m', MODEL, '-i', join(COMPRESSED, 'hostile', file), '-o', join(dir, 'out.csv'), ...FEATURES]);
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, new RegExp(`^onnx-batch: error: Cannot decompress \\S*${file.replace(/\./g, '\\.')} \\(${codec}\\): unexpected end of file\n`));
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }

  it('refuses a compressed Parquet or Arrow file by name, saying why', async () => {
    const result = await runCli(['score', '-m', MODEL, '-i', 'data.parquet.gz', '-o', 'out.csv', ...FEATURES]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /Input data\.parquet\.gz is a compressed parquet file; only CSV, TSV and JSON Lines are read compressed/);
  });
});
