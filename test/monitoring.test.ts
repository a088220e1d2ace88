// End to end: statistics, drift, metrics, gates (exit 6), renderings, profile and report merge/render.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const BINARY_MODEL = join(FIXTURES, 'binary-csv', 'model.onnx');
const LABELED = join(FIXTURES, 'monitoring', 'binary-labeled.csv');
const FEATURES = readFileSync(join(FIXTURES, 'binary-csv', 'args'), 'utf8').split('\n')[1] as string;
const expected = JSON.parse(readFileSync(join(FIXTURES, 'monitoring', 'expected.json'), 'utf8')) as Record<string, any>;

const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

function near(actual: number, want: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - want) <= tolerance, `${what}: ${actual} vs ${want}`);
}

/** Equal JSON, numbers within a relative 1e-12 (sums taken in another order differ in the last bits). */
function assertClose(actual: unknown, want: unknown, path = ''): void {
  if (typeof want === 'number' && typeof actual === 'number') return near(actual, want, 1e-12 * Math.max(1, Math.abs(want)), path);
  if (want === null || typeof want !== 'object') return assert.equal(actual, want, path);
  assert.deepEqual(Object.keys(actual as object), Object.keys(want), path);
  for (const [key, value] of Object.entries(want)) assertClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
}

/** The labelled CSV's header and rows, for making shifted or split copies. */
function labeledLines(): { header: string; rows: string[] } {
  const [header, ...rows] = readFileSync(LABELED, 'utf8').trimEnd().split('\n');
  return { header: header as string, rows };
}

describe('monitoring: score with a baseline, labels, groups and gates', () => {
  it('writes every output, then exits 6 when a gate fires; metrics equal scikit-learn\'s', async () => {
    const dir = await tempDir();
    const profile = await runCli(['profile', '-m', BINARY_MODEL, '-i', LABELED, '--features', FEATURES, '-o', 'baseline.json'], { cwd: dir });
    assert.equal(profile.code, 0, profile.stderr);
    const baseline = readJson(join(dir, 'baseline.json'));
    assert.equal(baseline.outputs.length, 0);
    assert.equal(baseline.stats.features['mean radius'].count, 160);

    const summaryFile = join(dir, 'step-summary.md');
    const result = await runCli(
      ['score', '-m', BINARY_MODEL, '-i', LABELED, '--features', FEATURES, '-o', 'preds.csv', '--baseline', 'baseline.json', '--label-column', 'target', '--group-by', 'site',
        '--fail-on', 'metrics.accuracy < 0.99', '--fail-on', 'drift.max_psi > 0.25', '--report-md', 'r.md', '--report-html', 'r.html', '--junit', 'junit.xml'],
      { cwd: dir, env: { GITHUB_STEP_SUMMARY: summaryFile } },
    );
    assert.equal(result.code, 6, result.stderr);
    assert.match(result.stderr, /Quality gate failed: metrics\.accuracy < 0\.99 \(value 0\.96875\)/);
    for (const file of ['preds.csv', 'preds.csv.report.json', 'r.md', 'r.html', 'junit.xml', 'step-summary.md']) assert.ok(existsSync(join(dir, file)), file);

    const report = readJson(join(dir, 'preds.csv.report.json'));
    const want = expected.binary;
    assert.equal(report.status, 'succeeded');
    for (const key of ['accuracy', 'f1_macro', 'f1_weighted']) near(report.metrics[key], want[key], 1e-12, key);
    // The model computes in float32: probabilities differ from scikit-learn's in the 7th digit.
    near(report.metrics.log_loss, want.log_loss, 1e-5, 'log_loss');
    near(report.metrics.roc_auc, want.roc_auc, 2e-3, 'roc_auc');
    assert.deepEqual(report.metrics.confusion_matrix.counts, want.confusion_matrix);
    near(report.fairness.selection_rate_ratio, want.fairness.selection_rate_ratio, 1e-12, 'selection rate ratio');
    assert.equal(report.groups.north.rows, want.groups.north.rows);
    assert.equal(report.drift.max_psi, 0);
    assert.deepEqual(report.gates.map((gate: { fired: boolean }) => gate.fired), [true, false]);

    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    assert.match(junit, /tests="2" failures="1"/);
    assert.match(junit, /<testcase classname="onnx-batch.gates" name="metrics.accuracy &lt; 0.99"/);
    const markdown = readFileSync(join(dir, 'r.md'), 'utf8');
    assert.match(markdown, /\| metrics\.accuracy < 0\.99 \| 0\.9688 \| FAILED \|/);
    assert.equal(readFileSync(summaryFile, 'utf8'), `${markdown}\n`);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    // Self-contained: nothing fetched.
    assert.doesNotMatch(html, /\ssrc=|url\(|@import|<link/i);
    assert.ok((html.match(/<svg class="histogram"/g) ?? []).length >= 8);
    assert.match(html, /class="confusion"/);
  });

  it('a shifted feature drifts: PSI over the alert threshold for it and not for the others', async () => {
    const dir = await tempDir();
    const { header, rows } = labeledLines();
    // mean radius is the second column: add 3 to it (about one standard deviation).
    const shifted = rows.map((line) => line.replace(/^(\d+),([^,]+),/, (_, id: string, radius: string) => `${id},${Number(radius) + 3},`));
    await writeFile(join(dir, 'shifted.csv'), `${header}\n${shifted.join('\n')}\n`);
    assert.equal((await runCli(['profile', '-m', BINARY_MODEL, '-i', LABELED, '--features', FEATURES, '-o', 'baseline.json'], { cwd: dir })).code, 0);
    const result = await runCli(['score', '-m', BINARY_MODEL, '-i', 'shifted.csv', '--features', FEATURES, '-o', 'out.csv', '--baseline', 'baseline.json', '--fail-on', 'drift.features."mean radius".psi > 0.25'], { cwd: dir });
    assert.equal(result.code, 6, result.stderr);
    const drift = readJson(join(dir, 'out.csv.report.json')).drift;
    assert.equal(drift.features['mean radius'].status, 'alert');
    assert.ok(drift.features['mean radius'].ks > 0.3);
    assert.equal(drift.features['mean texture'].psi, 0);
  });

  it('regression metrics equal scikit-learn\'s (diabetes)', async () => {
    const dir = await tempDir();
    const result = await runCli(['score', '-m', join(FIXTURES, 'regressor-csv', 'model.onnx'), '-i', join(FIXTURES, 'monitoring', 'regressor-labeled.csv'), '-o', 'out.csv', '--features', 'age,sex,bmi,bp,s1,s2,s3,s4,s5,s6', '--label-column', 'target', '--fail-on', 'metrics.r2 < 0.4'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const metrics = readJson(join(dir, 'out.csv.report.json')).metrics;
    for (const key of ['mae', 'rmse', 'r2', 'mape']) near(metrics[key], expected.regression[key], 1e-9, key);
  });
});

describe('monitoring: usage errors exit 2 before scoring', () => {
  const cases: [string, string[], RegExp][] = [
    ['a malformed gate', ['--fail-on', 'metrics.accuracy <'], /expected a number after '<'/],
    ['an unknown path, with near matches', ['--label-column', 'target', '--fail-on', 'metrics.acuracy < 0.9'], /unknown report path 'metrics.acuracy'; did you mean 'metrics.accuracy'/],
    ['a drift gate without --baseline', ['--fail-on', 'drift.max_psi > 0.25'], /only --baseline gives/],
    ['--report with a Markdown name', ['--report', 'r.md'], /--report r\.md writes JSON, not Markdown: use --report-md r\.md/],
    ['--report with an HTML name', ['--report', 'r.html'], /use --report-html r\.html/],
    ['--no-stats with --label-column', ['--no-stats', '--label-column', 'target'], /--no-stats leaves out the statistics/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const dir = await tempDir();
      const result = await runCli(['score', '-m', BINARY_MODEL, '-i', LABELED, '--features', FEATURES, '-o', 'out.csv', ...args], { cwd: dir });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.ok(!existsSync(join(dir, 'out.csv')));
    });
  }

  it('a label column the input lacks exits 3 and names it', async () => {
    const dir = await tempDir();
    const result = await runCli(['score', '-m', BINARY_MODEL, '-i', LABELED, '--features', FEATURES, '-o', 'out.csv', '--label-column', 'truth'], { cwd: dir });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /lacks 'truth', named by --label-column/);
  });
});

describe('report merge and render', () => {
  it('merging the reports of 3 disjoint parts gives the single run\'s counts and metrics', async () => {
    const dir = await tempDir();
    const { header, rows } = labeledLines();
    const parts = [rows.slice(0, 50), rows.slice(50, 110), rows.slice(110)];
    const common = ['-m', BINARY_MODEL, '--features', FEATURES, '--label-column', 'target', '--group-by', 'site'];
    for (const [k, part] of parts.entries()) {
      await writeFile(join(dir, `part${k}.csv`), `${header}\n${part.join('\n')}\n`);
      assert.equal((await runCli(['score', ...common, '-i', `part${k}.csv`, '-o', `part${k}.out.csv`], { cwd: dir })).code, 0);
    }
    assert.equal((await runCli(['score', ...common, '-i', LABELED, '-o', 'whole.csv'], { cwd: dir })).code, 0);
    const merge = await runCli(['report', 'merge', ...parts.map((_, k) => `part${k}.out.csv.report.json`), '-o', 'merged.json', '--html', 'merged.html'], { cwd: dir });
    assert.equal(merge.code, 0, merge.stderr);
    const merged = readJson(join(dir, 'merged.json'));
    const whole = readJson(join(dir, 'whole.csv.report.json'));
    assert.deepEqual(merged.rows, whole.rows);
    assertClose(merged.metrics, whole.metrics, 'metrics');
    assertClose(merged.groups, whole.groups, 'groups');
    assertClose(merged.fairness, whole.fairness, 'fairness');
    for (const name of Object.keys(whole.stats.features)) {
      const [a, b] = [merged.stats.features[name], whole.stats.features[name]];
      assert.equal(a.count, b.count);
      near(a.mean, b.mean, 1e-9 * Math.abs(b.mean), `${name} mean`);
      near(a.std, b.std, 1e-9 * Math.abs(b.std), `${name} std`);
      assert.deepEqual([a.min, a.max], [b.min, b.max]);
    }
    assert.ok(existsSync(join(dir, 'merged.html')));
  });

  it('renders an existing report as HTML and Markdown; refuses to merge reports of different models', async () => {
    const dir = await tempDir();
    assert.equal((await runCli(['score', '-m', join(FIXTURES, 'iris-csv', 'model.onnx'), '-i', join(FIXTURES, 'monitoring', 'iris-labeled.csv'), '-o', 'out.csv', '--features', 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)', '--label-column', 'species'], { cwd: dir })).code, 0);
    const result = await runCli(['report', 'render', 'out.csv.report.json', '--html', 'r.html', '--md', 'r.md'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(readFileSync(join(dir, 'r.md'), 'utf8'), /\| metrics\.accuracy \| 0\.9733 \|/);
    assert.match(readFileSync(join(dir, 'r.html'), 'utf8'), /<h2>Confusion matrix<\/h2>/);

    assert.equal((await runCli(['score', '-m', BINARY_MODEL, '-i', LABELED, '--features', FEATURES, '-o', 'a.csv'], { cwd: dir })).code, 0);
    const merge = await runCli(['report', 'merge', 'a.csv.report.json', 'out.csv.report.json', '-o', 'merged.json'], { cwd: dir });
    assert.equal(merge.code, 2);
    assert.match(merge.stderr, /Cannot merge: out\.csv\.report\.json differs from a\.csv\.report\.json in model sha256/);
    assert.ok(!existsSync(join(dir, 'merged.json')));
  });
});
