// End to end: every fixtures/<case>/ is scored by the built CLI from CSV, Arrow file and Arrow stream,
// into CSV and Arrow, and compared with scikit-learn's own predictions (expected/predictions.csv);
// every test/golden/<case>/ is run and its normalised report, stderr and exit code compared with
// its expected/ folder (UPDATE_GOLDEN=1 rewrites them; see test/golden/README.md).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, runCli, tempDir } from './helpers/cli.js';
import { assertJsonClose, assertPredictionsMatch, formatJson, normalizeReport, normalizeText, readArrowTable, readCsvTable } from './helpers/golden.js';

const cases = readdirSync(FIXTURES).filter((name) => existsSync(join(FIXTURES, name, 'expected', 'predictions.csv')));

describe('golden predictions from scikit-learn', () => {
  it('has the fixture cases', () => assert.ok(cases.length >= 6, `found ${cases.join(', ')}`));

  for (const name of cases) {
    const dir = join(FIXTURES, name);
    const args = readFileSync(join(dir, 'args'), 'utf8').split('\n').filter((line) => line !== '');
    const expected = readCsvTable(join(dir, 'expected', 'predictions.csv'));
    const inputHeader = [...readCsvTable(join(dir, 'input.csv')).keys()];

    // Small batch sizes make the rows cross many batch and record-batch boundaries.
    for (const [input, output, batchSize] of [
      ['input.csv', 'preds.csv', '4096'],
      ['input.arrow', 'preds.csv', '7'],
      ['input.arrows', 'preds.arrow', '4096'],
      ['input.csv', 'preds.arrows', '13'],
    ] as const) {
      it(`${name}: scores ${input} into ${output} in batches of ${batchSize} like scikit-learn`, async () => {
        const out = join(await tempDir(), output);
        const result = await runCli(['score', '-m', join(dir, 'model.onnx'), '-i', join(dir, input), '-o', out, '-b', batchSize, ...args]);
        assert.equal(result.code, 0, result.stderr);
        const table = output.endsWith('.csv') ? readCsvTable(out) : readArrowTable(out);
        assert.deepEqual([...table.keys()], [...inputHeader, ...expected.keys()], 'kept input columns first, then the predictions');
        assertPredictionsMatch(table, expected, `${name} ${input} -> ${output}`);
        const report = JSON.parse(readFileSync(`${out}.report.json`, 'utf8')) as { status: string; rows: { read: number; scored: number } };
        assert.equal(report.status, 'succeeded');
        assert.equal(report.rows.scored, expected.values().next().value?.length);
      });
    }
  }
});

const GOLDEN = join(ROOT, 'test', 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const runs = readdirSync(GOLDEN).filter((name) => existsSync(join(GOLDEN, name, 'args')));

describe('golden runs: normalised report, stderr and exit code (test/golden)', () => {
  it('has the main cases', () => assert.deepEqual(runs.sort(), ['bad-row-fail', 'clean-csv', 'gate-fires', 'missing-column', 'rejects-skip']));

  for (const name of runs) {
    it(`${name}: as in test/golden/${name}/expected`, async () => {
      const out = await tempDir();
      const args = readFileSync(join(GOLDEN, name, 'args'), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((arg) => arg.replace('<fixtures>', FIXTURES).replace('<golden>', GOLDEN));
      const result = await runCli(args, { cwd: out });
      const paths = { root: ROOT, out };
      const report = formatJson(normalizeReport(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')), paths));
      const actual = { 'exit-code': `${result.code}\n`, 'stderr.txt': normalizeText(result.stderr, paths), 'report.json': `${report}\n` };
      const expected = join(GOLDEN, name, 'expected');
      if (UPDATE) {
        mkdirSync(expected, { recursive: true });
        for (const [file, text] of Object.entries(actual)) writeFileSync(join(expected, file), text);
        return;
      }
      const read = (file: string): string => {
        assert.ok(existsSync(join(expected, file)), `test/golden/${name}/expected/${file} is missing: run UPDATE_GOLDEN=1 npm test, and review the diff`);
        return readFileSync(join(expected, file), 'utf8');
      };
      const hint = `(if the change is intended: UPDATE_GOLDEN=1 npm test, and review the diff of test/golden/${name}/expected)`;
      assert.equal(actual['exit-code'], read('exit-code'), `exit code ${hint}\n${result.stderr}`);
      assert.equal(actual['stderr.txt'], read('stderr.txt'), `stderr ${hint}`);
      try {
        assertJsonClose(JSON.parse(actual['report.json']), JSON.parse(read('report.json')), 'report');
      } catch (error) {
        throw new assert.AssertionError({ message: `${(error as Error).message} ${hint}` });
      }
    });
  }
});
