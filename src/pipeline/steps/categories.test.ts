import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../errors.js';
import { type ColumnChunk } from '../../shared/chunk.js';
import { badValue, cell, chunk, compile, f64, i32, i64, read, str } from '../../../test/helpers/pipeline.js';

describe('steps: one_hot', () => {
  it('writes <column>=<category> columns with 1 for the category and 0 elsewhere', () => {
    const pipeline = compile([{ one_hot: { column: 'Sex', categories: ['female', 'male'] } }], ['Sex'], ['Sex=female', 'Sex=male']);
    const out = pipeline.transform(chunk({ Sex: str(['male', 'female', 'male']) }));
    assert.deepEqual(read(out, 'Sex=female'), [0, 1, 0]);
    assert.deepEqual(read(out, 'Sex=male'), [1, 0, 1]);
    assert.equal(out.columns.get('Sex=male')?.type, 'float64');
    assert.deepEqual(read(out, 'Sex'), ['male', 'female', 'male']);
  });

  it("writes all zeros for a missing value with nulls: 'ignore' (the default)", () => {
    const pipeline = compile([{ one_hot: { column: 'c', categories: ['a', 'b'] } }], ['c'], ['c=a']);
    const out = pipeline.transform(chunk({ c: str([null, 'b']) }));
    assert.deepEqual(read(out, 'c=a'), [0, 0]);
    assert.deepEqual(read(out, 'c=b'), [0, 1]);
  });

  it("treats an Arrow null as missing, whatever value lies underneath, with nulls: 'category'", () => {
    const pipeline = compile([{ one_hot: { column: 'c', categories: [1, 2], nulls: 'category' } }], ['c'], ['c=1', 'c=2', 'c=__null__']);
    const out = pipeline.transform(chunk({ c: f64([1, 1, 2], [0, 1, 0]) }));
    assert.deepEqual(read(out, 'c=1'), [1, 0, 0]);
    assert.deepEqual(read(out, 'c=2'), [0, 0, 1]);
    assert.deepEqual(read(out, 'c=__null__'), [0, 1, 0]);
  });

  it("fails on a missing value with nulls: 'error', naming file, line and column", () => {
    const pipeline = compile([{ one_hot: { column: 'c', categories: ['a'], nulls: 'error' } }], ['c'], ['c=a']);
    assert.throws(() => pipeline.transform(chunk({ c: str(['a', null]) }, { lines: [2, 3] })), badValue("data.csv at line 3, column 'c' (steps[0].one_hot)", 'missing value'));
  });

  it("writes all zeros for an unknown category with unknown: 'ignore'", () => {
    const pipeline = compile([{ one_hot: { column: 'c', categories: ['a', 'b'], unknown: 'ignore' } }], ['c'], ['c=a']);
    const out = pipeline.transform(chunk({ c: str(['z', 'a']) }));
    assert.deepEqual(read(out, 'c=a'), [0, 1]);
    assert.deepEqual(read(out, 'c=b'), [0, 0]);
  });

  it("fails on an unknown category by default (unknown: 'error'), with file, line, column, the value and the known categories", () => {
    const pipeline = compile([{ one_hot: { column: 'Sex', categories: ['female', 'male'] } }], ['Sex'], ['Sex=male']);
    assert.throws(
      () => pipeline.transform(chunk({ Sex: str(['male', 'female', 'other']) }, { lines: [2, 3, 5], rowOffset: 10 })),
      (error: unknown) => {
        badValue("Bad value in data.csv at line 5, column 'Sex' (steps[0].one_hot)", 'unknown category', '"female", "male"', 'got "other"')(error);
        assert.deepEqual((error as InputError).context, { file: 'data.csv', line: 5, column: 'Sex', row: 12 });
        return true;
      },
    );
  });

  it("fails on an unknown number in a later chunk, naming that chunk's line", () => {
    const pipeline = compile([{ one_hot: { column: 'p', categories: [1, 2, 3], unknown: 'error' } }], ['p'], ['p=1']);
    pipeline.transform(chunk({ p: str(['1', '2']) }, { lines: [2, 3] }));
    assert.throws(() => pipeline.transform(chunk({ p: str(['3', '4']) }, { lines: [4, 5], firstRowInSource: 2, rowOffset: 2 })), badValue('line 5', "column 'p'", 'got "4"'));
  });

  it("writes <column>=__unknown__ for an unknown category with unknown: 'extra'", () => {
    const pipeline = compile([{ one_hot: { column: 'c', categories: ['a'], unknown: 'extra' } }], ['c'], ['c=a', 'c=__unknown__']);
    const out = pipeline.transform(chunk({ c: str(['a', 'q', null]) }));
    assert.deepEqual(read(out, 'c=a'), [1, 0, 0]);
    assert.deepEqual(read(out, 'c=__unknown__'), [0, 1, 0]);
    assert.ok(pipeline.writes.has('c=__unknown__'));
  });

  it("matches numeric categories by number: CSV text '1', '1.0', ' 2 ', Arrow 1.0, int64 3, int32 2", () => {
    const pipeline = compile([{ one_hot: { column: 'Pclass', categories: [1, 2, 3] } }], ['Pclass'], ['Pclass=1', 'Pclass=2', 'Pclass=3']);
    const rows = (out: ColumnChunk): (number | string | null)[][] => Array.from({ length: out.rowCount }, (_, i) => [1, 2, 3].map((k) => cell(out, `Pclass=${k}`, i)));
    assert.deepEqual(rows(pipeline.transform(chunk({ Pclass: str(['1', '1.0', ' 2 ', '3e0']) }))), [
      [1, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    assert.deepEqual(rows(pipeline.transform(chunk({ Pclass: f64([1.0, 3.0, 2.0]) }))), [
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    assert.deepEqual(rows(pipeline.transform(chunk({ Pclass: i64([3n, 1n]) }))), [
      [0, 0, 1],
      [1, 0, 0],
    ]);
    assert.deepEqual(rows(pipeline.transform(chunk({ Pclass: i32([2]) }))), [[0, 1, 0]]);
  });

  it("names numeric category columns in their shortest form ('x=1.5', 'x=-2')", () => {
    const pipeline = compile([{ one_hot: { column: 'x', categories: [1.5, -2, 10] } }], ['x'], ['x=1.5', 'x=-2', 'x=10']);
    const out = pipeline.transform(chunk({ x: str(['10', '-2.0', '1.50']) }));
    assert.deepEqual(read(out, 'x=1.5'), [0, 0, 1]);
    assert.deepEqual(read(out, 'x=-2'), [0, 1, 0]);
    assert.deepEqual(read(out, 'x=10'), [1, 0, 0]);
  });

  it("matches text categories '1', '2' against numeric Arrow columns by their shortest text", () => {
    const pipeline = compile([{ one_hot: { column: 'c', categories: ['1', '2.5'] } }], ['c'], ['c=1', 'c=2.5']);
    const out = pipeline.transform(chunk({ c: f64([1.0, 2.5]) }));
    assert.deepEqual(read(out, 'c=1'), [1, 0]);
    assert.deepEqual(read(out, 'c=2.5'), [0, 1]);
    assert.throws(() => pipeline.transform(chunk({ c: f64([3]) })), badValue('got "3"'));
  });

  it('treats NaN text as an unknown category, not as a number', () => {
    const pipeline = compile([{ one_hot: { column: 'c', categories: [1], unknown: 'extra' } }], ['c'], ['c=1']);
    const out = pipeline.transform(chunk({ c: str(['NaN', '1']) }));
    assert.deepEqual(read(out, 'c=1'), [0, 1]);
    assert.deepEqual(read(out, 'c=__unknown__'), [1, 0]);
  });
});

describe('steps: ordinal', () => {
  it('writes the category index, to the output column, leaving the source', () => {
    const pipeline = compile([{ ordinal: { column: 'grade', categories: ['A', 'B', 'C'], output: 'grade code' } }], ['grade'], ['grade code']);
    const out = pipeline.transform(chunk({ grade: str(['C', 'A', 'B']) }));
    assert.deepEqual(read(out, 'grade code'), [2, 0, 1]);
    assert.deepEqual(read(out, 'grade'), ['C', 'A', 'B']);
  });

  it('replaces the column when no output is given', () => {
    const pipeline = compile([{ ordinal: { column: 'g', categories: ['lo', 'mid', 'hi'] } }], ['g']);
    const out = pipeline.transform(chunk({ g: str(['hi', 'lo']) }));
    assert.equal(out.columns.get('g')?.type, 'float64');
    assert.deepEqual(read(out, 'g'), [2, 0]);
  });

  it('gives unknown_value for unknown and missing values when it is set', () => {
    const pipeline = compile([{ ordinal: { column: 'g', categories: ['A', 'B'], unknown_value: -1 } }], ['g']);
    const out = pipeline.transform(chunk({ g: str(['B', 'Z', null, 'A']) }));
    assert.deepEqual(read(out, 'g'), [1, -1, -1, 0]);
  });

  it('fails on an unknown value without unknown_value, naming line, column, step and value', () => {
    const pipeline = compile([{ ordinal: { column: 'g', categories: ['A', 'B'] } }], ['g']);
    assert.throws(() => pipeline.transform(chunk({ g: str(['A', 'E']) }, { lines: [2, 3] })), badValue("line 3, column 'g' (steps[0].ordinal)", 'unknown category', 'got "E"'));
  });

  it('fails on a missing value without unknown_value', () => {
    const pipeline = compile([{ ordinal: { column: 'g', categories: [0, 1] } }], ['g']);
    assert.throws(() => pipeline.transform(chunk({ g: f64([0, 0], [0, 1]) }, { lines: [7, 8] })), badValue('line 8', 'missing value', 'no unknown_value'));
  });

  it('matches numeric categories by number', () => {
    const pipeline = compile([{ ordinal: { column: 'n', categories: [10, 20, 30] } }], ['n']);
    assert.deepEqual(read(pipeline.transform(chunk({ n: str(['20.0', '30', '10']) })), 'n'), [1, 2, 0]);
    assert.deepEqual(read(pipeline.transform(chunk({ n: i64([30n, 10n]) })), 'n'), [2, 0]);
  });
});

// ---- date parts ----------------------------------------------------------------------------------
