// Model stage: which columns feed which model input (direct mapping), and chunk -> input tensors.
import { InputError, ModelError, quoteNames } from '../errors.js';
import { rejectValue, type Column, type ColumnChunk } from '../shared/chunk.js';
import { formatFloat64, parseNumber } from '../shared/values.js';
import type { ElementType, TensorData, TensorSignature } from './session.js';
import type { TensorBuffers } from './tensor-buffers.js';

const FEEDABLE: ReadonlySet<ElementType> = new Set(['float32', 'float64', 'int32', 'int64', 'bool', 'string']);
const NUMERIC_TARGETS: ReadonlySet<ElementType> = new Set(['float32', 'float64', 'int32', 'int64', 'bool']);

/** How one model input is assembled from columns. */
export interface InputFeed {
  readonly input: string;
  readonly type: ElementType;
  readonly columns: readonly string[];
  /** Tensor rank: 1 for [N], 2 for [N,1] or [N,K]. */
  readonly rank: 1 | 2;
}

/** How every model input is fed. */
export interface FeedPlan {
  readonly feeds: readonly InputFeed[];
  /** Set when the model's batch dimension is a fixed number. */
  readonly fixedBatch: number | undefined;
  /** Columns the model reads as numbers (text sources parse them into typed arrays). */
  readonly numericColumns: ReadonlySet<string>;
  readonly mapping: 'by-name' | 'features' | 'all-columns' | 'pipeline';
  /** A NaN or missing value in a float input makes its row bad (--reject-nan). */
  readonly rejectNaN: boolean;
}

export interface FeedRequest {
  readonly inputs: readonly TensorSignature[];
  readonly columnNames: readonly string[];
  /** Columns for a single [N,K] input, in order (--features). */
  readonly features: readonly string[] | undefined;
}

/** Decides, from the model's inputs and the file's columns, how each input is fed. */
export function planFeeds(request: FeedRequest): FeedPlan {
  const { inputs, columnNames, features } = request;
  for (const input of inputs) checkFeedable(input);
  const fixedBatch = fixedBatchOf(inputs);
  let feeds: InputFeed[];
  let mapping: FeedPlan['mapping'];
  const only = inputs.length === 1 ? inputs[0] : undefined;
  if (features !== undefined && features.length > 0) {
    if (only === undefined) {
      throw new ModelError('MODEL_SIGNATURE', `--features feeds one [N,K] input, but the model has ${inputs.length} inputs: ${describeInputs(inputs)}`, {
        hint: 'drop --features: inputs named like columns are fed by name',
      });
    }
    feeds = [matrixFeed(only, features, columnNames)];
    mapping = 'features';
  } else if (inputs.every((input) => columnNames.includes(input.name))) {
    feeds = inputs.map(columnFeed);
    mapping = 'by-name';
  } else if (only !== undefined && only.shape.length === 2 && only.shape[1] === columnNames.length) {
    feeds = [matrixFeed(only, columnNames, columnNames)];
    mapping = 'all-columns';
  } else {
    throw ambiguous(inputs, columnNames);
  }
  const numericColumns = new Set<string>();
  for (const feed of feeds) if (NUMERIC_TARGETS.has(feed.type)) for (const column of feed.columns) numericColumns.add(column);
  return { feeds, fixedBatch, numericColumns, mapping, rejectNaN: false };
}

/** A model input as a preprocessing spec declares it. */
export interface DeclaredFeed {
  readonly columns: readonly string[];
  readonly dtype: ElementType | undefined;
  readonly shape: 'matrix' | 'column' | 'vector' | undefined;
}

/**
 * Checks declared feeds against the model's signature (names, element types, ranks, widths) and
 * plans them; any mismatch shows the model's signature next to the declaration.
 */
export function planDeclaredFeeds(inputs: readonly TensorSignature[], declared: Readonly<Record<string, DeclaredFeed>>): FeedPlan {
  const problems: string[] = [];
  for (const name of Object.keys(declared)) {
    if (!inputs.some((input) => input.name === name)) problems.push(`the spec declares input '${name}', which the model does not have`);
  }
  const feeds: InputFeed[] = [];
  for (const input of inputs) {
    checkFeedable(input);
    const feed = declared[input.name];
    if (feed === undefined) {
      problems.push(`model input '${input.name}' is not declared in the spec's inputs`);
      continue;
    }
    const type = input.type ?? 'float32';
    const width = input.shape[1];
    const shape = feed.shape ?? (input.shape.length === 1 ? 'vector' : width === 1 && feed.columns.length === 1 ? 'column' : 'matrix');
    const declaredShape = shape === 'vector' ? '[N]' : shape === 'column' ? '[N,1]' : `[N,${feed.columns.length}]`;
    if (feed.dtype !== undefined && feed.dtype !== type) problems.push(`input '${input.name}': the spec says ${feed.dtype}, the model takes ${type}`);
    const rankFits = shape === 'vector' ? input.shape.length === 1 : input.shape.length === 2;
    const widthFits = typeof width !== 'number' || width === (shape === 'matrix' ? feed.columns.length : 1);
    if (!rankFits || !widthFits) problems.push(`input '${input.name}': the spec gives ${declaredShape} (${feed.columns.length} columns), the model takes [${input.shape.map((dim) => (dim === '' ? 'N' : dim)).join(',')}]`);
    feeds.push({ input: input.name, type, columns: feed.columns, rank: shape === 'vector' ? 1 : 2 });
  }
  if (problems.length > 0) {
    throw new ModelError('MODEL_SIGNATURE', `The pipeline spec's inputs do not fit the model:\n  - ${problems.join('\n  - ')}`, {
      hint: `the model's inputs: ${describeInputs(inputs)}`,
    });
  }
  const numericColumns = new Set<string>();
  for (const feed of feeds) if (NUMERIC_TARGETS.has(feed.type)) for (const column of feed.columns) numericColumns.add(column);
  return { feeds, fixedBatch: fixedBatchOf(inputs), numericColumns, mapping: 'pipeline', rejectNaN: false };
}

function checkFeedable(input: TensorSignature): void {
  if (!input.isTensor || input.type === undefined || !FEEDABLE.has(input.type)) {
    throw new ModelError('MODEL_SIGNATURE', `Model input '${input.name}' has type ${input.type ?? 'non-tensor'}, which cannot be fed from columns`, {
      context: { modelInput: input.name },
      hint: `supported input types: ${[...FEEDABLE].join(', ')}`,
    });
  }
  if (input.shape.length === 0 || input.shape.length > 2) {
    throw new ModelError('MODEL_SIGNATURE', `Model input '${input.name}' has shape [${input.shape.join(',')}]; only [N], [N,1] and [N,K] inputs can be fed from columns`, {
      context: { modelInput: input.name },
    });
  }
}

function fixedBatchOf(inputs: readonly TensorSignature[]): number | undefined {
  const sizes = new Set(inputs.map((input) => input.shape[0]).filter((dim): dim is number => typeof dim === 'number' && dim > 0));
  if (sizes.size > 1) {
    throw new ModelError('MODEL_SIGNATURE', `Model inputs disagree on the batch size: ${describeInputs(inputs)}`);
  }
  return sizes.values().next().value;
}

function columnFeed(input: TensorSignature): InputFeed {
  const width = input.shape[1];
  if (input.shape.length === 2 && typeof width === 'number' && width !== 1) {
    throw new ModelError('MODEL_SIGNATURE', `Model input '${input.name}' is named like a column but has shape [${input.shape.join(',')}]; a column feeds [N] or [N,1]`, {
      context: { modelInput: input.name },
      hint: 'use --features to choose the columns for this input',
    });
  }
  return { input: input.name, type: input.type ?? 'float32', columns: [input.name], rank: input.shape.length === 1 ? 1 : 2 };
}

function matrixFeed(input: TensorSignature, columns: readonly string[], columnNames: readonly string[]): InputFeed {
  const missing = columns.filter((column) => !columnNames.includes(column));
  if (missing.length > 0) {
    throw new InputError('SCHEMA_MISMATCH', `Model input '${input.name}' needs columns the input lacks: ${quoteNames(missing)}`, {
      context: { modelInput: input.name },
      hint: `the input's columns are: ${quoteNames(columnNames)}`,
    });
  }
  const width = input.shape[1];
  if (input.shape.length !== 2 || (typeof width === 'number' && width !== columns.length)) {
    throw new ModelError('MODEL_SIGNATURE', `Model input '${input.name}' has shape [${input.shape.join(',')}], but ${columns.length} columns were given`, {
      context: { modelInput: input.name },
      hint: `name exactly ${typeof width === 'number' ? width : 'K'} columns with --features; run \`onnx-batch inspect\` on the model to see its inputs`,
    });
  }
  return { input: input.name, type: input.type ?? 'float32', columns, rank: 2 };
}

function describeInputs(inputs: readonly TensorSignature[]): string {
  return inputs.map((input) => `'${input.name}' ${input.type ?? 'non-tensor'} [${input.shape.map((dim) => (dim === '' ? 'N' : dim)).join(',')}]`).join(', ');
}

function ambiguous(inputs: readonly TensorSignature[], columnNames: readonly string[]): Error {
  const missing = inputs.filter((input) => !columnNames.includes(input.name)).map((input) => input.name);
  return new InputError('SCHEMA_MISMATCH', `Cannot tell which columns feed the model: no column is named ${quoteNames(missing)}`, {
    hint: `model inputs: ${describeInputs(inputs)}; input columns: ${quoteNames(columnNames)}. ` +
      'Name the columns of a single [N,K] input with --features a,b,c',
  });
}

/**
 * Builds the input tensors for one chunk, converting each column to the input's element type.
 * With `paddedRows` > rowCount, the extra rows are zeros (or empty strings) whose outputs are dropped.
 */
export function buildFeeds(plan: FeedPlan, chunk: ColumnChunk, paddedRows: number, buffers?: TensorBuffers): Record<string, TensorData> {
  const feeds: Record<string, TensorData> = {};
  for (const feed of plan.feeds) {
    const width = feed.columns.length;
    const dims = feed.rank === 1 ? [paddedRows] : [paddedRows, width];
    const data = allocate(feed.type, paddedRows * width, buffers);
    // A reused buffer holds an earlier batch: the padding rows must be zeroed (the rows are all written).
    if (paddedRows > chunk.rowCount && !Array.isArray(data)) {
      if (data instanceof BigInt64Array) data.fill(0n, chunk.rowCount * width);
      else data.fill(0, chunk.rowCount * width);
    }
    feed.columns.forEach((name, k) => {
      const column = chunk.columns.get(name);
      if (column === undefined) throw new InputError('SCHEMA_MISMATCH', `Input ${chunk.origin.source} lacks column '${name}' needed by model input '${feed.input}'`, { context: { file: chunk.origin.source, column: name, modelInput: feed.input } });
      fill(data, k, width, column, { chunk, name, feed, rejectNaN: plan.rejectNaN });
    });
    feeds[feed.input] = { type: feed.type, data, dims };
  }
  return feeds;
}

type FeedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | string[];

const ARRAY_OF: Partial<Record<ElementType, Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | BigInt64ArrayConstructor | Uint8ArrayConstructor>> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
};

/** A tensor's array: a typed array, over a buffer handed back by the model thread when one fits. */
function allocate(type: ElementType, length: number, buffers: TensorBuffers | undefined): FeedArray {
  const TypedArray = ARRAY_OF[type];
  if (TypedArray === undefined) return new Array<string>(length).fill('');
  const reused = buffers?.take(length * TypedArray.BYTES_PER_ELEMENT);
  return reused === undefined ? new TypedArray(length) : new TypedArray(reused);
}

interface Where {
  readonly chunk: ColumnChunk;
  readonly name: string;
  readonly feed: InputFeed;
  readonly rejectNaN: boolean;
}

function fill(data: FeedArray, k: number, width: number, column: Column, where: Where): void {
  const rows = where.chunk.rowCount;
  if (Array.isArray(data)) {
    for (let i = 0; i < rows; i++) data[i * width + k] = textAt(column, i);
    return;
  }
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < rows; i++) data[i * width + k] = bigintAt(column, i, where);
    return;
  }
  const refuseNaN = where.rejectNaN && (where.feed.type === 'float32' || where.feed.type === 'float64');
  if (!refuseNaN && (data instanceof Float32Array || data instanceof Float64Array) && copyFloats(data, k, width, column, where)) return;
  const check = checkerFor(where.feed.type);
  for (let i = 0; i < rows; i++) {
    const value = numberAt(column, i, where);
    const problem = refuseNaN && Number.isNaN(value) ? 'a missing or NaN value, which --reject-nan refuses' : check(value);
    if (problem !== undefined) {
      reject(where, i, problem, String(value));
      data[i * width + k] = 0;
      continue;
    }
    data[i * width + k] = value;
  }
}

/**
 * The common case in one pass with no call per value: a float column into a float input, a missing
 * value becoming NaN. False when the column needs the general path (text, integers, booleans).
 */
function copyFloats(data: Float32Array | Float64Array, k: number, width: number, column: Column, where: Where): boolean {
  if (column.type !== 'float64' && column.type !== 'float32') return false;
  const { values, nulls } = column;
  const rows = where.chunk.rowCount;
  // Only a float64 value can overflow a float32 input; those rows take the general check.
  const mayOverflow = data instanceof Float32Array && column.type === 'float64';
  for (let i = 0; i < rows; i++) {
    const value = nulls !== undefined && nulls[i] === 1 ? Number.NaN : (values[i] as number);
    if (mayOverflow && (value > 3.4e38 || value < -3.4e38) && Number.isFinite(value) && !Number.isFinite(Math.fround(value))) {
      reject(where, i, 'out of float32 range', String(value));
      data[i * width + k] = 0;
      continue;
    }
    data[i * width + k] = value;
  }
  return true;
}

function checkerFor(type: ElementType): (value: number) => string | undefined {
  switch (type) {
    case 'float32':
      return (value) => (Number.isFinite(value) && !Number.isFinite(Math.fround(value)) ? 'out of float32 range' : undefined);
    case 'int32':
      return (value) => (Number.isNaN(value) ? 'a missing value where an integer is needed' : Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31 ? undefined : 'expected a 32-bit integer');
    case 'bool':
      return (value) => (value === 0 || value === 1 ? undefined : 'expected 0/1 or true/false');
    default:
      return () => undefined;
  }
}

/** Stops the run, or marks the row as rejected (the caller then writes a placeholder). */
function reject(where: Where, i: number, expected: string, got: string): void {
  const { chunk, name, feed } = where;
  rejectValue(chunk, i, name, expected, got, { modelInput: feed.input, label: `model input '${feed.input}', ${feed.type}` });
}

/** A cell as a number; NaN for missing. */
function numberAt(column: Column, i: number, where: Where): number {
  switch (column.type) {
    case 'string': {
      const text = column.values[i] ?? null;
      if (text === null) return Number.NaN;
      const value = parseBoolean(text) ?? parseNumber(text);
      if (value === undefined) reject(where, i, 'expected a number', text);
      return value ?? 0;
    }
    case 'int64':
      return column.nulls?.[i] === 1 ? Number.NaN : Number(column.values[i]);
    default:
      return column.nulls?.[i] === 1 ? Number.NaN : (column.values[i] ?? Number.NaN);
  }
}

function parseBoolean(text: string): number | undefined {
  const lower = text.trim().toLowerCase();
  return lower === 'true' ? 1 : lower === 'false' ? 0 : undefined;
}

function bigintAt(column: Column, i: number, where: Where): bigint {
  if (column.type === 'int64') {
    if (column.nulls?.[i] === 1) reject(where, i, 'a missing value where an integer is needed', '');
    return column.values[i] ?? 0n;
  }
  const value = numberAt(column, i, where);
  const problem = Number.isNaN(value) ? 'a missing value where an integer is needed' : Number.isSafeInteger(value) ? undefined : 'expected an integer';
  if (problem === undefined) return BigInt(value);
  reject(where, i, problem, Number.isNaN(value) ? '' : String(value));
  return 0n;
}

/** A cell as text for string inputs; missing becomes '' (what scikit-learn exports treat as unknown). */
function textAt(column: Column, i: number): string {
  switch (column.type) {
    case 'string':
      return column.values[i] ?? '';
    case 'int64':
      return column.nulls?.[i] === 1 ? '' : String(column.values[i]);
    case 'bool':
      return column.nulls?.[i] === 1 ? '' : column.values[i] === 1 ? 'true' : 'false';
    default:
      return column.nulls?.[i] === 1 ? '' : formatFloat64(column.values[i] ?? Number.NaN);
  }
}
