// End to end: every fixtures/<case>/ is scored by the built CLI from CSV, Arrow file and Arrow stream,
// into CSV and Arrow, and compared with scikit-learn's own predictions (expected/predictions.csv).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { assertPredictionsMatch, readArrowTable, readCsvTable } from './helpers/golden.js';

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
