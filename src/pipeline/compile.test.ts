import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import { RejectList, type Column, type ColumnChunk } from '../shared/chunk.js';
import { compilePipeline, type Pipeline } from './compile.js';
import type { LoadedSpec } from './load-spec.js';
import { readSpec } from './read-spec.js';
import { configInvalid, Random } from '../../test/helpers/assertions.js';

// ---- helpers -------------------------------------------------------------------------------------

function f64(values: number[], nulls?: number[]): Column {
  return { type: 'float64', values: Float64Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) };
}

function f32(values: number[], nulls?: number[]): Column {
  return { type: 'float32', values: Float32Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) };
}

function i64(values: bigint[], nulls?: number[]): Column {
  return { type: 'int64', values: BigInt64Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) };
}

function i32(values: number[], nulls?: number[]): Column {
  return { type: 'int32', values: Int32Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) };
}

function bool(values: number[], nulls?: number[]): Column {
  return { type: 'bool', values: Uint8Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) };
}

function str(values: (string | null)[]): Column {
  return { type: 'string', values };
}

interface ChunkOptions {
  readonly lines?: number[];
  readonly firstRowInSource?: number;
  readonly rowOffset?: number;
  readonly source?: string;
}

/** A chunk of the given columns; the row count is the length of the first column. */
function chunk(columns: Record<string, Column>, options: ChunkOptions = {}): ColumnChunk {
  const first = Object.values(columns)[0];
  return {
    rowOffset: options.rowOffset ?? 0,
    rowCount: first === undefined ? 0 : first.values.length,
    columns: new Map(Object.entries(columns)),
    origin: {
      source: options.source ?? 'data.csv',
      firstRowInSource: options.firstRowInSource ?? 0,
      ...(options.lines === undefined ? {} : { lines: Uint32Array.from(options.lines) }),
    },
  };
}

function loaded(value: Record<string, unknown>): LoadedSpec {
  return { spec: readSpec({ version: 1, ...value }, 'spec.yaml'), source: { kind: 'file', path: 'spec.yaml', sha256: '0'.repeat(64) } };
}

/** Compiles `steps` for the given raw columns; the model input takes `inputColumns` (default: the first raw column). */
function compile(steps: unknown[], columns: readonly string[], inputColumns: readonly string[] = [columns[0] as string]): Pipeline {
  return compilePipeline(loaded({ steps, inputs: { x: { columns: inputColumns } } }), columns);
}

/** Row values of a column: numbers (null where flagged), or strings. */
function read(out: ColumnChunk, name: string): (number | string | null)[] {
  const column = out.columns.get(name);
  assert.ok(column !== undefined, `no column '${name}' (have ${[...out.columns.keys()].join(', ')})`);
  if (column.type === 'string') return [...column.values];
  return Array.from({ length: out.rowCount }, (_, i) => (column.nulls?.[i] === 1 ? null : Number(column.values[i])));
}

/** Raw values under a numeric column, ignoring null flags. */
function raw(out: ColumnChunk, name: string): number[] {
  const column = out.columns.get(name);
  assert.ok(column !== undefined && column.type !== 'string', `no numeric column '${name}'`);
  return Array.from(column.values as ArrayLike<number | bigint>, (value) => Number(value));
}

/** Row i of a column (see read); 'missing' when the column is shorter. */
function cell(out: ColumnChunk, name: string, i: number): number | string | null {
  const values = read(out, name);
  return i < values.length ? (values[i] as number | string | null) : 'missing';
}

function badValue(...fragments: string[]): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    assert.equal(error.code, 'BAD_VALUE', error.message);
    assert.equal(error.exitCode, 3);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `expected ${JSON.stringify(fragment)} in:\n${error.message}`);
    return true;
  };
}

/** A deep copy of a chunk's columns, to check later that nothing was changed. */
function snapshot(input: ColumnChunk): Map<string, { column: Column; values: unknown[]; nulls: number[] | undefined }> {
  const copy = new Map<string, { column: Column; values: unknown[]; nulls: number[] | undefined }>();
  for (const [name, column] of input.columns) {
    copy.set(name, { column, values: Array.from(column.values as ArrayLike<unknown>), nulls: column.type === 'string' || column.nulls === undefined ? undefined : Array.from(column.nulls) });
  }
  return copy;
}

function assertUnchanged(input: ColumnChunk, before: ReturnType<typeof snapshot>): void {
  assert.deepEqual([...input.columns.keys()], [...before.keys()]);
  for (const [name, { column, values, nulls }] of before) {
    const now = input.columns.get(name);
    assert.equal(now, column, `column '${name}' was replaced in the input chunk`);
    assert.deepEqual(Array.from(column.values as ArrayLike<unknown>), values, `values of '${name}' changed`);
    if (column.type !== 'string') assert.deepEqual(column.nulls === undefined ? undefined : Array.from(column.nulls), nulls, `nulls of '${name}' changed`);
  }
}

// ---- the README contract example ---------------------------------------------------------------

const TITANIC_STEPS = [
  { impute: { columns: ['Age', 'Fare'], values: [28.0, 14.45] } },
  { standardize: { columns: ['Age', 'Fare'], mean: [29.7, 32.2], scale: [13.0, 49.7] } },
  { one_hot: { column: 'Sex', categories: ['female', 'male'] } },
  { one_hot: { column: 'Pclass', categories: [1, 2, 3] } },
];
const TITANIC_INPUT = ['Age', 'Fare', 'SibSp', 'Parch', 'Sex=female', 'Sex=male', 'Pclass=1', 'Pclass=2', 'Pclass=3'];
const TITANIC_COLUMNS = ['PassengerId', 'Pclass', 'Name', 'Sex', 'Age', 'SibSp', 'Parch', 'Fare'];

function titanic(): Pipeline {
  return compilePipeline(loaded({ steps: TITANIC_STEPS, inputs: { float_input: { columns: TITANIC_INPUT, dtype: 'float32' } } }), TITANIC_COLUMNS);
}

const age = (value: number): number => (value - 29.7) / 13.0;
const fare = (value: number): number => (value - 32.2) / 49.7;

/** The 9 values of float_input for each row of a transformed chunk. */
function features(out: ColumnChunk): (number | string | null)[][] {
  return Array.from({ length: out.rowCount }, (_, i) => TITANIC_INPUT.map((name) => cell(out, name, i)));
}

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
      configInvalid("steps[1].standardize.columns[1]: column 'Agee' does not exist at this step", "'Age'", "'Fare'"),
    );
  });

  it('names the key of a single-column step', () => {
    assert.throws(() => compile([{ one_hot: { column: 'Sex', categories: ['m'] } }], ['sex']), configInvalid("steps[0].one_hot.column: column 'Sex' does not exist"));
    assert.throws(() => compile([{ bucketize: { column: 'age', edges: [1] } }], ['x']), configInvalid("steps[0].bucketize.column: column 'age'"));
    assert.throws(() => compile([{ date_parts: { column: 'when', parts: ['year'] } }], ['x']), configInvalid("steps[0].date_parts.column: column 'when'"));
    assert.throws(() => compile([{ ordinal: { column: 'g', categories: ['A'] } }], ['x']), configInvalid("steps[0].ordinal.column: column 'g'"));
    assert.throws(() => compile([{ rename: { columns: { a: 'b' } } }], ['x']), configInvalid("steps[0].rename.columns.a: column 'a'"));
    assert.throws(() => compile([{ cast: { columns: ['x', 'y'], to: 'string' } }], ['x']), configInvalid("steps[0].cast.columns[1]: column 'y'"));
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
      configInvalid("inputs.float_input.columns[9]: column 'Sex=other' does not exist"),
    );
    assert.throws(
      () => compilePipeline(loaded({ steps: [{ select: { columns: ['a'] } }], inputs: { x: { columns: ['a', 'b'] } } }), ['a', 'b']),
      configInvalid("inputs.x.columns[1]: column 'b' does not exist"),
    );
  });

  it('fails when the spec declares no model inputs', () => {
    assert.throws(() => compilePipeline(loaded({ inputs: {} }), ['a']), configInvalid('declares no model inputs'));
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

describe('steps: date_parts', () => {
  const ALL = ['year', 'month', 'day', 'weekday', 'hour', 'minute', 'second', 'epoch'];

  function parts(values: (string | null)[], options: ChunkOptions = {}): (number | string | null)[][] {
    const pipeline = compile([{ date_parts: { column: 'when', parts: ALL, prefix: 't' } }], ['when'], ['t_year']);
    const out = pipeline.transform(chunk({ when: str(values) }, options));
    return Array.from({ length: out.rowCount }, (_, i) => ALL.map((part) => cell(out, `t_${part}`, i)));
  }

  it("reads a UTC timestamp with 'Z' (weekday: Monday = 0)", () => {
    // 2024-05-01 was a Wednesday.
    assert.deepEqual(parts(['2024-05-01T13:45:30Z']), [[2024, 5, 1, 2, 13, 45, 30, Date.UTC(2024, 4, 1, 13, 45, 30) / 1000]]);
  });

  it("converts a '+02:00' offset to UTC, across midnight and month end", () => {
    assert.deepEqual(parts(['2024-05-01T01:30:00+02:00']), [[2024, 4, 30, 1, 23, 30, 0, Date.UTC(2024, 3, 30, 23, 30) / 1000]]);
  });

  it("converts '-05:30' and '+0200' offsets to UTC", () => {
    assert.deepEqual(parts(['2024-05-01T10:00:00-05:30', '2024-05-01T10:00+0200']), [
      [2024, 5, 1, 2, 15, 30, 0, Date.UTC(2024, 4, 1, 15, 30) / 1000],
      [2024, 5, 1, 2, 8, 0, 0, Date.UTC(2024, 4, 1, 8) / 1000],
    ]);
  });

  it('reads a date only as midnight UTC, and a time without a zone as UTC', () => {
    assert.deepEqual(parts(['2024-02-29', '2024-12-31 23:59:59', '2023-01-01T00:00:00.250Z']), [
      [2024, 2, 29, 3, 0, 0, 0, Date.UTC(2024, 1, 29) / 1000],
      [2024, 12, 31, 1, 23, 59, 59, Date.UTC(2024, 11, 31, 23, 59, 59) / 1000],
      [2023, 1, 1, 6, 0, 0, 0, Date.UTC(2023, 0, 1) / 1000 + 0.25],
    ]);
  });

  it('gives NaN with the null flag for missing values', () => {
    const pipeline = compile([{ date_parts: { column: 'when', parts: ['year', 'month'] } }], ['when'], ['when_year']);
    const out = pipeline.transform(chunk({ when: str([null, '2020-06-15']) }));
    assert.deepEqual(read(out, 'when_year'), [null, 2020]);
    assert.deepEqual(read(out, 'when_month'), [null, 6]);
    assert.deepEqual(raw(out, 'when_year'), [Number.NaN, 2020]);
  });

  it('treats an Arrow null as missing whatever lies underneath', () => {
    const pipeline = compile([{ date_parts: { column: 'when', parts: ['year'] } }], ['when'], ['when_year']);
    const out = pipeline.transform(chunk({ when: f64([12345, 0], [1, 1]) }));
    assert.deepEqual(read(out, 'when_year'), [null, null]);
  });

  for (const bad of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-04-31', '2024-05-01T24:00:00Z', '2024-05-01T12:60:00Z', 'May 1, 2024', '2024/05/01', '', '2024-5-1', '2024-05-01T10:00Zx', '2024-05-01T10:00:00+05:30x', '2024-05-01T10:00:00.Z', '2024-05-01T1:00Z', '2024-05-01T10:00+05']) {
    it(`fails with BAD_VALUE on the invalid date ${JSON.stringify(bad)}, naming line and column`, () => {
      assert.throws(() => parts(['2024-01-01', bad], { lines: [2, 3] }), badValue("data.csv at line 3, column 'when' (steps[0].date_parts)", 'ISO 8601', JSON.stringify(bad)));
    });
  }

  // Regression (found while writing these tests).
  it('accepts a fraction that rounds up at the last second of a day', () => {
    const [row] = parts(['2024-05-01T23:59:59.9999Z']);
    assert.deepEqual(row?.slice(0, 3), [2024, 5, 1]);
  });

  // Regression (found while writing these tests).
  it('reads years below 100 as written', () => {
    const [row] = parts(['0050-06-15']);
    assert.equal(row?.[0], 50);
  });

  it('agrees with a regular expression and Date on random valid and broken timestamps', () => {
    // The reference: how this step read timestamps before it did its own calendar arithmetic.
    const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
    const reference = (text: string): (number | null)[] => {
      const match = ISO.exec(text.trim());
      const none = ALL.map(() => null);
      if (match === null) return none;
      const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = match;
      const [y, m, d, h, mi, sec] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
      const date = new Date(0);
      date.setUTCFullYear(y, m - 1, d);
      if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) return none;
      let ms = date.getTime() + ((h * 60 + mi) * 60 + sec) * 1000 + (fraction === '' ? 0 : Number(fraction) * 1000);
      if (zone !== 'Z') {
        const digits = zone.slice(1).replace(':', '');
        ms -= (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
      }
      const at = new Date(ms);
      return [at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate(), (at.getUTCDay() + 6) % 7, at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds(), ms / 1000];
    };
    const random = new Random(29);
    const two = (n: number): string => String(n).padStart(2, '0');
    const texts: string[] = [];
    for (let k = 0; k < 4000; k++) {
      let text = `${String(random.int(10000)).padStart(4, '0')}-${two(random.int(14))}-${two(random.int(33))}`;
      if (random.chance(0.7)) {
        text += `${random.pick(['T', ' ', 't', '_'])}${two(random.int(26))}:${two(random.int(62))}`;
        if (random.chance(0.6)) text += `:${two(random.int(62))}${random.chance(0.3) ? `.${random.int(100000)}` : ''}`;
        text += random.pick(['', 'Z', `+${two(random.int(15))}:${two(random.int(60))}`, `-${two(random.int(15))}${two(random.int(60))}`, '+1', 'z', 'Z ', ' ']);
      }
      // Damage some: a character dropped, changed or added.
      if (random.chance(0.15)) {
        const at = random.int(text.length + 1);
        const damaged = random.pick(['drop', 'change', 'add']);
        text = damaged === 'drop' ? text.slice(0, at) + text.slice(at + 1) : `${text.slice(0, at)}${random.pick(['x', '-', ':', '9', '.', ' '])}${text.slice(damaged === 'change' ? at + 1 : at)}`;
      }
      texts.push(text);
    }
    const pipeline = compile([{ date_parts: { column: 'when', parts: ALL, prefix: 't' } }], ['when'], ['t_year']);
    const out = pipeline.transform({ ...chunk({ when: str(texts) }), rejects: new RejectList() });
    const columns = ALL.map((part) => read(out, `t_${part}`));
    texts.forEach((text, i) => {
      const got = columns.map((values) => {
        const value = values[i] ?? null;
        return typeof value === 'number' && Number.isNaN(value) ? null : value;
      });
      assert.deepEqual(got, reference(text), JSON.stringify(text));
    });
  });
});

// ---- empty chunks and the whole catalogue ------------------------------------------------------

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
