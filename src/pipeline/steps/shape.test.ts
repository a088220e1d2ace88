import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { badValue, bool, chunk, compile, f32, f64, i64, raw, read, str } from '../../../test/helpers/pipeline.js';

describe('steps: select, rename, cast', () => {
  it('select keeps only the listed columns', () => {
    const pipeline = compile([{ select: { columns: ['b', 'a'] } }], ['a', 'b', 'c'], ['a']);
    const out = pipeline.transform(chunk({ a: f64([1]), b: str(['x']), c: f64([3]) }));
    assert.deepEqual([...out.columns.keys()].sort(), ['a', 'b']);
    assert.deepEqual(read(out, 'a'), [1]);
  });

  it('rename moves a column to its new name, keeping the data', () => {
    const pipeline = compile([{ rename: { columns: { 'passenger class': 'Pclass' } } }], ['passenger class'], ['Pclass']);
    const input = chunk({ 'passenger class': f64([1, 3]) });
    const out = pipeline.transform(input);
    assert.equal(out.columns.has('passenger class'), false);
    assert.equal(out.columns.get('Pclass'), input.columns.get('passenger class'));
    assert.deepEqual([...pipeline.writes], ['Pclass']);
  });

  it('rename can swap two columns', () => {
    const pipeline = compile([{ rename: { columns: { a: 'b', b: 'a' } } }], ['a', 'b'], ['a', 'b']);
    const out = pipeline.transform(chunk({ a: f64([1]), b: f64([2]) }));
    assert.deepEqual(read(out, 'a'), [2]);
    assert.deepEqual(read(out, 'b'), [1]);
  });

  it('cast to float64 parses text strictly, keeps nulls, and reports bad text with its line', () => {
    const pipeline = compile([{ cast: { columns: ['a'], to: 'float64' } }], ['a']);
    const out = pipeline.transform(chunk({ a: str(['1.5', null, ' -2e3 ', 'inf']) }));
    assert.equal(out.columns.get('a')?.type, 'float64');
    assert.deepEqual(read(out, 'a'), [1.5, null, -2000, Number.POSITIVE_INFINITY]);
    assert.throws(() => pipeline.transform(chunk({ a: str(['1', '0x10']) }, { lines: [2, 3] })), badValue("data.csv at line 3, column 'a' (steps[0].cast)", 'expected a number', '"0x10"'));
  });

  it('cast to float64 turns garbage under Arrow nulls into NaN with the null flag', () => {
    const pipeline = compile([{ cast: { columns: ['a', 'b'], to: 'float64' } }], ['a', 'b']);
    const out = pipeline.transform(chunk({ a: i64([5n, 99n], [0, 1]), b: f32([0.5, 7], [1, 0]) }));
    assert.deepEqual(read(out, 'a'), [5, null]);
    assert.deepEqual(raw(out, 'a'), [5, Number.NaN]);
    assert.deepEqual(read(out, 'b'), [null, 7]);
    assert.equal(out.columns.get('b')?.type, 'float64');
  });

  it('cast to string writes numbers in their shortest form, booleans as true/false, nulls as null', () => {
    const pipeline = compile([{ cast: { columns: ['a', 'b', 'c', 'd'], to: 'string' } }], ['a', 'b', 'c', 'd']);
    const out = pipeline.transform(chunk({ a: f64([1, 2.5, 42], [0, 0, 1]), b: i64([3n, -7n, 0n]), c: bool([1, 0, 1], [0, 0, 1]), d: str(['x', null, 'z']) }));
    assert.deepEqual(read(out, 'a'), ['1', '2.5', null]);
    assert.deepEqual(read(out, 'b'), ['3', '-7', '0']);
    assert.deepEqual(read(out, 'c'), ['true', 'false', null]);
    assert.deepEqual(read(out, 'd'), ['x', null, 'z']);
  });
});

// ---- numeric steps -------------------------------------------------------------------------------
