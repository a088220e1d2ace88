// End to end: log loss and ROC AUC of a model whose label output is text (`<=50K`, `>50K`), with its
// probabilities per class from a ZipMap, or as a plain tensor named by the classifier's class labels.
// Expected values: scikit-learn's (fixtures/make_string_labels.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const DIR = join(FIXTURES, 'string-labels');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  rows: number; accuracy: number; f1_macro: number; log_loss: number; roc_auc: number; confusion_matrix: number[][]; features: string[];
};

function near(actual: unknown, want: number, tolerance: number, what: string): void {
  assert.ok(typeof actual === 'number' && Math.abs(actual - want) <= tolerance, `${what}: ${String(actual)} vs ${want}`);
}

describe('evaluation of a model with text labels', () => {
  for (const [name, model, probabilityColumns] of [
    ['ZipMap output, columns named by class', 'model-zipmap.onnx', ['output_probability_<=50K', 'output_probability_>50K']],
    ['tensor output, its columns named by the classifier\'s labels [>50K, <=50K] (not sorted)', 'model-tensor.onnx', ['probabilities_>50K', 'probabilities_<=50K']],
  ] as const) {
    it(`${name}: accuracy, F1, log loss and ROC AUC equal scikit-learn's`, async () => {
      const dir = await tempDir();
      const result = await runCli(['score', '-m', join(DIR, model), '-i', join(DIR, 'labeled.csv'), '--features', expected.features.join(','), '-o', 'preds.csv', '--keep', 'none', '--label-column', 'income'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stderr, /left out/);
      const header = readFileSync(join(dir, 'preds.csv'), 'utf8').split('\n')[0];
      assert.equal(header, ['label', ...probabilityColumns].join(','));
      const report = JSON.parse(readFileSync(join(dir, 'preds.csv.report.json'), 'utf8'));
      const metrics = report.metrics;
      assert.equal(metrics.rows, expected.rows);
      near(metrics.accuracy, expected.accuracy, 1e-12, 'accuracy');
      near(metrics.f1_macro, expected.f1_macro, 1e-12, 'f1_macro');
      // The model computes in float32: probabilities differ from scikit-learn's in the 7th digit.
      near(metrics.log_loss, expected.log_loss, 1e-5, 'log_loss');
      // Binned into 1,024 score bins (ties within a bin count half).
      near(metrics.roc_auc, expected.roc_auc, 2e-3, 'roc_auc');
      assert.deepEqual(metrics.confusion_matrix, { labels: ['<=50K', '>50K'], counts: expected.confusion_matrix });
    });
  }
});
