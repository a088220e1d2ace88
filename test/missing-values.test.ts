// End to end: missing values are never scored into a confident label (issue 10, case 1). By default
// (--missing auto) a missing, NaN or infinite feature makes the row bad unless the graph handles NaN
// for that input (an Imputer, as in scikit-learn pipelines) or a pipeline step imputes it first.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Field, Float64, RecordBatch, Schema, Struct, Table, makeData, tableToIPC, vectorFromArray } from 'apache-arrow';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { readCsvTable } from './helpers/golden.js';

const IRIS = join(FIXTURES, 'iris-csv', 'model.onnx');
const NAMED = join(FIXTURES, 'named-inputs');
const HEADER = 'id,a,b,c,d';
const ROWS = [
  '1,5.1,3.5,1.4,0.2',
  '2,,3.0,1.4,0.2', // empty
  '3,NaN,3.0,1.4,0.2',
  '4,inf,3.0,1.4,0.2',
  '5,-Infinity,3.0,1.4,0.2',
  '6,3.5e38,3.0,1.4,0.2', // beyond float32
  '7,6.2,2.9,4.3,1.3',
];

interface Report {
  rows: { read: number; scored: number; rejected: number };
  rejects: { byReason: Record<string, number> } | null;
  feeds: { missing: string; inputs: { input: string; missing: { feedsNaN: boolean; feedsInfinity: boolean; reason: string } | null }[] };
}

async function readReport(path: string): Promise<Report> {
  return JSON.parse(await readFile(path, 'utf8')) as Report;
}

describe('missing values (--missing)', () => {
  it('a linear model: the first empty field stops the run (exit 3) naming file, line, column and value, not a NaN label', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'in.csv'), `${HEADER}\n${ROWS.join('\n')}\n`);
    const result = await runCli(['score', '-m', IRIS, '-i', 'in.csv', '--features', 'a,b,c,d', '-o', 'out.csv'], { cwd: dir });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /^onnx-batch: error: Bad value in in\.csv at line 3, column 'a' \(model input 'float_input', float32\): a missing value, which the model does not handle here \(--missing auto\), got ""$/m);
    assert.match(result.stderr, /hint: --missing auto: .* because it reaches LinearClassifier before any Imputer, IsNaN or tree ensemble\. Impute the column/);
  });

  it('with --on-error skip, empty, NaN, ±Infinity and out-of-range values are rejected rows; the report says why per input', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'in.csv'), `${HEADER}\n${ROWS.join('\n')}\n`);
    const result = await runCli(['score', '-m', IRIS, '-i', 'in.csv', '--features', 'a,b,c,d', '-o', 'out.csv', '--on-error', 'skip', '--max-errors', '100%'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readCsvTable(join(dir, 'out.csv')).get('id'), ['1', '7']);
    const rejects = readCsvTable(join(dir, 'out.csv.rejects.csv'));
    assert.deepEqual(rejects.get('line'), ['3', '4', '5', '6', '7']);
    assert.deepEqual(rejects.get('column'), ['a', 'a', 'a', 'a', 'a']);
    assert.deepEqual(
      rejects.get('reason')?.map((reason) => reason.replace(/ \(model input .*$/, '')),
      [
        'a missing value, which the model does not handle here (--missing auto)',
        'NaN, which the model does not handle here (--missing auto)',
        'an infinite value, which the model does not handle here (--missing auto)',
        'an infinite value, which the model does not handle here (--missing auto)',
        'out of float32 range',
      ],
    );
    const report = await readReport(join(dir, 'out.csv.report.json'));
    assert.equal(report.feeds.missing, 'auto');
    assert.equal(report.feeds.inputs[0]?.missing?.feedsNaN, false);
    assert.match(report.feeds.inputs[0]?.missing?.reason ?? '', /reaches LinearClassifier/);
  });

  it('Arrow nulls, NaN and ±Infinity are refused the same way', async () => {
    const dir = await tempDir();
    const columns: Record<string, (number | null)[]> = {
      a: [5.1, null, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 6.2],
      b: [3.5, 3, 3, 3, 3, 2.9],
      c: [1.4, 1.4, 1.4, 1.4, 1.4, 4.3],
      d: [0.2, 0.2, 0.2, 0.2, 0.2, 1.3],
    };
    const schema = new Schema(Object.keys(columns).map((name) => new Field(name, new Float64(), true)));
    const children = Object.values(columns).map((values) => vectorFromArray(values, new Float64()).data[0] as never);
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 6, nullCount: 0, children }));
    await writeFile(join(dir, 'in.arrow'), tableToIPC(new Table(schema, [batch]), 'file'));
    const result = await runCli(['score', '-m', IRIS, '-i', 'in.arrow', '--features', 'a,b,c,d', '-o', 'out.csv', '--on-error', 'skip', '--max-errors', '100%'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readCsvTable(join(dir, 'out.csv')).get('a'), ['5.1', '6.2']);
    assert.deepEqual(readCsvTable(join(dir, 'out.csv.rejects.csv')).get('row'), ['1', '2', '3', '4']);
  });

  it('a model with an Imputer in its graph is fed NaN without a flag, and scores as scikit-learn did', async () => {
    const dir = await tempDir();
    const input = await readFile(join(NAMED, 'input.csv'), 'utf8');
    assert.match(input, /,,/, 'the fixture has missing values');
    const result = await runCli(['score', '-m', join(NAMED, 'model.onnx'), '-i', join(NAMED, 'input.csv'), '-o', 'out.csv', '--keep', 'none'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const expected = readCsvTable(join(NAMED, 'expected', 'predictions.csv'));
    assert.deepEqual(readCsvTable(join(dir, 'out.csv')).get('label'), expected.get('label'));
    const report = await readReport(join(dir, 'out.csv.report.json'));
    const age = report.feeds.inputs.find((feed) => feed.input === 'âge');
    assert.deepEqual({ ...age?.missing, reason: undefined }, { mode: 'auto', feedsNaN: true, feedsInfinity: false, reason: undefined });
    assert.match(age?.missing?.reason ?? '', /reaches Imputer/);
    assert.equal(report.feeds.inputs.find((feed) => feed.input === 'home city')?.missing, null);
  });

  it('--missing reject refuses them even there; --missing nan feeds them, and the NaN prediction is still never written', async () => {
    const dir = await tempDir();
    const rejected = await runCli(['score', '-m', join(NAMED, 'model.onnx'), '-i', join(NAMED, 'input.csv'), '-o', 'out.csv', '--missing', 'reject', '--on-error', 'skip', '--max-errors', '100%'], { cwd: dir });
    assert.equal(rejected.code, 0, rejected.stderr);
    const reasons = readCsvTable(join(dir, 'out.csv.rejects.csv')).get('reason') ?? [];
    assert.ok(reasons.length > 0 && reasons.every((reason) => reason.startsWith('a missing value, which the model does not handle here (--missing reject)')), reasons.join('\n'));

    await writeFile(join(dir, 'in.csv'), `${HEADER}\n${ROWS.slice(0, 2).join('\n')}\n`);
    const fed = await runCli(['score', '-m', IRIS, '-i', 'in.csv', '--features', 'a,b,c,d', '-o', 'nan.csv', '--missing', 'nan', '--on-error', 'skip', '--max-errors', '100%'], { cwd: dir });
    assert.equal(fed.code, 0, fed.stderr);
    assert.deepEqual(readCsvTable(join(dir, 'nan.csv.rejects.csv')).get('reason'), ['the model returned NaN']);
  });

  it('a pipeline impute step fills missing values before the check', async () => {
    const dir = await tempDir();
    const fixture = join(FIXTURES, 'preprocess-csv');
    const [header, first, ...rest] = (await readFile(join(fixture, 'input.csv'), 'utf8')).trim().split('\n');
    const blanked = (first as string).split(',');
    blanked[1] = ''; // income
    blanked[2] = ''; // age
    await writeFile(join(dir, 'in.csv'), `${header}\n${blanked.join(',')}\n${rest.slice(0, 5).join('\n')}\n`);
    const result = await runCli(['score', '-m', join(fixture, 'model.onnx'), '-i', 'in.csv', '-o', 'out.csv'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readCsvTable(join(dir, 'out.csv')).get('applicant id')?.length, 6);
  });

  it('--reject-nan is gone: using it is exit 2 pointing to --missing', async () => {
    const result = await runCli(['score', '-m', IRIS, '-i', join(FIXTURES, 'iris-csv', 'input.csv'), '-o', '-', '--reject-nan']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--reject-nan was replaced by --missing/);
  });
});
