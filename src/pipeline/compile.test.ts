import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RejectList, type ColumnChunk } from '../shared/chunk.js';
import { compilePipeline } from './compile.js';
import { configInvalid, missingColumn } from '../../test/helpers/assertions.js';
import { TITANIC_COLUMNS, TITANIC_INPUT, TITANIC_STEPS, age, assertUnchanged, cell, chunk, compile, f64, fare, features, loaded, read, snapshot, str, titanic } from '../../test/helpers/pipeline.js';

describe('compilePipeline: the README contract example', () => {
  it('impute -> standardize -> one_hot Sex -> one_hot Pclass [1,2,3] gives the 9 float_input columns, over chunks', () => {
    const pipeline = titanic();
    // As CSV gives it: text categories, numeric columns parsed with null flags (garbage underneath).
    const csv = chunk(
      {
        PassengerId: str(['1', '2', '3']),
        Pclass: str(['3', '1', '2']),
        Name: str(['Braund', 'Cumings', 'Heikkinen']),
        Sex: str(['male', 'female', 'female']),
        Age: f64([22, 12345, 26], [0, 1, 0]),
        SibSp: f64([1, 1, 0]),
        Parch: f64([0, 0, 0]),
        Fare: f64([7.25, 71.2833, 7.925]),
      },
      { lines: [2, 3, 4] },
    );
    // As Arrow gives it: Pclass as float64, Fare null with garbage.
    const arrow = chunk(
      {
        PassengerId: str(['4', '5']),
        Pclass: f64([1.0, 3.0]),
        Name: str(['Futrelle', 'Allen']),
        Sex: str(['female', 'male']),
        Age: f64([35, 35]),
        SibSp: f64([1, 0]),
        Parch: f64([0, 0]),
        Fare: f64([53.1, -1e300], [0, 1]),
      },
      { rowOffset: 3, firstRowInSource: 3 },
    );
    const empty = chunk(Object.fromEntries(TITANIC_COLUMNS.map((name) => [name, name === 'Sex' || name === 'Name' || name === 'PassengerId' || name === 'Pclass' ? str([]) : f64([])])), { rowOffset: 5 });
    const [a, b, c] = [csv, arrow, empty].map((input) => pipeline.transform(input)) as [ColumnChunk, ColumnChunk, ColumnChunk];
    assert.deepEqual(features(a), [
      [age(22), fare(7.25), 1, 0, 0, 1, 0, 0, 1],
      [age(28), fare(71.2833), 1, 0, 1, 0, 1, 0, 0],
      [age(26), fare(7.925), 0, 0, 1, 0, 0, 1, 0],
    ]);
    assert.deepEqual(features(b), [
      [age(35), fare(53.1), 1, 0, 1, 0, 1, 0, 0],
      [age(35), fare(14.45), 0, 0, 0, 1, 0, 0, 1],
    ]);
    assert.equal(c.rowCount, 0);
    for (const name of TITANIC_INPUT) assert.equal(c.columns.get(name)?.values.length, 0, name);
    // Imputed columns carry no null flags any more.
    for (const out of [a, b]) for (const name of ['Age', 'Fare']) assert.equal((out.columns.get(name) as { nulls?: Uint8Array }).nulls, undefined);
    // Chunk identity is kept.
    assert.equal(b.rowOffset, 3);
    assert.equal(b.origin, arrow.origin);
    assert.equal(b.rowCount, 2);
  });

  it('runs the exact README example (Sex, Embarked, Pclass one-hot; 12 float_input columns)', () => {
    const columns = ['Age', 'Fare', 'SibSp', 'Parch', 'Sex=female', 'Sex=male', 'Embarked=C', 'Embarked=Q', 'Embarked=S', 'Pclass=1', 'Pclass=2', 'Pclass=3'];
    const pipeline = compilePipeline(
      loaded({
        steps: [
          { impute: { columns: ['Age', 'Fare', 'SibSp', 'Parch'], values: [28.0, 14.4542, 0, 0], strategy: 'median' } },
          { standardize: { columns: ['Age', 'Fare', 'SibSp', 'Parch'], mean: [29.36, 32.2, 0.52, 0.38], scale: [13.01, 49.67, 1.1, 0.81] } },
          { one_hot: { column: 'Sex', categories: ['female', 'male'], unknown: 'ignore' } },
          { one_hot: { column: 'Embarked', categories: ['C', 'Q', 'S'], unknown: 'ignore' } },
          { one_hot: { column: 'Pclass', categories: [1, 2, 3], unknown: 'ignore' } },
        ],
        inputs: { float_input: { columns, dtype: 'float32' } },
        outputs: { probabilities: { labels: ['died', 'survived'], argmax: 'predicted' } },
      }),
      ['PassengerId', 'Survived', 'Pclass', 'Name', 'Sex', 'Age', 'SibSp', 'Parch', 'Ticket', 'Fare', 'Cabin', 'Embarked'],
    );
    const out = pipeline.transform(
      chunk({
        PassengerId: str(['1', '2']),
        Survived: str(['0', '1']),
        Pclass: str(['3', '4']),
        Name: str(['Braund', 'X']),
        Sex: str(['male', null]),
        Age: f64([22, 0], [0, 1]),
        SibSp: f64([1, 0]),
        Parch: f64([0, 0]),
        Ticket: str(['A/5 21171', 'T']),
        Fare: f64([7.25, 14.4542]),
        Cabin: str([null, null]),
        Embarked: str(['S', null]),
      }),
    );
    assert.deepEqual(
      Array.from({ length: 2 }, (_, i) => columns.map((name) => cell(out, name, i))),
      [
        [(22 - 29.36) / 13.01, (7.25 - 32.2) / 49.67, (1 - 0.52) / 1.1, (0 - 0.38) / 0.81, 0, 1, 0, 0, 1, 0, 0, 1],
        [(28 - 29.36) / 13.01, (14.4542 - 32.2) / 49.67, (0 - 0.52) / 1.1, (0 - 0.38) / 0.81, 0, 0, 0, 0, 0, 0, 0, 0],
      ],
    );
  });

  it('reports the raw columns it reads, the numeric ones, and the columns it writes', () => {
    const pipeline = titanic();
    assert.deepEqual([...pipeline.numericColumns].sort(), ['Age', 'Fare']);
    assert.deepEqual([...pipeline.inputColumns].sort(), ['Age', 'Fare', 'Parch', 'Pclass', 'Sex', 'SibSp']);
    assert.deepEqual([...pipeline.writes].sort(), ['Age', 'Fare', 'Pclass=1', 'Pclass=2', 'Pclass=3', 'Sex=female', 'Sex=male']);
    assert.deepEqual(pipeline.inputs['float_input']?.columns, TITANIC_INPUT);
    assert.equal(pipeline.loaded.source.path, 'spec.yaml');
  });

  it('never changes the input chunk: its map, columns, values or null flags', () => {
    const pipeline = titanic();
    const input = chunk({
      PassengerId: str(['1', '2']),
      Pclass: str(['3', null]),
      Name: str(['a', 'b']),
      Sex: str(['male', null]),
      Age: f64([22, 777], [0, 1]),
      SibSp: f64([1, 1]),
      Parch: f64([0, 0]),
      Fare: f64([Number.NaN, 7.25]),
    });
    const before = snapshot(input);
    const out = pipeline.transform(input);
    assertUnchanged(input, before);
    assert.notEqual(out.columns, input.columns);
    // Transforming twice gives the same result.
    assert.deepEqual(features(pipeline.transform(input)), features(out));
  });
});

// ---- compile-time checks -------------------------------------------------------------------------

describe('compilePipeline: columns that do not exist', () => {
  it('names the step path when a step reads a missing column, and lists the available columns', () => {
    assert.throws(
      () => compile([{ impute: { columns: ['Age'], values: [1] } }, { standardize: { columns: ['Age', 'Agee'], mean: [0, 0], scale: [1, 1] } }], ['Age', 'Fare']),
      missingColumn("lacks column 'Agee' that pipeline spec", 'reads at steps[1].standardize.columns[1]', "'Age'", "'Fare'"),
    );
  });

  it('names the key of a single-column step; a column the input never had is an input error (exit 3, as without a spec)', () => {
    assert.throws(() => compile([{ one_hot: { column: 'Sex', categories: ['m'] } }], ['sex']), missingColumn("reads at steps[0].one_hot.column", "lacks column 'Sex'"));
    assert.throws(() => compile([{ bucketize: { column: 'age', edges: [1] } }], ['x']), missingColumn("reads at steps[0].bucketize.column", "lacks column 'age'"));
    assert.throws(() => compile([{ date_parts: { column: 'when', parts: ['year'] } }], ['x']), missingColumn("reads at steps[0].date_parts.column", "lacks column 'when'"));
    assert.throws(() => compile([{ ordinal: { column: 'g', categories: ['A'] } }], ['x']), missingColumn("reads at steps[0].ordinal.column", "lacks column 'g'"));
    assert.throws(() => compile([{ rename: { columns: { a: 'b' } } }], ['x']), missingColumn("reads at steps[0].rename.columns.a", "lacks column 'a'"));
    assert.throws(() => compile([{ cast: { columns: ['x', 'y'], to: 'string' } }], ['x']), missingColumn("reads at steps[0].cast.columns[1]", "lacks column 'y'"));
  });

  it('fails for a column dropped by select or renamed away by an earlier step', () => {
    assert.throws(() => compile([{ select: { columns: ['a'] } }, { log1p: { columns: ['b'] } }], ['a', 'b']), configInvalid("steps[1].log1p.columns[0]: column 'b' does not exist"));
    assert.throws(() => compile([{ rename: { columns: { a: 'A' } } }, { clip: { columns: ['a'], min: 0 } }], ['a', 'b']), configInvalid("steps[1].clip.columns[0]: column 'a'"));
  });

  it('accepts a column that an earlier step writes', () => {
    const pipeline = compile([{ ordinal: { column: 'g', categories: ['A', 'B'], output: 'code' } }, { standardize: { columns: ['code'], mean: [1], scale: [2] } }], ['g'], ['code']);
    const out = pipeline.transform(chunk({ g: str(['A', 'B']) }));
    assert.deepEqual(read(out, 'code'), [-0.5, 0]);
    assert.deepEqual([...pipeline.numericColumns], []);
    assert.deepEqual([...pipeline.inputColumns], ['g']);
  });

  it('fails when a model input names a column that does not exist after the steps', () => {
    assert.throws(
      () => compilePipeline(loaded({ steps: TITANIC_STEPS, inputs: { float_input: { columns: [...TITANIC_INPUT, 'Sex=other'] } } }), TITANIC_COLUMNS),
      missingColumn("lacks column 'Sex=other'", 'reads at inputs.float_input.columns[9]'),
    );
    assert.throws(
      () => compilePipeline(loaded({ steps: [{ select: { columns: ['a'] } }], inputs: { x: { columns: ['a', 'b'] } } }), ['a', 'b']),
      configInvalid("inputs.x.columns[1]: column 'b' does not exist"),
    );
  });

  it('refuses a spec that declares no model inputs (the spec schema, before compiling)', () => {
    assert.throws(() => compilePipeline(loaded({ inputs: {} }), ['a']), configInvalid('inputs: expected at least one entry, got none'));
  });

  it('checks at compile time, before any chunk', () => {
    // A raw column read only by a model input is a raw input, not a numeric one (the model stage decides).
    const pipeline = compilePipeline(loaded({ inputs: { x: { columns: ['a', 'b'] } } }), ['a', 'b', 'c']);
    assert.deepEqual([...pipeline.inputColumns].sort(), ['a', 'b']);
    assert.deepEqual([...pipeline.numericColumns], []);
    assert.deepEqual([...pipeline.writes], []);
  });
});

describe('compilePipeline: numericColumns, inputColumns and writes', () => {
  it('marks raw columns read by numeric steps (impute, standardize, min_max, clip, log1p, bucketize, cast float64) as numeric', () => {
    const pipeline = compile(
      [
        { impute: { columns: ['a'], values: [0] } },
        { standardize: { columns: ['b'], mean: [0], scale: [1] } },
        { min_max: { columns: ['c'], min: [0], max: [1] } },
        { clip: { columns: ['d'], max: 1 } },
        { log1p: { columns: ['e'] } },
        { bucketize: { column: 'f', edges: [0], output: 'f band' } },
        { cast: { columns: ['g'], to: 'float64' } },
        { cast: { columns: ['h'], to: 'string' } },
        { one_hot: { column: 'i', categories: [1, 2] } },
        { ordinal: { column: 'j', categories: ['x'], unknown_value: -1 } },
        { date_parts: { column: 'k', parts: ['year'] } },
      ],
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'unused'],
      ['a'],
    );
    assert.deepEqual([...pipeline.numericColumns].sort(), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    assert.deepEqual([...pipeline.inputColumns].sort(), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']);
    assert.deepEqual([...pipeline.writes].sort(), ['a', 'b', 'c', 'd', 'e', 'f band', 'g', 'h', 'i=1', 'i=2', 'j', 'k_year']);
  });

  it('does not count a column as a raw input when an earlier step wrote it', () => {
    const pipeline = compile([{ impute: { columns: ['a'], values: [0] } }, { log1p: { columns: ['a'] } }, { bucketize: { column: 'a', edges: [1], output: 'b' } }], ['a'], ['b']);
    assert.deepEqual([...pipeline.inputColumns], ['a']);
    assert.deepEqual([...pipeline.numericColumns], ['a']);
    assert.deepEqual([...pipeline.writes].sort(), ['a', 'b']);
  });
});

// ---- shape steps ---------------------------------------------------------------------------------

describe('compilePipeline: every step', () => {
  const STEPS = [
    { rename: { columns: { 'raw date': 'when' } } },
    { cast: { columns: ['n'], to: 'float64' } },
    { impute: { columns: ['n'], values: [0] } },
    { standardize: { columns: ['n'], mean: [1], scale: [2] } },
    { min_max: { columns: ['m'], min: [0], max: [4] } },
    { clip: { columns: ['m'], min: 0, max: 1 } },
    { log1p: { columns: ['l'] } },
    { one_hot: { column: 'c', categories: ['a', 'b'], unknown: 'extra', nulls: 'category' } },
    { ordinal: { column: 'o', categories: ['x', 'y'], unknown_value: -1 } },
    { bucketize: { column: 'b', edges: [0, 10], output: 'b band' } },
    { date_parts: { column: 'when', parts: ['year', 'weekday'] } },
    { select: { columns: ['n', 'm', 'l', 'c=a', 'c=b', 'c=__unknown__', 'c=__null__', 'o', 'b band', 'when_year', 'when_weekday'] } },
  ];
  const COLUMNS = ['raw date', 'n', 'm', 'l', 'c', 'o', 'b', 'dropped'];
  const INPUT = ['n', 'm', 'l', 'c=a', 'c=b', 'c=__unknown__', 'c=__null__', 'o', 'b band', 'when_year', 'when_weekday'];

  it('runs on a chunk of 0 rows, giving empty columns', () => {
    const pipeline = compile(STEPS, COLUMNS, INPUT);
    const out = pipeline.transform(chunk({ 'raw date': str([]), n: str([]), m: f64([]), l: f64([]), c: str([]), o: str([]), b: f64([]), dropped: str([]) }));
    assert.equal(out.rowCount, 0);
    assert.deepEqual([...out.columns.keys()].sort(), [...INPUT].sort());
    for (const name of INPUT) assert.equal(out.columns.get(name)?.values.length, 0, name);
  });

  it('runs on several chunks with nulls, and leaves each input chunk unchanged', () => {
    const pipeline = compile(STEPS, COLUMNS, INPUT);
    const inputs = [
      chunk({ 'raw date': str(['2024-05-06', null]), n: str(['3', null]), m: f64([2, 9], [0, 1]), l: f64([0, -1]), c: str(['a', null]), o: str(['y', null]), b: f64([-1, 10]), dropped: str(['p', 'q']) }),
      chunk({ 'raw date': str(['2023-01-01T12:00:00+02:00']), n: str(['-1']), m: f64([8]), l: f64([Number.NaN]), c: str(['zz']), o: str(['x']), b: f64([5], [1]), dropped: str(['r']) }),
      chunk({ 'raw date': str([]), n: str([]), m: f64([]), l: f64([]), c: str([]), o: str([]), b: f64([]), dropped: str([]) }),
    ];
    const befores = inputs.map(snapshot);
    const outs = inputs.map((input) => pipeline.transform(input));
    inputs.forEach((input, i) => assertUnchanged(input, befores[i] as ReturnType<typeof snapshot>));
    const rows = (out: ColumnChunk): (number | string | null)[][] => Array.from({ length: out.rowCount }, (_, i) => INPUT.map((name) => cell(out, name, i)));
    assert.deepEqual(rows(outs[0] as ColumnChunk), [
      [1, 0.5, 0, 1, 0, 0, 0, 1, 0, 2024, 0],
      [-0.5, null, Number.NEGATIVE_INFINITY, 0, 0, 0, 1, -1, 2, null, null],
    ]);
    assert.deepEqual(rows(outs[1] as ColumnChunk), [[-1, 1, Number.NaN, 0, 0, 1, 0, 0, null, 2023, 6]]);
    assert.deepEqual(rows(outs[2] as ColumnChunk), []);
    assert.equal(outs[0]?.columns.has('dropped'), false);
  });
});

describe('compilePipeline: steps writing over what earlier steps made', () => {
  it('chains numeric steps over one array without touching the input, chunk after chunk', () => {
    const steps = [
      { standardize: { columns: ['a'], mean: [1], scale: [2] } },
      { clip: { columns: ['a'], min: 0, max: 2 } },
      { rename: { columns: { a: 'b' } } },
      { min_max: { columns: ['b'], min: [0], max: [2] } },
      { log1p: { columns: ['b'] } },
    ];
    const pipeline = compile(steps, ['a'], ['b']);
    for (const raw of [[1, 3, 9, -5], [5, 0.5]]) {
      const input = chunk({ a: f64(raw) });
      const before = snapshot(input);
      const out = pipeline.transform(input);
      assertUnchanged(input, before);
      const expected = raw.map((value) => Math.log1p(Math.min(2, Math.max(0, (value - 1) / 2)) / 2));
      assert.deepEqual(read(out, 'b'), expected);
      // A second run on the same chunk sees the input as it was.
      assert.deepEqual(read(pipeline.transform(input), 'b'), expected);
      // A transform's output is an input like any other to the next one: its arrays stay as they are.
      const outBefore = snapshot(out);
      compile([{ standardize: { columns: ['b'], mean: [5], scale: [1] } }], ['b']).transform(out);
      assertUnchanged(out, outBefore);
    }
  });
});

// ---- bad rows skipped (--on-error skip): a reject list on the chunk ------------------------------

describe('compilePipeline: with a reject list, bad cells reject their row instead of stopping', () => {
  function withRejects(input: ColumnChunk): { input: ColumnChunk; rejects: RejectList } {
    const rejects = new RejectList();
    return { input: { ...input, rejects }, rejects };
  }

  it('rejects a row whose text is not a number, with its line, column and step, and goes on', () => {
    const pipeline = compile([{ impute: { columns: ['a'], values: [0] } }], ['a']);
    const { input, rejects } = withRejects(chunk({ a: str(['1', 'abc', '3']) }, { lines: [2, 3, 4], rowOffset: 50 }));
    const out = pipeline.transform(input);
    assert.equal(out.rejects, rejects);
    assert.deepEqual(rejects.take(0, 1000), [{ row: 51, source: 'data.csv', line: 3, column: 'a', reason: 'expected a number (steps[0].impute)', value: 'abc' }]);
    assert.deepEqual(read(out, 'a').filter((_, i) => i !== 1), [1, 3]);
  });

  it('rejects rows with an unknown category, a missing ordinal and an invalid date', () => {
    const pipeline = compile(
      [
        { one_hot: { column: 'c', categories: ['a'] } },
        { ordinal: { column: 'o', categories: ['x'] } },
        { date_parts: { column: 'd', parts: ['year'] } },
      ],
      ['c', 'o', 'd'],
      ['c=a', 'o', 'd_year'],
    );
    const { input, rejects } = withRejects(chunk({ c: str(['a', 'zz', 'a', 'a']), o: str(['x', 'x', null, 'x']), d: str(['2024-01-01', '2024-01-01', '2024-01-01', '2024-02-30']) }));
    const out = pipeline.transform(input);
    assert.deepEqual(
      rejects.take(0, 4).map((reject) => [reject.row, reject.column]),
      [
        [1, 'c'],
        [2, 'o'],
        [3, 'd'],
      ],
    );
    assert.deepEqual(read(out, 'c=a'), [1, 0, 1, 1]);
    assert.deepEqual(read(out, 'd_year').slice(0, 3), [2024, 2024, 2024]);
  });
});
