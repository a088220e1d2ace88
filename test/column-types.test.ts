// One type per column across the inputs of a run (issue 12): Parquet files written by DuckDB
// (fixtures/make-parquet.mjs) that give a column another type than an input before them. Numbers of
// another width pass where the column only feeds the model (scikit-learn's predictions,
// fixtures/iris-csv/expected, for both files); a kept column of another type, and text where an
// earlier input (Parquet, or a CSV file's numbers) had numbers, stop the run with exit 3 naming both
// files, the column and both types; also across a Hive-partitioned set.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { assertPredictionsMatch, readCsvTable } from './helpers/golden.js';

const IRIS = join(FIXTURES, 'iris-csv');
const PARQUET = join(FIXTURES, 'parquet');
const MODEL = join(IRIS, 'model.onnx');
const FEATURES = ['--features', 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)'];
const EXPECTED = readCsvTable(join(IRIS, 'expected', 'predictions.csv'));

/** Runs score into a temp folder; returns the result and the output path. */
async function score(inputs: readonly string[], keep: string): Promise<{ code: number | null; stderr: string; output: string }> {
  const output = join(await tempDir(), 'out.csv');
  const result = await runCli(['score', '-m', MODEL, ...inputs.flatMap((input) => ['-i', input]), '-o', output, ...FEATURES, '--keep', keep, '-q']);
  return { code: result.code, stderr: result.stderr, output };
}

/** The refusal: exit 3, one line naming the column, both files and both types, no stack, no output. */
function assertRefused(result: { code: number | null; stderr: string; output: string }, message: string): void {
  assert.equal(result.code, 3, result.stderr);
  assert.ok(result.stderr.startsWith(`onnx-batch: error: ${message}\n`), result.stderr);
  assert.match(result.stderr, /hint: the inputs of one run need each column as one type/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(existsSync(result.output), false, 'no output file');
}

describe('column types across the inputs of a run', () => {
  it('scores features stored as float32 in one file and float64 in another as the CSV path does', async () => {
    const result = await score([join(PARQUET, 'iris-snappy.parquet'), join(PARQUET, 'iris-float.parquet')], 'none');
    assert.equal(result.code, 0, result.stderr);
    const twice = new Map([...EXPECTED].map(([name, values]) => [name, [...values, ...values]]));
    assertPredictionsMatch(readCsvTable(result.output), twice, 'float64 then float32 features');
  });

  it('refuses a kept column that is int32 in a later Parquet file and int64 in the first', async () => {
    const first = join(PARQUET, 'iris-snappy.parquet');
    const later = join(PARQUET, 'iris-float.parquet');
    assertRefused(await score([first, later], 'id'), `Column 'id' is int32 in ${later} but int64 in ${first}, an input before it`);
  });

  it('refuses a feature that is text in a Parquet file after a CSV file where it is numbers', async () => {
    const first = join(IRIS, 'input.csv');
    const later = join(PARQUET, 'sepal-text.parquet');
    assertRefused(await score([first, later], 'none'), `Column 'sepal length (cm)' is text in ${later} but float64 in ${first}, an input before it`);
  });

  it('refuses a Hive-partitioned set whose files give the kept id different types', async () => {
    const set = join(PARQUET, 'hive-types');
    const message = `Column 'id' is text in ${join(set, 'set=b', 'data_0.parquet')} but int64 in ${join(set, 'set=a', 'data_0.parquet')}, an input before it`;
    assertRefused(await score([set], 'id,set'), message);
  });
});
