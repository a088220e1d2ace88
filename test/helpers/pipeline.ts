// Builders of columns, chunks and compiled pipelines for the pipeline and step tests, and readers of their output.
import assert from 'node:assert/strict';
import { InputError } from '../../src/errors.js';
import type { Column, ColumnChunk } from '../../src/shared/chunk.js';
import { compilePipeline, type Pipeline } from '../../src/pipeline/compile.js';
import type { LoadedSpec } from '../../src/pipeline/load-spec.js';
import { readSpec } from '../../src/pipeline/read-spec.js';


export function f64(values: number[], nulls?: number[]): Column {
  return { type: 'float64', values: Float64Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) };
}

export function f32(values: number[], nulls?: number[]): Column {
  return { type: 'float32', values: Float32Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) };
}

export function i64(values: bigint[], nulls?: number[]): Column {
  return { type: 'int64', values: BigInt64Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) };
}

export function i32(values: number[], nulls?: number[]): Column {
  return { type: 'int32', values: Int32Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) };
}

export function bool(values: number[], nulls?: number[]): Column {
  return { type: 'bool', values: Uint8Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) };
}

export function str(values: (string | null)[]): Column {
  return { type: 'string', values };
}

export interface ChunkOptions {
  readonly lines?: number[];
  readonly firstRowInSource?: number;
  readonly rowOffset?: number;
  readonly source?: string;
}

/** A chunk of the given columns; the row count is the length of the first column. */
export function chunk(columns: Record<string, Column>, options: ChunkOptions = {}): ColumnChunk {
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

export function loaded(value: Record<string, unknown>): LoadedSpec {
  return { spec: readSpec({ version: 1, ...value }, 'spec.yaml'), source: { kind: 'file', path: 'spec.yaml', sha256: '0'.repeat(64) } };
}

/** Compiles `steps` for the given raw columns; the model input takes `inputColumns` (default: the first raw column). */
export function compile(steps: unknown[], columns: readonly string[], inputColumns: readonly string[] = [columns[0] as string]): Pipeline {
  return compilePipeline(loaded({ steps, inputs: { x: { columns: inputColumns } } }), columns);
}

/** Row values of a column: numbers (null where flagged), or strings. */
export function read(out: ColumnChunk, name: string): (number | string | null)[] {
  const column = out.columns.get(name);
  assert.ok(column !== undefined, `no column '${name}' (have ${[...out.columns.keys()].join(', ')})`);
  if (column.type === 'string') return [...column.values];
  return Array.from({ length: out.rowCount }, (_, i) => (column.nulls?.[i] === 1 ? null : Number(column.values[i])));
}

/** Raw values under a numeric column, ignoring null flags. */
export function raw(out: ColumnChunk, name: string): number[] {
  const column = out.columns.get(name);
  assert.ok(column !== undefined && column.type !== 'string', `no numeric column '${name}'`);
  return Array.from(column.values as ArrayLike<number | bigint>, (value) => Number(value));
}

/** Row i of a column (see read); 'missing' when the column is shorter. */
export function cell(out: ColumnChunk, name: string, i: number): number | string | null {
  const values = read(out, name);
  return i < values.length ? (values[i] as number | string | null) : 'missing';
}

export function badValue(...fragments: string[]): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    assert.equal(error.code, 'BAD_VALUE', error.message);
    assert.equal(error.exitCode, 3);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `expected ${JSON.stringify(fragment)} in:\n${error.message}`);
    return true;
  };
}

/** A deep copy of a chunk's columns, to check later that nothing was changed. */
export function snapshot(input: ColumnChunk): Map<string, { column: Column; values: unknown[]; nulls: number[] | undefined }> {
  const copy = new Map<string, { column: Column; values: unknown[]; nulls: number[] | undefined }>();
  for (const [name, column] of input.columns) {
    copy.set(name, { column, values: Array.from(column.values as ArrayLike<unknown>), nulls: column.type === 'string' || column.nulls === undefined ? undefined : Array.from(column.nulls) });
  }
  return copy;
}

export function assertUnchanged(input: ColumnChunk, before: ReturnType<typeof snapshot>): void {
  assert.deepEqual([...input.columns.keys()], [...before.keys()]);
  for (const [name, { column, values, nulls }] of before) {
    const now = input.columns.get(name);
    assert.equal(now, column, `column '${name}' was replaced in the input chunk`);
    assert.deepEqual(Array.from(column.values as ArrayLike<unknown>), values, `values of '${name}' changed`);
    if (column.type !== 'string') assert.deepEqual(column.nulls === undefined ? undefined : Array.from(column.nulls), nulls, `nulls of '${name}' changed`);
  }
}

// ---- the README contract example ---------------------------------------------------------------

export const TITANIC_STEPS = [
  { impute: { columns: ['Age', 'Fare'], values: [28.0, 14.45] } },
  { standardize: { columns: ['Age', 'Fare'], mean: [29.7, 32.2], scale: [13.0, 49.7] } },
  { one_hot: { column: 'Sex', categories: ['female', 'male'] } },
  { one_hot: { column: 'Pclass', categories: [1, 2, 3] } },
];
export const TITANIC_INPUT = ['Age', 'Fare', 'SibSp', 'Parch', 'Sex=female', 'Sex=male', 'Pclass=1', 'Pclass=2', 'Pclass=3'];
export const TITANIC_COLUMNS = ['PassengerId', 'Pclass', 'Name', 'Sex', 'Age', 'SibSp', 'Parch', 'Fare'];

export function titanic(): Pipeline {
  return compilePipeline(loaded({ steps: TITANIC_STEPS, inputs: { float_input: { columns: TITANIC_INPUT, dtype: 'float32' } } }), TITANIC_COLUMNS);
}

export const age = (value: number): number => (value - 29.7) / 13.0;
export const fare = (value: number): number => (value - 32.2) / 49.7;

/** The 9 values of float_input for each row of a transformed chunk. */
export function features(out: ColumnChunk): (number | string | null)[][] {
  return Array.from({ length: out.rowCount }, (_, i) => TITANIC_INPUT.map((name) => cell(out, name, i)));
}
