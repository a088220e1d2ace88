// Statistics, drift and metrics against numpy and scikit-learn (fixtures/monitoring/expected.json, made by make_monitoring.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { CategoricalStats, mergeSummaries, NumericStats, type NumericSummary } from '../src/report/column-stats.js';
import { categoricalDrift, numericDrift, psiEdges } from '../src/report/drift.js';
import { Evaluation, groupResults, metricsOf } from '../src/report/evaluation.js';
import type { ClassificationMetrics } from '../src/report/classification.js';
import type { RegressionMetrics } from '../src/report/regression.js';
import type { Column } from '../src/shared/chunk.js';
import { FIXTURES } from './helpers/cli.js';
import { exactRank, lcgUniform } from './helpers/exact-ranks.js';

const expected = JSON.parse(readFileSync(join(FIXTURES, 'monitoring', 'expected.json'), 'utf8')) as Record<string, any>;

function sample(spec: { generator: string; seed: number; n: number; shift?: number }): Float64Array {
  if (spec.generator === 'skewed') return lcgUniform(spec.seed, spec.n).map((u) => u * u * 10);
  const u = lcgUniform(spec.seed, 4 * spec.n);
  return Float64Array.from({ length: spec.n }, (_, i) => (u[4 * i] as number) + (u[4 * i + 1] as number) + (u[4 * i + 2] as number) + (u[4 * i + 3] as number) - 2 + (spec.shift ?? 0));
}

/** Feeds values in chunks of 4096, as the scoring pass does. */
function profile(values: Float64Array, edges?: readonly number[]): NumericSummary {
  const stats = new NumericStats(edges);
  for (let start = 0; start < values.length; start += 4096) {
    const part = values.subarray(start, Math.min(values.length, start + 4096));
    stats.observe({ type: 'float64', values: part }, part.length);
  }
  return stats.summary() as NumericSummary;
}

describe('column statistics against numpy', () => {
  it('a column of 600 values: exact moments, exact quantiles (inverted CDF)', () => {
    const { expected: want, ...spec } = expected.sketch.small;
    const summary = profile(sample(spec));
    assert.equal(summary.count, 600);
    for (const key of ['mean', 'std', 'min', 'max'] as const) assert.ok(Math.abs((summary[key] as number) - want[key]) < 1e-9, key);
    assert.deepEqual(summary.quantiles, want.quantiles);
    assert.equal(summary.histogram.counts.reduce((a, b) => a + b, 0), 600);
  });

  for (const name of ['large', 'bell'] as const) {
    it(`${name}: ${expected.sketch[name].n} values in bounded memory: moments exact, quantiles within 1% in rank`, () => {
      const { expected: want, ...spec } = expected.sketch[name];
      const values = sample(spec);
      const summary = profile(values);
      for (const key of ['mean', 'std'] as const) assert.ok(Math.abs((summary[key] as number) - want[key]) < 1e-9 * Math.max(1, Math.abs(want[key])), key);
      assert.equal(summary.min, want.min);
      assert.equal(summary.max, want.max);
      const sorted = values.slice().sort();
      for (const [q, value] of Object.entries(want.quantiles as Record<string, number>)) {
        const got = summary.quantiles[q as keyof typeof summary.quantiles] as number;
        assert.ok(Math.abs(exactRank(sorted, got) - exactRank(sorted, value)) < 0.01, `${q}: ${got} vs ${value}`);
      }
      // Bounded: the sketch keeps a few thousand items whatever the count.
      const kept = summary.sketch.levels.reduce((sum, level) => sum + level.length, 0);
      assert.ok(kept < 4000, String(kept));
      assert.equal(summary.sketch.n, spec.n);
    });
  }

  it('nulls, NaN and infinities are counted apart from the finite values', () => {
    const stats = new NumericStats();
    stats.observe({ type: 'float32', values: Float32Array.from([1, Number.NaN, 3, Infinity, 5]), nulls: Uint8Array.from([0, 0, 0, 0, 1]) }, 5);
    const summary = stats.summary() as NumericSummary;
    assert.deepEqual([summary.count, summary.nulls, summary.nan, summary.infinite, summary.mean, summary.min, summary.max], [5, 1, 1, 1, 2, 1, 3]);
  });

  it('merging the summaries of three parts gives the whole column', () => {
    const values = sample(expected.sketch.bell);
    const third = Math.floor(values.length / 3);
    const parts = [values.subarray(0, third), values.subarray(third, 2 * third), values.subarray(2 * third)].map((part) => profile(part));
    const merged = parts.reduce((a, b) => mergeSummaries(a, b) as NumericSummary);
    const whole = profile(values);
    assert.equal(merged.count, whole.count);
    assert.ok(Math.abs((merged.mean as number) - (whole.mean as number)) < 1e-12);
    assert.ok(Math.abs((merged.std as number) - (whole.std as number)) < 1e-12);
    assert.ok(Math.abs((merged.quantiles.p50 as number) - (whole.quantiles.p50 as number)) < 0.02);
  });

  it('categories: counts, the rest, and PSI counting a category unseen in the baseline', () => {
    const observe = (values: string[]) => {
      const stats = new CategoricalStats();
      stats.observe({ type: 'string', values: [...values, null] }, values.length + 1);
      return stats.summary();
    };
    const base = observe([...Array(50).fill('a'), ...Array(50).fill('b')]);
    assert.deepEqual(base.kind === 'categorical' && base.categories, [{ value: 'a', count: 50 }, { value: 'b', count: 50 }]);
    const now = observe([...Array(40).fill('a'), ...Array(40).fill('b'), ...Array(20).fill('c')]);
    const drift = base.kind === 'categorical' && now.kind === 'categorical' ? categoricalDrift(base, now) : undefined;
    // By hand: 2 * (0.4 - 0.5) ln(0.4/0.5) + (0.2 - 1e-4) ln(0.2/1e-4).
    const want = 2 * (0.4 - 0.5) * Math.log(0.4 / 0.5) + (0.2 - 1e-4) * Math.log(0.2 / 1e-4);
    assert.ok(Math.abs((drift?.psi as number) - want) < 1e-12);
    assert.equal(drift?.status, 'alert');
  });
});

describe('drift against numpy', () => {
  const baseline = profile(sample(expected.drift.baseline));
  for (const name of ['same', 'shifted'] as const) {
    it(`${name} distribution: PSI over the baseline deciles and KS`, () => {
      const spec = expected.drift[name];
      const current = profile(sample(spec), psiEdges(baseline));
      const drift = numericDrift(baseline, current);
      assert.ok(Math.abs((drift.psi as number) - spec.psi) < 0.02, `psi ${drift.psi} vs ${spec.psi}`);
      assert.ok(Math.abs((drift.ks as number) - spec.ks) < 0.015, `ks ${drift.ks} vs ${spec.ks}`);
      assert.equal(drift.status, name === 'same' ? 'ok' : 'alert');
    });
  }
});

function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path), { columns: true }) as Record<string, string>[];
}

const strings = (values: string[]): Column => ({ type: 'string', values });
const floats = (values: string[]): Column => ({ type: 'float64', values: Float64Array.from(values, Number) });

function near(actual: number | null, want: number, tolerance: number, what: string): void {
  assert.ok(actual !== null && Math.abs(actual - want) <= tolerance, `${what}: ${actual} vs ${want}`);
}

describe('metrics against scikit-learn', () => {
  it('binary classification, per group, with fairness ratios (breast cancer)', () => {
    const rows = readCsv(join(FIXTURES, 'monitoring', 'binary-labeled.csv'));
    const predicted = readCsv(join(FIXTURES, 'binary-csv', 'expected', 'predictions.csv'));
    const evaluation = new Evaluation({ task: 'classification', labelColumn: 'label', probabilities: [{ className: '0', column: 'p0' }, { className: '1', column: 'p1' }] }, 'target', 'site');
    // Two chunks, as the scoring pass sends them.
    for (const [start, end] of [[0, 100], [100, rows.length]] as const) {
      const part = rows.slice(start, end);
      const scores = predicted.slice(start, end);
      const predictions = new Map<string, Column>([
        ['label', { type: 'int64', values: BigInt64Array.from(scores, (row) => BigInt(row['label'] as string)) }],
        ['p0', floats(scores.map((row) => row['probabilities_0'] as string))],
        ['p1', floats(scores.map((row) => row['probabilities_1'] as string))],
      ]);
      evaluation.observe(strings(part.map((row) => row['target'] as string)), strings(part.map((row) => row['site'] as string)), predictions, part.length);
    }
    const metrics = metricsOf(evaluation.state.tally) as ClassificationMetrics;
    const want = expected.binary;
    assert.equal(metrics.rows, want.rows);
    for (const key of ['accuracy', 'f1_macro', 'f1_weighted', 'log_loss'] as const) near(metrics[key], want[key], 1e-9, key);
    near(metrics.roc_auc, want.roc_auc, 2e-3, 'roc_auc');
    assert.deepEqual(metrics.confusion_matrix.counts, want.confusion_matrix);
    for (const [label, values] of Object.entries(want.per_class as Record<string, Record<string, number>>)) {
      for (const [key, value] of Object.entries(values)) near(metrics.per_class[label]?.[key as 'f1'] ?? null, value, 1e-9, `${label}.${key}`);
    }
    const { groups, fairness } = groupResults(evaluation.state);
    for (const [name, group] of Object.entries(want.groups as Record<string, Record<string, number>>)) {
      assert.equal(groups[name]?.rows, group['rows']);
      near((groups[name]?.metrics as ClassificationMetrics).accuracy, group['accuracy'] as number, 1e-9, `${name} accuracy`);
      near(groups[name]?.selection_rate ?? null, group['selection_rate'] as number, 1e-9, `${name} selection rate`);
      near(groups[name]?.true_positive_rate ?? null, group['true_positive_rate'] as number, 1e-9, `${name} tpr`);
    }
    near(fairness?.selection_rate_ratio ?? null, want.fairness.selection_rate_ratio, 1e-9, 'selection rate ratio');
    near(fairness?.true_positive_rate_ratio ?? null, want.fairness.true_positive_rate_ratio, 1e-9, 'tpr ratio');
  });

  it('three classes: one-vs-rest macro ROC AUC, log loss, F1 (Iris), predicted class from the highest probability', () => {
    const rows = readCsv(join(FIXTURES, 'monitoring', 'iris-labeled.csv'));
    const predicted = readCsv(join(FIXTURES, 'iris-csv', 'expected', 'predictions.csv'));
    const names = ['probabilities_0', 'probabilities_1', 'probabilities_2'];
    const evaluation = new Evaluation({ task: 'classification', labelColumn: undefined, probabilities: names.map((column, k) => ({ className: String(k), column })) }, 'species', undefined);
    const predictions = new Map<string, Column>(names.map((name) => [name, floats(predicted.map((row) => row[name] as string))]));
    evaluation.observe(floats(rows.map((row) => row['species'] as string)), undefined, predictions, rows.length);
    const metrics = metricsOf(evaluation.state.tally) as ClassificationMetrics;
    const want = expected.iris;
    for (const key of ['accuracy', 'f1_macro', 'f1_weighted', 'log_loss'] as const) near(metrics[key], want[key], 1e-9, key);
    near(metrics.roc_auc, want.roc_auc, 2e-3, 'roc_auc');
    assert.deepEqual(metrics.confusion_matrix.counts, want.confusion_matrix);
  });

  it('regression: MAE, RMSE, R², MAPE (diabetes)', () => {
    const rows = readCsv(join(FIXTURES, 'monitoring', 'regressor-labeled.csv'));
    const predicted = readCsv(join(FIXTURES, 'regressor-csv', 'expected', 'predictions.csv'));
    const evaluation = new Evaluation({ task: 'regression', column: 'variable' }, 'target', undefined);
    for (const [start, end] of [[0, 200], [200, rows.length]] as const) {
      const predictions = new Map<string, Column>([['variable', floats(predicted.slice(start, end).map((row) => row['variable'] as string))]]);
      evaluation.observe(floats(rows.slice(start, end).map((row) => row['target'] as string)), undefined, predictions, end - start);
    }
    const metrics = metricsOf(evaluation.state.tally) as RegressionMetrics;
    for (const key of ['mae', 'rmse', 'r2', 'mape'] as const) near(metrics[key], expected.regression[key], 1e-9, key);
    assert.equal(metrics.rows, expected.regression.rows);
  });
});
