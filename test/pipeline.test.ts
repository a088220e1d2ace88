// End to end: preprocessing specs from the command line: discovery, errors, `pipeline check` and `pipeline init`.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { assertPredictionsMatch, readCsvTable } from './helpers/golden.js';

const CASE = join(FIXTURES, 'preprocess-csv');
const MODEL = join(CASE, 'model.onnx');
const SPEC = join(CASE, 'model.pipeline.yaml');
const expected = readCsvTable(join(CASE, 'expected', 'predictions.csv'));

/** A copy of the model in a fresh directory (so the spec beside it is not found). */
async function bareModel(): Promise<{ dir: string; model: string }> {
  const dir = await tempDir();
  const model = join(dir, 'model.onnx');
  await copyFile(MODEL, model);
  return { dir, model };
}

describe('pipeline specs in score', () => {
  it('uses -p, reports the spec and its hash, and adds derived output columns', async () => {
    const { dir, model } = await bareModel();
    const spec = (await readFile(SPEC, 'utf8')).replace(
      /outputs:[\s\S]*$/,
      'outputs:\n  probabilities:\n    labels: [approved, declined]\n    argmax: decision\n    top_k: { k: 1, prefix: best }\n',
    );
    await writeFile(join(dir, 'spec.yaml'), spec);
    const out = join(dir, 'out.csv');
    const result = await runCli(['score', '-m', model, '-p', join(dir, 'spec.yaml'), '-i', join(CASE, 'input.csv'), '-o', out, '--keep', 'none']);
    assert.equal(result.code, 0, result.stderr);
    const table = readCsvTable(out);
    assert.deepEqual([...table.keys()], ['label', 'probabilities_approved', 'probabilities_declined', 'decision', 'best_1_label', 'best_1_score']);
    assertPredictionsMatch(table, expected, 'with -p');
    assert.deepEqual(table.get('decision'), expected.get('label'), 'argmax agrees with the model label');
    const report = JSON.parse(await readFile(`${out}.report.json`, 'utf8')) as { pipeline: { source: string; sha256: string; steps: number }; feeds: { mapping: string } };
    assert.equal(report.pipeline.source, 'file');
    assert.equal(report.pipeline.sha256, createHash('sha256').update(spec).digest('hex'));
    assert.equal(report.feeds.mapping, 'pipeline');
  });

  it('keeps the raw input columns, not their preprocessed values', async () => {
    const out = join(await tempDir(), 'out.csv');
    const result = await runCli(['score', '-m', MODEL, '-i', join(CASE, 'input.csv'), '-o', out, '--keep', 'income,employment']);
    assert.equal(result.code, 0, result.stderr);
    const input = readCsvTable(join(CASE, 'input.csv'));
    const table = readCsvTable(out);
    assert.deepEqual(table.get('employment'), input.get('employment'));
    assert.deepEqual(table.get('income')?.map(Number), input.get('income')?.map(Number));
  });

  for (const [name, mutate, exitCode, pattern] of [
    ['a malformed spec names the path of each problem', (spec: string) => spec.replace('standardize', 'standardise').replace('version: 1', 'version: 2'), 2, /spec\.yaml[\s\S]*version: expected 1, got number 2\n\s+- steps\[2\]: unknown step 'standardise'/],
    ['a step naming a column the input lacks: exit 3, as without a spec', (spec: string) => spec.replace('column: "employment"', 'column: "occupation"'), 3, /Input .*input\.csv lacks column 'occupation' that pipeline spec spec\.yaml reads at steps\[7\]\.one_hot\.column/],
    ['inputs that do not fit the model show both signatures', (spec: string) => spec.replace('dtype: "float32"', 'dtype: "float64"'), 4, /The inputs of pipeline spec spec\.yaml do not fit model .*model\.onnx[\s\S]*the spec says float64, the model takes float32[\s\S]*the model's inputs: 'features' float32 \[N,15\]/],
    ['invalid YAML', (spec: string) => `${spec}\n  - : [`, 2, /is not valid YAML or JSON/],
  ] as const) {
    it(`refuses ${name} (exit ${exitCode})`, async () => {
      const { dir, model } = await bareModel();
      await writeFile(join(dir, 'spec.yaml'), mutate(await readFile(SPEC, 'utf8')));
      const result = await runCli(['score', '-m', model, '-p', 'spec.yaml', '-i', join(CASE, 'input.csv'), '-o', 'out.csv'], { cwd: dir });
      assert.equal(result.code, exitCode, result.stderr);
      assert.match(result.stderr, pattern);
    });
  }

  it('an unknown category with unknown: error names file, line and column (exit 3)', async () => {
    const { dir, model } = await bareModel();
    await writeFile(join(dir, 'spec.yaml'), (await readFile(SPEC, 'utf8')).replace('unknown: "ignore"', 'unknown: "error"'));
    const result = await runCli(['score', '-m', model, '-p', 'spec.yaml', '-i', join(CASE, 'input.csv'), '-o', 'out.csv'], { cwd: dir });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /Bad value in .*input\.csv at line \d+, column 'employment' \(steps\[\d+\]\.one_hot\): an unknown category \(known: .*\), got "contractor"/);
  });

  it('refuses --features together with a spec', async () => {
    const result = await runCli(['score', '-m', MODEL, '-i', join(CASE, 'input.csv'), '-o', '-', '--features', 'income']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--features cannot be combined with a pipeline spec/);
  });
});

describe('pipeline check and init', () => {
  it('check accepts a spec that fits, with and without a sample', async () => {
    for (const sample of [[], ['-i', join(CASE, 'input.csv')]]) {
      const result = await runCli(['pipeline', 'check', '-m', MODEL, ...sample]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^ok: .*model\.pipeline\.yaml fits .*: 12 steps/);
      assert.match(result.stdout, /features \(float32\) <- income, age, /);
    }
  });

  it('check fails on a sample whose values the steps refuse', async () => {
    const dir = await tempDir();
    const csv = (await readFile(join(CASE, 'input.csv'), 'utf8')).replace(/\n(\d+),/, '\n$1,not-a-number');
    await writeFile(join(dir, 'sample.csv'), csv.replace(/,not-a-number[^,]*/, ',not-a-number'));
    const result = await runCli(['pipeline', 'check', '-m', MODEL, '-i', join(dir, 'sample.csv')]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /column 'income'/);
  });

  it('check without any spec says where it looked', async () => {
    const { model } = await bareModel();
    const result = await runCli(['pipeline', 'check', '-m', model]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /No pipeline spec found/);
  });

  it('init drafts a spec that check accepts, and never overwrites a file', async () => {
    const { dir, model } = await bareModel();
    const draft = join(dir, 'draft.yaml');
    const init = await runCli(['pipeline', 'init', '-m', model, '-i', join(CASE, 'input.csv'), '-o', draft]);
    assert.equal(init.code, 0, init.stderr);
    const text = await readFile(draft, 'utf8');
    assert.match(text, /^version: 1$/m);
    assert.match(text, /one_hot: \{ column: employment, categories: \[/);
    assert.match(text, /impute: \{ columns: \[income, age\]/);
    const check = await runCli(['pipeline', 'check', '-m', model, '-p', draft, '-i', join(CASE, 'input.csv')]);
    assert.equal(check.code, 0, check.stderr);
    const again = await runCli(['pipeline', 'init', '-m', model, '-i', join(CASE, 'input.csv'), '-o', draft]);
    assert.equal(again.code, 5);
    assert.match(again.stderr, /the file exists/);
  });
});

describe('pipeline spec checked against schema/pipeline.schema.json', () => {
  it('a misspelt step and a wrong option: exit 2, one line each with its path, and where to look', async () => {
    const { dir, model } = await bareModel();
    const spec = join(dir, 'spec.yaml');
    await writeFile(spec, (await readFile(SPEC, 'utf8')).replace('standardize', 'standardise').replace('unknown: "ignore"', 'unknown: "drop"'));
    const result = await runCli(['pipeline', 'check', '-m', model, '-p', spec]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`Invalid pipeline spec ${spec.replaceAll('/', '\\/')}`));
    assert.match(result.stderr, /steps\[\d\]: unknown step 'standardise' \(expected one of select, .*standardize/);
    assert.match(result.stderr, /steps\[\d\]\.one_hot\.unknown: expected one of ignore, error, extra, got string "drop"/);
    assert.match(result.stderr, /schema\/pipeline\.schema\.json/);
    assert.doesNotMatch(result.stderr, /\bmust\b|^\s+at /m);
  });
});
