import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../shared/chunk.js';
import { compilePostProcess, type OutputGroup } from './postprocess.js';
import { readSpec } from './read-spec.js';
import type { OutputSpec } from './spec.js';
import { configInvalid } from '../../test/helpers/assertions.js';

/** The outputs section of a spec, checked by readSpec as in a run. */
function outputs(value: Record<string, unknown>): Readonly<Record<string, OutputSpec>> {
  return readSpec({ version: 1, inputs: { x: { columns: ['a'] } }, outputs: value }, 'spec.yaml').outputs;
}

/** The prediction columns `<output>_<label>` of one output, as the model stage names them. */
function group(output: string, width: number, labels?: string[]): OutputGroup {
  const names = labels ?? Array.from({ length: width }, (_, k) => String(k));
  return { output, columns: names.map((label) => `${output}_${label}`), labels };
}

/** Predictions of one group: rows of scores, as float32 (as ONNX models give) or float64. */
function predictions(outputGroup: OutputGroup, rows: number[][], type: 'float32' | 'float64' = 'float32'): Map<string, Column> {
  const map = new Map<string, Column>();
  outputGroup.columns.forEach((name, k) => {
    const values = rows.map((row) => row[k] as number);
    map.set(name, type === 'float32' ? { type: 'float32', values: Float32Array.from(values) } : { type: 'float64', values: Float64Array.from(values) });
  });
  return map;
}

function values(map: Map<string, Column>, name: string): (string | number | null)[] {
  const column = map.get(name);
  assert.ok(column !== undefined, `no column '${name}' (have ${[...map.keys()].join(', ')})`);
  return Array.from(column.values as ArrayLike<string | number | null>);
}

const IRIS = ['setosa', 'versicolor', 'virginica'];

describe('compilePostProcess: argmax', () => {
  it('writes the label of the highest value', () => {
    const probabilities = group('probabilities', 3, IRIS);
    const post = compilePostProcess(outputs({ probabilities: { argmax: 'species' } }), [probabilities]);
    assert.deepEqual(post.columnNames, ['species']);
    const map = predictions(probabilities, [
      [0.9, 0.05, 0.05],
      [0.1, 0.2, 0.7],
      [0.2, 0.6, 0.2],
    ]);
    post.apply(map, 3);
    assert.deepEqual(values(map, 'species'), ['setosa', 'virginica', 'versicolor']);
    assert.equal(map.get('species')?.type, 'string');
  });

  it('writes the column index without labels', () => {
    const scores = group('scores', 4);
    const post = compilePostProcess(outputs({ scores: { argmax: 'best' } }), [scores]);
    const map = predictions(scores, [
      [1, 2, 3, 4],
      [4, 3, 2, 1],
      [-5, -1, -3, -2],
    ]);
    post.apply(map, 3);
    assert.deepEqual(values(map, 'best'), ['3', '0', '1']);
  });

  it('takes the first column on a tie', () => {
    const scores = group('scores', 3, ['a', 'b', 'c']);
    const post = compilePostProcess(outputs({ scores: { argmax: 'best' } }), [scores]);
    const map = predictions(scores, [
      [0.4, 0.4, 0.2],
      [0.1, 0.45, 0.45],
    ]);
    post.apply(map, 2);
    assert.deepEqual(values(map, 'best'), ['a', 'b']);
  });

  it('ranks NaN below every number, and Infinity above', () => {
    const scores = group('scores', 3, ['a', 'b', 'c']);
    const post = compilePostProcess(outputs({ scores: { argmax: 'best' } }), [scores]);
    const map = predictions(scores, [
      [Number.NaN, 0.2, 0.7],
      [Number.NaN, Number.NaN, -1],
      [0.5, Number.POSITIVE_INFINITY, Number.NaN],
    ]);
    post.apply(map, 3);
    assert.deepEqual(values(map, 'best'), ['c', 'c', 'b']);
  });

  it('ignores an output the model does not have', () => {
    const post = compilePostProcess(outputs({ other: { argmax: 'best' } }), [group('scores', 2)]);
    assert.deepEqual(post.columnNames, []);
    const map = predictions(group('scores', 2), [[1, 2]]);
    post.apply(map, 1);
    assert.deepEqual([...map.keys()], ['scores_0', 'scores_1']);
  });

  it('handles a batch of 0 rows', () => {
    const scores = group('scores', 2);
    const post = compilePostProcess(outputs({ scores: { argmax: 'best', top_k: { k: 1 } } }), [scores]);
    const map = predictions(scores, []);
    post.apply(map, 0);
    assert.deepEqual(values(map, 'best'), []);
    assert.deepEqual(values(map, 'top_1_score'), []);
  });
});

describe('compilePostProcess: threshold', () => {
  it('writes positive when the last column is >= the threshold (equality included), else negative', () => {
    const probabilities = group('probabilities', 2, ['approved', 'declined']);
    const post = compilePostProcess(outputs({ probabilities: { labels: ['approved', 'declined'], threshold: { value: 0.25, column: 'decision' } } }), [probabilities]);
    assert.deepEqual(post.columnNames, ['decision']);
    const map = predictions(probabilities, [
      [0.75, 0.25],
      [0.76, 0.24],
      [0.1, 0.9],
      [1, 0],
    ]);
    post.apply(map, 4);
    assert.deepEqual(values(map, 'decision'), ['declined', 'approved', 'declined', 'approved']);
  });

  it('compares float32 scores with the threshold exactly at equality (0.5 is exact in float32)', () => {
    const probabilities = group('p', 2);
    const post = compilePostProcess(outputs({ p: { threshold: { value: 0.5, column: 'flag', positive: 'yes', negative: 'no' } } }), [probabilities]);
    const map = predictions(probabilities, [
      [0.5, 0.5],
      [0.5000001, 0.4999999],
    ]);
    post.apply(map, 2);
    assert.deepEqual(values(map, 'flag'), ['yes', 'no']);
  });

  it("defaults to '1' and '0' without labels", () => {
    const probabilities = group('p', 2);
    const post = compilePostProcess(outputs({ p: { threshold: { value: 0.5, column: 'flag' } } }), [probabilities]);
    const map = predictions(probabilities, [
      [0.2, 0.8],
      [0.8, 0.2],
    ]);
    post.apply(map, 2);
    assert.deepEqual(values(map, 'flag'), ['1', '0']);
  });

  it('works on a single-column output', () => {
    const score = group('score', 1);
    const post = compilePostProcess(outputs({ score: { threshold: { value: 0, column: 'positive' } } }), [score]);
    const map = predictions(score, [[-0.5], [0], [3]], 'float64');
    post.apply(map, 3);
    assert.deepEqual(values(map, 'positive'), ['0', '1', '1']);
  });
});

describe('compilePostProcess: top_k', () => {
  it('writes <prefix>_<i>_label and <prefix>_<i>_score, highest first', () => {
    const probabilities = group('probabilities', 3, IRIS);
    const post = compilePostProcess(outputs({ probabilities: { top_k: { k: 2, prefix: 'best' } } }), [probabilities]);
    assert.deepEqual(post.columnNames, ['best_1_label', 'best_1_score', 'best_2_label', 'best_2_score']);
    const map = predictions(probabilities, [
      [0.25, 0.125, 0.625],
      [0.5, 0.375, 0.125],
    ]);
    post.apply(map, 2);
    assert.deepEqual(values(map, 'best_1_label'), ['virginica', 'setosa']);
    assert.deepEqual(values(map, 'best_1_score'), [0.625, 0.5]);
    assert.deepEqual(values(map, 'best_2_label'), ['setosa', 'versicolor']);
    assert.deepEqual(values(map, 'best_2_score'), [0.25, 0.375]);
  });

  it('writes only as many ranks as the output has columns when k is larger', () => {
    const scores = group('scores', 3, ['a', 'b', 'c']);
    const post = compilePostProcess(outputs({ scores: { top_k: { k: 10 } } }), [scores]);
    assert.deepEqual(post.columnNames, ['top_1_label', 'top_1_score', 'top_2_label', 'top_2_score', 'top_3_label', 'top_3_score']);
    const map = predictions(scores, [[0.125, 0.5, 0.375]]);
    post.apply(map, 1);
    assert.deepEqual([1, 2, 3].map((rank) => values(map, `top_${rank}_label`)[0]), ['b', 'c', 'a']);
    assert.equal(map.has('top_4_label'), false);
  });

  it('puts NaN scores last, keeping column order among equal scores', () => {
    const scores = group('scores', 4, ['a', 'b', 'c', 'd']);
    const post = compilePostProcess(outputs({ scores: { top_k: { k: 4 } } }), [scores]);
    const map = predictions(scores, [[Number.NaN, 0.25, Number.NaN, 0.25]]);
    post.apply(map, 1);
    assert.deepEqual([1, 2, 3, 4].map((rank) => values(map, `top_${rank}_label`)[0]), ['b', 'd', 'a', 'c']);
    assert.deepEqual([1, 2, 3, 4].map((rank) => values(map, `top_${rank}_score`)[0]), [0.25, 0.25, Number.NaN, Number.NaN]);
  });

  it('keeps float32 scores as float32 (the same values as the model gave)', () => {
    const scores = group('scores', 3);
    const post = compilePostProcess(outputs({ scores: { top_k: { k: 2 } } }), [scores]);
    const map = predictions(scores, [[0.1, 0.7, 0.2]]);
    post.apply(map, 1);
    const score = map.get('top_1_score');
    assert.equal(score?.type, 'float32');
    assert.ok(score?.values instanceof Float32Array);
    assert.equal(score.values[0], Math.fround(0.7));
    assert.equal(map.get('top_2_score')?.values[0], Math.fround(0.2));
  });

  it('keeps float64 scores as float64', () => {
    const scores = group('scores', 2);
    const post = compilePostProcess(outputs({ scores: { top_k: { k: 1 } } }), [scores]);
    const map = predictions(scores, [[0.1, 0.7]], 'float64');
    post.apply(map, 1);
    assert.equal(map.get('top_1_score')?.type, 'float64');
    assert.equal(map.get('top_1_score')?.values[0], 0.7);
    assert.deepEqual(values(map, 'top_1_label'), ['1']);
  });
});

describe('compilePostProcess: several derived columns', () => {
  it('adds argmax, threshold and top_k columns in order, leaving the prediction columns as they were', () => {
    const p = group('p', 2, ['no', 'yes']);
    const post = compilePostProcess(outputs({ p: { argmax: 'label', threshold: { value: 0.3, column: 'decision' }, top_k: { k: 1, prefix: 't' } } }), [p]);
    assert.deepEqual(post.columnNames, ['label', 'decision', 't_1_label', 't_1_score']);
    const map = predictions(p, [
      [0.6, 0.4],
      [0.8, 0.2],
    ]);
    const before = map.get('p_no');
    post.apply(map, 2);
    assert.equal(map.get('p_no'), before);
    assert.deepEqual(values(map, 'label'), ['no', 'no']);
    assert.deepEqual(values(map, 'decision'), ['1', '0']);
    assert.deepEqual(values(map, 't_1_label'), ['no', 'no']);
  });

  it('derives columns of several outputs', () => {
    const a = group('a', 2, ['x', 'y']);
    const b = group('b', 2, ['u', 'v']);
    const post = compilePostProcess(outputs({ a: { argmax: 'a_best' }, b: { argmax: 'b_best' } }), [a, b]);
    const map = new Map([...predictions(a, [[0.1, 0.9]]), ...predictions(b, [[0.7, 0.3]])]);
    post.apply(map, 1);
    assert.deepEqual(values(map, 'a_best'), ['y']);
    assert.deepEqual(values(map, 'b_best'), ['u']);
  });

  it('fails with CONFIG_INVALID when argmax and threshold write the same column', () => {
    assert.throws(
      () => compilePostProcess(outputs({ p: { argmax: 'prediction', threshold: { value: 0.5, column: 'prediction' } } }), [group('p', 2)]),
      configInvalid("outputs.p.threshold.column: column 'prediction' is written twice"),
    );
  });

  it('fails with CONFIG_INVALID when two outputs write the same column', () => {
    assert.throws(() => compilePostProcess(outputs({ a: { argmax: 'label' }, b: { argmax: 'label' } }), [group('a', 2), group('b', 2)]), configInvalid("outputs.b.argmax: column 'label' is written twice"));
  });

  it('fails with CONFIG_INVALID when two outputs use the default top_k prefix', () => {
    assert.throws(
      () => compilePostProcess(outputs({ a: { top_k: { k: 1 } }, b: { top_k: { k: 1 } } }), [group('a', 2), group('b', 2)]),
      configInvalid("outputs.b.top_k: column 'top_1_label' is written twice"),
    );
  });

  it('fails with CONFIG_INVALID when argmax takes a top_k column name', () => {
    assert.throws(() => compilePostProcess(outputs({ a: { argmax: 'top_1_label', top_k: { k: 1 } } }), [group('a', 2)]), configInvalid("column 'top_1_label' is written twice"));
  });
});
