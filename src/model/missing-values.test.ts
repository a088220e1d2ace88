import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideMissing, missingValueSupport, type GraphNode } from './missing-values.js';

const node = (opType: string, inputs: string[], outputs: string[], extra: Partial<GraphNode> = {}): GraphNode => ({ opType, inputs, outputs, ...extra });

describe('missingValueSupport: does the graph handle a NaN fed to this input (issue 10)', () => {
  it('yes for a scikit-learn ColumnTransformer export: Concat, then an Imputer that replaces NaN', () => {
    const nodes = [
      node('Concat', ['age', 'fare'], ['num']),
      node('Imputer', ['num'], ['imputed'], { replacesNaN: true }),
      node('Scaler', ['imputed'], ['scaled']),
      node('LinearClassifier', ['scaled'], ['label', 'proba']),
    ];
    const support = missingValueSupport('age', nodes, ['label', 'proba']);
    assert.equal(support.handlesNaN, true);
    assert.match(support.reason, /Imputer/);
  });

  it('no for an Imputer that replaces another value than NaN', () => {
    const nodes = [node('Imputer', ['x'], ['y'], { replacesNaN: false }), node('Relu', ['y'], ['z'])];
    assert.deepEqual(missingValueSupport('x', nodes, ['z']), { handlesNaN: false, reason: 'it reaches an Imputer that does not replace NaN before any Imputer, IsNaN or tree ensemble' });
  });

  it('yes for a tree ensemble after a Cast, no for a linear model', () => {
    assert.equal(missingValueSupport('x', [node('Cast', ['x'], ['f']), node('TreeEnsembleClassifier', ['f'], ['label'])], ['label']).handlesNaN, true);
    const linear = missingValueSupport('x', [node('LinearClassifier', ['x'], ['label'])], ['label']);
    assert.deepEqual(linear, { handlesNaN: false, reason: 'it reaches LinearClassifier before any Imputer, IsNaN or tree ensemble' });
  });

  it('yes for Where(IsNaN(x), fill, x); no for Where(x > 0, x, 0), which turns NaN into 0 silently', () => {
    const guarded = [node('IsNaN', ['x'], ['missing']), node('Where', ['missing', 'fill', 'x'], ['y']), node('Relu', ['y'], ['z'])];
    assert.equal(missingValueSupport('x', guarded, ['z']).handlesNaN, true);
    const compared = [node('Greater', ['x', 'zero'], ['positive']), node('Where', ['positive', 'x', 'zero'], ['y'])];
    assert.equal(missingValueSupport('x', compared, ['y']).handlesNaN, false);
  });

  it('no when one path reaches arithmetic even if another reaches an Imputer', () => {
    const nodes = [node('Imputer', ['x'], ['a'], { replacesNaN: true }), node('Mul', ['x', 'w'], ['b']), node('Add', ['a', 'b'], ['y'])];
    assert.match(missingValueSupport('x', nodes, ['y']).reason, /reaches Mul/);
  });

  it('no for an input that is an output unchanged or that nothing reads', () => {
    assert.deepEqual(missingValueSupport('x', [node('Identity', ['x'], ['y'])], ['y']), { handlesNaN: false, reason: 'it reaches a model output unchanged' });
    assert.deepEqual(missingValueSupport('x', [], ['y']), { handlesNaN: false, reason: 'no node of the graph reads it' });
  });
});

describe('decideMissing: --missing and the graph decide per float input', () => {
  const handled = { handlesNaN: true, reason: 'it reaches Imputer before any other computation' };
  const unhandled = { handlesNaN: false, reason: 'it reaches Add before any Imputer, IsNaN or tree ensemble' };

  it('auto feeds NaN only where the graph handles it, and never an infinite value', () => {
    assert.deepEqual({ ...decideMissing('auto', handled), reason: '' }, { mode: 'auto', feedsNaN: true, feedsInfinity: false, reason: '' });
    assert.match(decideMissing('auto', handled).reason, /NaN is fed because it reaches Imputer/);
    assert.equal(decideMissing('auto', unhandled).feedsNaN, false);
    assert.match(decideMissing('auto', unhandled).reason, /makes the row bad because it reaches Add/);
    assert.equal(decideMissing('auto', undefined).feedsNaN, false);
  });

  it('reject refuses and nan feeds whatever the graph does', () => {
    assert.equal(decideMissing('reject', handled).feedsNaN, false);
    assert.equal(decideMissing('reject', handled).feedsInfinity, false);
    assert.equal(decideMissing('nan', unhandled).feedsNaN, true);
    assert.equal(decideMissing('nan', unhandled).feedsInfinity, true);
  });
});
