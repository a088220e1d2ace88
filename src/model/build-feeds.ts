// Model stage: a chunk's columns -> the model's input tensors, by the feed plan, converting each value to
// the input's element type; a value that does not fit becomes a bad row, never a silent substitute.
import { InputError, InternalError } from '../errors.js';
import { rejectValue, type Column, type ColumnChunk } from '../shared/chunk.js';
import { formatFloat64, parseNumber } from '../shared/values.js';
import type { FeedPlan, InputFeed } from './feed-plan.js';
import type { MissingDecision } from './missing-values.js';
import { toFloat16Bits } from '../shared/half-float.js';
import type { ElementType, TensorData } from './session.js';
import type { TensorBuffers } from './tensor-buffers.js';

/**
 * Builds the input tensors for one chunk, converting each column to the input's element type.
 * With `paddedRows` > rowCount, the extra rows are zeros (or empty strings) whose outputs are dropped.
 */
export function buildFeeds(plan: FeedPlan, chunk: ColumnChunk, paddedRows: number, buffers?: TensorBuffers): Record<string, TensorData> {
  const feeds: Record<string, TensorData> = {};
  for (const feed of plan.feeds) {
    if (feed.rowShape !== undefined) {
      feeds[feed.input] = tensorFeed(feed, feed.rowShape, chunk, paddedRows, buffers);
      continue;
    }
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
      fill(data, k, width, column, { chunk, name, feed, missing: plan.missing[feed.input] });
    });
    feeds[feed.input] = { type: feed.type, data, dims };
  }
  return feeds;
}

/**
 * A tensor column's rows as they are (the steps made them in the input's element type), then zero
 * padding; always a copy, since the tensor's buffer moves to the model thread.
 */
function tensorFeed(feed: InputFeed, rowShape: readonly number[], chunk: ColumnChunk, paddedRows: number, buffers: TensorBuffers | undefined): TensorData {
  const name = feed.columns[0] as string;
  const column = chunk.columns.get(name);
  if (column === undefined || column.type !== 'tensor') throw new InputError('SCHEMA_MISMATCH', `Model input '${feed.input}' needs the tensor column '${name}', which the pipeline did not write`, { context: { file: chunk.origin.source, column: name, modelInput: feed.input } });
  const size = rowShape.reduce((product, dim) => product * dim, 1);
  const dims = [paddedRows, ...rowShape];
  const values: Float32Array | Uint16Array | BigInt64Array = column.values;
  if (feed.type === 'int32' && values instanceof BigInt64Array) return { type: 'int32', data: narrowedToInt32(values, feed, chunk, paddedRows * size, chunk.rowCount * size), dims };
  type Values = Float32Array | Uint16Array | BigInt64Array;
  const Typed = values.constructor as new (source: ArrayBuffer | number) => Values;
  const reused = buffers?.take(paddedRows * size * values.BYTES_PER_ELEMENT);
  const data = reused === undefined ? new Typed(paddedRows * size) : new Typed(reused);
  if (data instanceof BigInt64Array) {
    data.set((values as BigInt64Array).subarray(0, chunk.rowCount * size));
    data.fill(0n, chunk.rowCount * size);
  } else {
    data.set((values as Float32Array | Uint16Array).subarray(0, chunk.rowCount * size));
    data.fill(0, chunk.rowCount * size);
  }
  return { type: feed.type, data, dims };
}

/** int64 values (token ids) as int32, zero-padded to `length`; a value out of int32's range is a bug upstream, never wrapped. */
function narrowedToInt32(values: BigInt64Array, feed: InputFeed, chunk: ColumnChunk, length: number, used: number): Int32Array {
  const data = new Int32Array(length);
  for (let i = 0; i < used; i++) {
    const value = values[i] as bigint;
    if (value < -2147483648n || value > 2147483647n) {
      const column = feed.columns[0] as string;
      throw new InputError('BAD_VALUE', `Model input '${feed.input}' is int32, and the tensor column '${column}' holds ${value}, outside its range`, { context: { file: chunk.origin.source, column, modelInput: feed.input } });
    }
    data[i] = Number(value);
  }
  return data;
}

/** Planning feeds a tensor column only through its own input (tensorFeed). */
function tensorAsScalar(name: string): InternalError {
  return new InternalError(`column '${name}' holds tensors but was planned as one value per row`);
}

type FeedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint16Array | Uint8Array | string[];

const ARRAY_OF: Partial<Record<ElementType, Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | BigInt64ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor>> = {
  float32: Float32Array,
  float64: Float64Array,
  // float16 tensors carry bit patterns (Node 20 has no Float16Array).
  float16: Uint16Array,
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
  /** Undefined: fed as it is. */
  readonly missing: MissingDecision | undefined;
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
  if (where.feed.type === 'float16') {
    fillHalves(data as Uint16Array, k, width, column, where);
    return;
  }
  if ((data instanceof Float32Array || data instanceof Float64Array) && copyFloats(data, k, width, column, where)) return;
  const check = checkerFor(where.feed.type);
  const refuse = refusal(where.missing);
  for (let i = 0; i < rows; i++) {
    const value = numberAt(column, i, where);
    const refused = refuse(value);
    const problem = refused ?? check(value);
    if (problem !== undefined) {
      reject(where, i, problem, gotText(column, i, value), refused !== undefined ? missingHint(where.missing) : Number.isNaN(value) ? INTEGER_HINT : undefined);
      data[i * width + k] = 0;
      continue;
    }
    data[i * width + k] = value;
  }
}

/**
 * A float16 input: each value rounded to the nearest float16 from its float64 value (ties to even, as
 * numpy's astype(float16)); a finite value that would round to infinity makes its row bad.
 */
function fillHalves(data: Uint16Array, k: number, width: number, column: Column, where: Where): void {
  const refuse = refusal(where.missing);
  for (let i = 0; i < where.chunk.rowCount; i++) {
    const value = numberAt(column, i, where);
    const refused = refuse(value);
    const bits = refused === undefined ? toFloat16Bits(value) : -1;
    if (bits < 0) {
      reject(where, i, refused ?? 'out of float16 range (the largest float16 is 65504)', gotText(column, i, value), refused === undefined ? undefined : missingHint(where.missing));
      data[i * width + k] = 0;
      continue;
    }
    data[i * width + k] = bits;
  }
}

/**
 * The common case in one pass with no call per value: a float column into a float input, a missing
 * value becoming NaN where the input takes it. False when the column needs the general path (text,
 * integers, booleans).
 */
function copyFloats(data: Float32Array | Float64Array, k: number, width: number, column: Column, where: Where): boolean {
  if (column.type !== 'float64' && column.type !== 'float32') return false;
  const { values, nulls } = column;
  const rows = where.chunk.rowCount;
  // Only a float64 value can overflow a float32 input; those rows take the general check.
  const mayOverflow = data instanceof Float32Array && column.type === 'float64';
  const refuseNaN = where.missing?.feedsNaN === false;
  const refuseInfinity = where.missing?.feedsInfinity === false;
  for (let i = 0; i < rows; i++) {
    const value = nulls !== undefined && nulls[i] === 1 ? Number.NaN : (values[i] as number);
    // One comparison keeps finite values (all but a few) off the checks below.
    if (!(value > -3.4e38 && value < 3.4e38)) {
      const refused =
        value !== value ? (refuseNaN ? missingProblem(where.missing, nulls?.[i] === 1) : undefined)
        : !Number.isFinite(value) ? (refuseInfinity ? infinityProblem(where.missing) : undefined)
        : undefined;
      const problem = refused ?? (mayOverflow && Number.isFinite(value) && !Number.isFinite(Math.fround(value)) ? 'out of float32 range' : undefined);
      if (problem !== undefined) {
        reject(where, i, problem, gotText(column, i, value), refused === undefined ? undefined : missingHint(where.missing));
        data[i * width + k] = 0;
        continue;
      }
    }
    data[i * width + k] = value;
  }
  return true;
}

/** The problem with a missing, NaN or infinite value under a decision, or undefined when it is fed. */
function refusal(missing: MissingDecision | undefined): (value: number) => string | undefined {
  if (missing === undefined || (missing.feedsNaN && missing.feedsInfinity)) return () => undefined;
  return (value) => {
    if (value !== value) return missing.feedsNaN ? undefined : missingProblem(missing, false);
    if (value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY) return missing.feedsInfinity ? undefined : infinityProblem(missing);
    return undefined;
  };
}

function missingProblem(missing: MissingDecision | undefined, isNull: boolean): string {
  return `${isNull ? 'a missing value' : 'NaN'}, which the model does not handle here (--missing ${missing?.mode ?? 'auto'})`;
}

function infinityProblem(missing: MissingDecision | undefined): string {
  return `an infinite value, which the model does not handle here (--missing ${missing?.mode ?? 'auto'})`;
}

/** What to do about a refused missing value, with the reason the input refuses it. */
function missingHint(missing: MissingDecision | undefined): string {
  return `${missing?.reason ?? ''}. Impute the column with a pipeline step (impute), fix the input, or use --on-error skip to send such rows to the rejects file; --missing nan feeds them anyway`;
}

/** The value as the message shows it: '' for a missing cell, the input's text where there is one. */
function gotText(column: Column, i: number, value: number): string {
  if (column.type === 'string') return column.values[i] ?? '';
  if (column.nulls?.[i] === 1) return '';
  return String(value);
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
function reject(where: Where, i: number, problem: string, got: string, hint?: string): void {
  const { chunk, name, feed } = where;
  rejectValue(chunk, i, name, problem, got, { modelInput: feed.input, label: `model input '${feed.input}', ${feed.type}`, ...(hint === undefined ? {} : { hint }) });
}

// An integer input has no NaN: an empty field cannot be fed at all.
const INTEGER_HINT = 'an integer model input cannot take a missing value: fill the field, or impute the column with a pipeline step (impute); --on-error skip sends such rows to the rejects file';

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
    case 'tensor':
      throw tensorAsScalar(where.name);
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
    if (column.nulls?.[i] === 1) reject(where, i, 'a missing value where an integer is needed', '', INTEGER_HINT);
    return column.values[i] ?? 0n;
  }
  const value = numberAt(column, i, where);
  const problem = Number.isNaN(value) ? 'a missing value where an integer is needed' : Number.isSafeInteger(value) ? undefined : 'expected an integer';
  if (problem === undefined) return BigInt(value);
  reject(where, i, problem, Number.isNaN(value) ? '' : String(value), Number.isNaN(value) ? INTEGER_HINT : undefined);
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
    case 'tensor':
      throw tensorAsScalar('a tensor column');
    default:
      return column.nulls?.[i] === 1 ? '' : formatFloat64(column.values[i] ?? Number.NaN);
  }
}
