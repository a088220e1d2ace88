// Model stage: a chunk's columns -> the model's input tensors, by the feed plan, converting each value to
// the input's element type; a value that does not fit becomes a bad row, never a silent substitute.
import { InputError } from '../errors.js';
import { rejectValue, type Column, type ColumnChunk } from '../shared/chunk.js';
import { formatFloat64, parseNumber } from '../shared/values.js';
import type { FeedPlan, InputFeed } from './feed-plan.js';
import type { ElementType, TensorData } from './session.js';
import type { TensorBuffers } from './tensor-buffers.js';

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
