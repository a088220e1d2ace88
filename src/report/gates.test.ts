import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkGates, GateSyntaxError, nearMatches, parseGate } from './gates.js';

describe('--fail-on gates', () => {
  it('parses a path, an operator and a number', () => {
    assert.deepEqual(parseGate('metrics.accuracy < 0.9'), { expression: 'metrics.accuracy < 0.9', path: ['metrics', 'accuracy'], operator: '<', threshold: 0.9 });
    assert.deepEqual(parseGate('drift.max_psi>=2.5e-1').operator, '>=');
    assert.deepEqual(parseGate('groups."<=50K".metrics.f1_macro != 1').path, ['groups', '<=50K', 'metrics', 'f1_macro']);
    assert.deepEqual(parseGate('drift.features.petal width (cm).psi > 0.2'.replace('petal width (cm)', '"petal width (cm)"')).path, ['drift', 'features', 'petal width (cm)', 'psi']);
  });

  for (const [expression, message] of [
    ['metrics.accuracy 0.9', /expected an operator/],
    ['metrics.accuracy < high', /expected a number after '<', got 'high'/],
    ['metrics.accuracy < 0.9; rm -rf /', /expected a number/],
    ['< 0.9', /expected a report path/],
    ['groups."open.f1 > 1', /quoted name is not closed/],
    ['process.exit < 1', /unknown report path 'process.exit'/],
  ] as const) {
    it(`refuses ${JSON.stringify(expression)}`, () => assert.throws(() => parseGate(expression), (error: unknown) => error instanceof GateSyntaxError && message.test(error.message)));
  }

  it('an unknown path lists the near matches', () => {
    assert.throws(() => parseGate('metrics.acuracy < 0.9'), (error: unknown) => error instanceof GateSyntaxError && error.nearMatches[0] === 'metrics.accuracy');
    assert.equal(nearMatches('drift.features.age.pis')[0], 'drift.features.age.psi');
    assert.equal(nearMatches('rows.rejected_percent')[0], 'rows.rejected_pct');
  });

  it('checks gates against a report; a missing value fires, with a note', () => {
    const report = { metrics: { accuracy: 0.85 }, drift: { max_psi: 0.05 }, rows: { rejected_pct: 0 } };
    const results = checkGates(['metrics.accuracy < 0.9', 'drift.max_psi > 0.25', 'rows.rejected_pct <= 0', 'metrics.roc_auc < 0.8'].map(parseGate), report);
    assert.deepEqual(results.map((r) => [r.value, r.fired]), [[0.85, true], [0.05, false], [0, true], [null, true]]);
    assert.match(results[3]?.note ?? '', /no value at metrics.roc_auc.*--label-column/);
  });
});
