import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../errors.js';
import { badValue, bool, chunk, compile, f32, f64, i32, i64, raw, read, str } from '../../../test/helpers/pipeline.js';

describe('steps: impute', () => {
  it('fills nulls (whatever lies under them) and NaN, keeps Infinity, and clears the null flags', () => {
    const pipeline = compile([{ impute: { columns: ['a', 'b'], values: [5, -1] } }], ['a', 'b']);
    const out = pipeline.transform(chunk({ a: f64([1, 999, Number.NaN, Number.POSITIVE_INFINITY], [0, 1, 0, 0]), b: str(['2', null, ' 3.5 ', 'NaN']) }));
    assert.deepEqual(read(out, 'a'), [1, 5, 5, Number.POSITIVE_INFINITY]);
    assert.deepEqual(read(out, 'b'), [2, -1, 3.5, -1]);
    assert.equal((out.columns.get('a') as { nulls?: Uint8Array }).nulls, undefined);
    assert.equal((out.columns.get('b') as { nulls?: Uint8Array }).nulls, undefined);
  });

  it('reads int64, int32, float32 and bool columns as numbers', () => {
    const pipeline = compile([{ impute: { columns: ['a', 'b', 'c', 'd'], values: [0, 0, 0, 0] } }], ['a', 'b', 'c', 'd']);
    const out = pipeline.transform(chunk({ a: i64([7n, 123n], [0, 1]), b: i32([-3, 9], [1, 0]), c: f32([0.25, 1e9], [0, 1]), d: bool([1, 0]) }));
    assert.deepEqual(read(out, 'a'), [7, 0]);
    assert.deepEqual(read(out, 'b'), [0, 9]);
    assert.deepEqual(read(out, 'c'), [0.25, 0]);
    assert.deepEqual(read(out, 'd'), [1, 0]);
  });

  it('reports text that is not a number as BAD_VALUE with file, line, column and step', () => {
    const pipeline = compile([{ impute: { columns: ['a'], values: [0] } }], ['a']);
    assert.throws(
      () => pipeline.transform(chunk({ a: str(['1', 'abc']) }, { lines: [10, 12], rowOffset: 100 })),
      (error: unknown) => {
        badValue("Bad value in data.csv at line 12, column 'a' (steps[0].impute)", 'expected a number', '"abc"')(error);
        const input = error as InputError;
        assert.deepEqual(input.context, { file: 'data.csv', line: 12, column: 'a', row: 101 });
        return true;
      },
    );
  });

  it('names the row when the source has no lines', () => {
    const pipeline = compile([{ impute: { columns: ['a'], values: [0] } }], ['a']);
    assert.throws(() => pipeline.transform(chunk({ a: str(['x']) }, { source: 'in.arrow', firstRowInSource: 40 })), badValue("in.arrow at row 40, column 'a'"));
  });
});

describe('steps: standardize', () => {
  it('computes (x - mean) / scale per column, keeping nulls as nulls (NaN underneath, not the garbage)', () => {
    const pipeline = compile([{ standardize: { columns: ['a', 'b'], mean: [10, 0], scale: [2, 0.5] } }], ['a', 'b']);
    const out = pipeline.transform(chunk({ a: f64([12, 5000, 8, Number.POSITIVE_INFINITY], [0, 1, 0, 0]), b: f64([1, -1, Number.NaN, 0]) }));
    assert.deepEqual(read(out, 'a'), [1, null, -1, Number.POSITIVE_INFINITY]);
    assert.deepEqual(raw(out, 'a'), [1, Number.NaN, -1, Number.POSITIVE_INFINITY]);
    assert.deepEqual(read(out, 'b'), [2, -2, Number.NaN, 0]);
    const a = out.columns.get('a');
    assert.ok(a !== undefined && a.type === 'float64');
    assert.deepEqual(Array.from(a.nulls ?? []), [0, 1, 0, 0]);
  });

  it('works on chunk after chunk with the same parameters', () => {
    const pipeline = compile([{ standardize: { columns: ['a'], mean: [1], scale: [4] } }], ['a']);
    const outs = [chunk({ a: f64([1, 5]) }), chunk({ a: str(['9', null]) }), chunk({ a: f64([]) })].map((input) => pipeline.transform(input));
    assert.deepEqual(outs.map((out) => read(out, 'a')), [[0, 1], [2, null], []]);
  });
});

describe('steps: min_max', () => {
  it('maps [min, max] onto the range, without clipping values outside', () => {
    const pipeline = compile([{ min_max: { columns: ['a'], min: [0], max: [10], range: [-1, 1] } }], ['a']);
    const out = pipeline.transform(chunk({ a: f64([0, 5, 10, 15, -5, 3], [0, 0, 0, 0, 0, 1]) }));
    assert.deepEqual(read(out, 'a'), [-1, 0, 1, 2, -2, null]);
  });

  it('uses the range [0, 1] by default', () => {
    const pipeline = compile([{ min_max: { columns: ['a', 'b'], min: [18, 100], max: [78, 200] } }], ['a', 'b']);
    const out = pipeline.transform(chunk({ a: f64([18, 48, 78]), b: f64([150, 100, 200]) }));
    assert.deepEqual(read(out, 'a'), [0, 0.5, 1]);
    assert.deepEqual(read(out, 'b'), [0.5, 0, 1]);
  });
});

describe('steps: clip', () => {
  it('clips on one side only when only min is given', () => {
    const pipeline = compile([{ clip: { columns: ['a'], min: 0 } }], ['a']);
    const out = pipeline.transform(chunk({ a: f64([-5, 0, 3, 1e308, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]) }));
    assert.deepEqual(read(out, 'a'), [0, 0, 3, 1e308, 0, Number.POSITIVE_INFINITY]);
  });

  it('clips on one side only when only max is given', () => {
    const pipeline = compile([{ clip: { columns: ['a'], max: 1.5 } }], ['a']);
    const out = pipeline.transform(chunk({ a: f64([-5, 1.5, 2, Number.POSITIVE_INFINITY]) }));
    assert.deepEqual(read(out, 'a'), [-5, 1.5, 1.5, 1.5]);
  });

  it('clips both sides, keeping NaN as NaN and nulls as nulls', () => {
    const pipeline = compile([{ clip: { columns: ['a'], min: 0, max: 1 } }], ['a']);
    const out = pipeline.transform(chunk({ a: f64([-1, 0.5, 2, Number.NaN, 50], [0, 0, 0, 0, 1]) }));
    assert.deepEqual(read(out, 'a'), [0, 0.5, 1, Number.NaN, null]);
  });
});

describe('steps: log1p', () => {
  it('gives log(1 + x), -Infinity at -1 and NaN below -1 (as numpy.log1p)', () => {
    const pipeline = compile([{ log1p: { columns: ['a'] } }], ['a']);
    const out = pipeline.transform(chunk({ a: f64([0, Math.E - 1, 99, -1, -2, Number.POSITIVE_INFINITY, 7], [0, 0, 0, 0, 0, 0, 1]) }));
    assert.deepEqual(read(out, 'a'), [0, Math.log1p(Math.E - 1), Math.log1p(99), Number.NEGATIVE_INFINITY, Number.NaN, Number.POSITIVE_INFINITY, null]);
  });
});

describe('steps: bucketize', () => {
  it('counts the edges <= the value: equal to an edge goes up, below the first is 0, above the last is len(edges)', () => {
    const pipeline = compile([{ bucketize: { column: 'age', edges: [25, 35, 50], output: 'band' } }], ['age'], ['band']);
    const values = [10, 25, 30, 35, 49.999, 50, 99, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 24.999999];
    const out = pipeline.transform(chunk({ age: f64(values) }));
    assert.deepEqual(read(out, 'band'), [0, 1, 1, 2, 2, 3, 3, 0, 3, 0]);
    // The source column is left as it was.
    assert.deepEqual(read(out, 'age'), values);
  });

  it('keeps nulls as nulls and NaN as NaN', () => {
    const pipeline = compile([{ bucketize: { column: 'age', edges: [0] } }], ['age']);
    const out = pipeline.transform(chunk({ age: f64([-1, 0, 100, Number.NaN], [0, 0, 1, 0]) }));
    assert.deepEqual(read(out, 'age'), [0, 1, null, Number.NaN]);
  });

  it('reads text columns as numbers and replaces the column when no output is given', () => {
    const pipeline = compile([{ bucketize: { column: 'x', edges: [1, 2, 3, 4, 5] } }], ['x']);
    const out = pipeline.transform(chunk({ x: str(['0', '1', '2.5', '5', '6', null]) }));
    assert.deepEqual(read(out, 'x'), [0, 1, 2, 5, 5, null]);
  });
});

// ---- categorical steps ---------------------------------------------------------------------------
