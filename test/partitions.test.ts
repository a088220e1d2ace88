// Hive-partitioned inputs and stdin/stdout streams end to end: DuckDB's partitioned Parquet and gzip
// CSV (fixtures/make-parquet.mjs, fixtures/make-compressed.mjs) score to scikit-learn's predictions
// (fixtures/iris-csv/expected) with the keys as columns, in path order; wildcards in directory
// names; a file that lacks a column names both files; an Arrow stream goes through stdin to stdout.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { assertPredictionsMatch, readCsvTable, type TextTable } from './helpers/golden.js';

const IRIS = join(FIXTURES, 'iris-csv');
const MODEL = join(IRIS, 'model.onnx');
const FEATURE_NAMES = ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'];
const FEATURES = ['--features', FEATURE_NAMES.join(',')];
const EXPECTED = readCsvTable(join(IRIS, 'expected', 'predictions.csv'));

/** The expected rows of these iris ids (0-based rows of input.csv), in this order. */
function expectedFor(ids: readonly string[]): TextTable {
  return new Map([...EXPECTED].map(([name, values]) => [name, ids.map((id) => values[Number(id)] as string)]));
}

describe('Hive-partitioned inputs', () => {
  it('scores a partitioned Parquet directory in path order, with the keys as text columns', async () => {
    const dir = await tempDir();
    const result = await runCli(['score', '-m', MODEL, '-i', join(FIXTURES, 'parquet', 'hive'), '-o', join(dir, 'out.csv'), ...FEATURES, '--keep', 'id,set,part', '-q']);
    assert.equal(result.code, 0, result.stderr);
    const table = readCsvTable(join(dir, 'out.csv'));
    const ids = table.get('id') as readonly string[];
    assert.equal(ids.length, 150);
    const keys = ids.map((_, row) => `${table.get('set')?.[row]}/${table.get('part')?.[row]}`);
    assert.deepEqual([...new Set(keys)], ['a/0', 'a/1', 'b/0', 'b/1', 'c/0', 'c/1']);
    ids.forEach((id, row) => assert.equal(keys[row], `${'abc'[Number(id) % 3]}/${Number(id) % 2}`, `row ${row} (id ${id})`));
    assertPredictionsMatch(table, expectedFor(ids), 'partitioned Parquet');
  });

  it('takes wildcards in directory names: gzip CSV partitions of one region, the date key kept', async () => {
    const dir = await tempDir();
    const pattern = join(FIXTURES, 'compressed', 'hive', 'date=*', 'region=eu', '*.csv.gz');
    const result = await runCli(['score', '-m', MODEL, '-i', pattern, '-o', join(dir, 'out.csv'), ...FEATURES, '--keep', 'id,date,region', '-q']);
    assert.equal(result.code, 0, result.stderr);
    const table = readCsvTable(join(dir, 'out.csv'));
    const ids = table.get('id') as readonly string[];
    assert.equal(ids.length, 50);
    assert.deepEqual([...new Set(table.get('date'))], ['2024-01-01', '2024-01-02']);
    assert.deepEqual([...new Set(table.get('region'))], ['eu']);
    ids.forEach((id, row) => assert.equal(table.get('date')?.[row], Number(id) % 2 === 0 ? '2024-01-01' : '2024-01-02'));
    assertPredictionsMatch(table, expectedFor(ids), 'partitioned gzip CSV');
  });

  it('names both files and the column when a partition file lacks a column the first one has', async () => {
    const dir = await tempDir();
    const rows = readFileSync(join(IRIS, 'input.csv'), 'utf8').trimEnd().split('\n');
    mkdirSync(join(dir, 'data', 'day=1'), { recursive: true });
    mkdirSync(join(dir, 'data', 'day=2'), { recursive: true });
    writeFileSync(join(dir, 'data', 'day=1', 'part-0.csv'), `${rows.slice(0, 11).join('\n')}\n`);
    const withoutLast = rows.slice(0, 11).map((line) => line.split(',').slice(0, 3).join(','));
    writeFileSync(join(dir, 'data', 'day=2', 'part-0.csv'), `${withoutLast.join('\n')}\n`);
    const result = await runCli(['score', '-m', MODEL, '-i', join(dir, 'data'), '-o', join(dir, 'out.csv'), ...FEATURES]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /^onnx-batch: error: Input \S*day=2\/part-0\.csv lacks columns 'petal width \(cm\)' that the first input \S*day=1\/part-0\.csv has/);
  });
});

describe('stdin and stdout', () => {
  it('reads an Arrow stream on stdin and writes one on stdout (--input-format and --output-format arrows)', async () => {
    const result = await runCli(['score', '-m', MODEL, '-i', '-', '--input-format', 'arrows', '-o', '-', '--output-format', 'arrows', '-q'], { stdin: readFileSync(join(IRIS, 'input.arrows')) });
    assert.equal(result.code, 0, result.stderr);
    const table = tableFromIPC(result.stdoutBytes);
    const columns: TextTable = new Map(table.schema.fields.map((field) => [field.name, [...(table.getChild(field.name) ?? [])].map((value) => String(value))]));
    assert.deepEqual([...columns.keys()].slice(0, 5), [...FEATURE_NAMES, 'label']);
    assertPredictionsMatch(columns, EXPECTED, 'Arrow stream through stdin and stdout');
  });
});
