// Arrow vectors -> the tool's columns: each decoded column is checked against its buffers first (apache-arrow
// cuts a region that runs past the body short instead of failing), then converted: numbers to Float64Array
// with a null mask, decimals to float, everything else to its text.
import { DataType, DateUnit, TimeUnit, type Data, type Vector } from 'apache-arrow';
import type { Column, ExactColumn, IntegerColumn, TimeUnitName } from '../shared/chunk.js';
import { isoText } from '../shared/exact-text.js';

/**
 * Checks that a decoded column's buffers hold what its length needs (apache-arrow cuts a buffer
 * region that runs past the body short instead of failing) and that offsets and dictionary indices
 * stay inside what they index. Returns what is wrong, or undefined.
 */
export function checkData(data: Data, depth: number): string | undefined {
  if (depth > 64) return 'nested too deeply';
  const type = data.type as DataType;
  const end = data.offset + data.length;
  const bitmap = data.nullBitmap as Uint8Array | undefined;
  if (data.nullCount > 0 && bitmap !== undefined && bitmap.byteLength > 0 && bitmap.byteLength * 8 < end) {
    return `its validity bitmap has ${bitmap.byteLength} bytes for ${end} values`;
  }
  if (DataType.isDictionary(type)) {
    const indices = data.values as unknown as ArrayLike<number | bigint>;
    if (indices.length < end) return `it has ${indices.length} dictionary indices for ${end} values`;
    const size = data.dictionary?.length ?? 0;
    for (let i = data.offset; i < end; i++) {
      if (data.nullCount > 0 && !isValidAt(data, i)) continue;
      const index = Number(indices[i]);
      if (!(index >= 0 && index < size)) return `value ${i - data.offset} points at dictionary entry ${index}, but the dictionary has ${size}`;
    }
    return undefined;
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type) || DataType.isLargeUtf8(type) || DataType.isLargeBinary(type) || DataType.isList(type) || DataType.isMap(type)) {
    const offsets = data.valueOffsets as unknown as ArrayLike<number | bigint>;
    if (data.length === 0) return undefined;
    if (offsets.length < end + 1) return `it has ${offsets.length} offsets for ${end} values`;
    const nested = DataType.isList(type) || DataType.isMap(type);
    const limit = nested ? (data.children[0]?.length ?? 0) : (data.values as Uint8Array).byteLength;
    let previous = Number(offsets[data.offset]);
    if (!(previous >= 0)) return `its first offset is ${previous}`;
    for (let i = data.offset + 1; i <= end; i++) {
      const offset = Number(offsets[i]);
      if (!(offset >= previous)) return `its offsets decrease at value ${i - data.offset} (${previous} then ${offset})`;
      previous = offset;
    }
    if (previous > limit) return `its last offset is ${previous}, past the ${limit} ${nested ? 'child values' : 'bytes of data'}`;
  } else if (DataType.isBool(type)) {
    const values = data.values as Uint8Array;
    if (values.byteLength * 8 < end) return `it has ${values.byteLength} bytes for ${end} booleans`;
  } else if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDate(type) || DataType.isTimestamp(type) || DataType.isTime(type) || DataType.isDecimal(type) || DataType.isDuration(type) || DataType.isFixedSizeBinary(type)) {
    const values = data.values as unknown as ArrayLike<unknown>;
    if (values.length < end * data.stride) return `it has ${values.length} values for ${end} rows`;
  } else if (DataType.isStruct(type) || DataType.isFixedSizeList(type)) {
    const per = DataType.isFixedSizeList(type) ? (type as unknown as { listSize: number }).listSize : 1;
    for (const child of data.children) {
      if (child.length < end * per) return `a child has ${child.length} values for ${end} rows`;
    }
  }
  for (const child of data.children) {
    const problem = checkData(child, depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function isValidAt(data: Data, index: number): boolean {
  const bitmap = data.nullBitmap as Uint8Array | undefined;
  if (bitmap === undefined || bitmap.byteLength === 0) return true;
  return bitAt(bitmap, index) === 1;
}

/** 1 where a row is null, read from each record batch's validity bitmap; undefined without nulls. */
function nullMask(vector: Vector): Uint8Array | undefined {
  if (vector.nullCount === 0) return undefined;
  const nulls = new Uint8Array(vector.length);
  let at = 0;
  for (const data of vector.data) {
    const bitmap = data.nullBitmap as Uint8Array | undefined;
    if (data.nullCount > 0 && bitmap !== undefined && bitmap.byteLength > 0 && !DataType.isUnion(data.type)) {
      for (let i = 0; i < data.length; i++) nulls[at + i] = 1 - bitAt(bitmap, data.offset + i);
    } else if (data.nullCount > 0) {
      // Null-typed and union columns have no bitmap of their own: the rare case asks the vector.
      for (let i = 0; i < data.length; i++) nulls[at + i] = vector.isValid(at + i) ? 0 : 1;
    }
    at += data.length;
  }
  return nulls;
}

function bitAt(bits: Uint8Array, index: number): number {
  return ((bits[index >> 3] as number) >> (index & 7)) & 1;
}

/** Booleans as 0/1 (0 under nulls), from each record batch's bit-packed values. */
function boolValues(vector: Vector, nulls: Uint8Array | undefined): Uint8Array {
  const values = new Uint8Array(vector.length);
  let at = 0;
  for (const data of vector.data) {
    const bits = data.values as Uint8Array;
    for (let i = 0; i < data.length; i++) values[at + i] = bitAt(bits, data.offset + i);
    at += data.length;
  }
  if (nulls !== undefined) for (let i = 0; i < values.length; i++) if (nulls[i] === 1) values[i] = 0;
  return values;
}

/** Converts one Arrow vector to a column; types without a numeric form become text. */
export function toColumn(vector: Vector): Column {
  const type = vector.type as DataType;
  const nulls = nullMask(vector);
  const optional = nulls === undefined ? {} : { nulls };
  if (DataType.isFloat(type)) {
    const values = vector.toArray() as unknown;
    if (values instanceof Float32Array) return { type: 'float32', values, ...optional };
    if (values instanceof Float64Array) return { type: 'float64', values, ...optional };
    return { type: 'float64', values: Float64Array.from({ length: vector.length }, (_, i) => Number(vector.get(i) ?? Number.NaN)), ...optional };
  }
  if (DataType.isInt(type)) {
    const values = vector.toArray() as unknown;
    if (values instanceof Int32Array) return { type: 'int32', values, ...optional };
    if (values instanceof BigInt64Array) return { type: 'int64', values, ...optional };
    // Above 2^63 a uint64 has no int64: as float64 it stays positive (and the model takes floats).
    if (values instanceof BigUint64Array) return { type: 'float64', values: Float64Array.from(values, Number), ...optional };
    return { type: 'float64', values: Float64Array.from(values as ArrayLike<number>), ...optional };
  }
  if (DataType.isBool(type)) {
    return { type: 'bool', values: boolValues(vector, nulls), ...optional };
  }
  if (DataType.isDecimal(type)) {
    const { scale, bitWidth } = type as unknown as { scale: number; bitWidth: number };
    return { type: 'float64', values: decimalValues(vector, scale, bitWidth / 32), ...optional };
  }
  const values: (string | null)[] = new Array<string | null>(vector.length);
  const asText = textOf(type);
  for (let i = 0; i < vector.length; i++) {
    const value: unknown = vector.get(i);
    values[i] = value === null || value === undefined ? null : asText(value);
  }
  return { type: 'string', values };
}

/**
 * A kept column as it is in the file, for the types that toColumn reads in another form: integers
 * it widens to float64 (int8, int16, uint8, uint16, uint32, uint64), decimals (float64), dates and
 * timestamps (text). Undefined for any other type, which toColumn keeps as it is.
 */
export function exactColumn(vector: Vector): IntegerColumn | ExactColumn | undefined {
  const type = vector.type as DataType;
  const nulls = nullMask(vector);
  const optional = nulls === undefined ? {} : { nulls };
  if (DataType.isDecimal(type)) {
    const { precision, scale, bitWidth } = type as unknown as { precision: number; scale: number; bitWidth: number };
    return { type: 'decimal', precision, scale, bitWidth, values: rawValues(vector, Uint32Array, bitWidth / 32), ...optional };
  }
  if (DataType.isDate(type)) {
    const day = (type as unknown as { unit: DateUnit }).unit === DateUnit.DAY;
    return day ? { type: 'date32', values: rawValues(vector, Int32Array, 1), ...optional } : { type: 'date64', values: rawValues(vector, BigInt64Array, 1), ...optional };
  }
  if (DataType.isTimestamp(type)) {
    const { unit, timezone } = type as unknown as { unit: TimeUnit; timezone?: string | null };
    return { type: 'timestamp', unit: TIME_UNITS[unit], timezone: timezone ?? null, values: rawValues(vector, BigInt64Array, 1), ...optional };
  }
  if (!DataType.isInt(type)) return undefined;
  const values = vector.toArray() as unknown;
  if (values instanceof Int8Array) return { type: 'int8', values, ...optional };
  if (values instanceof Int16Array) return { type: 'int16', values, ...optional };
  if (values instanceof Uint8Array) return { type: 'uint8', values, ...optional };
  if (values instanceof Uint16Array) return { type: 'uint16', values, ...optional };
  if (values instanceof Uint32Array) return { type: 'uint32', values, ...optional };
  if (values instanceof BigUint64Array) return { type: 'uint64', values, ...optional };
  return undefined;
}

const TIME_UNITS: Readonly<Record<TimeUnit, TimeUnitName>> = {
  [TimeUnit.SECOND]: 'second',
  [TimeUnit.MILLISECOND]: 'millisecond',
  [TimeUnit.MICROSECOND]: 'microsecond',
  [TimeUnit.NANOSECOND]: 'nanosecond',
};

/** A fixed-width column's values, `width` elements a row, copied out of each record batch's buffer. */
function rawValues<A extends Uint32Array | Int32Array | BigInt64Array>(vector: Vector, Values: new (length: number) => A, width: number): A {
  const values = new Values(vector.length * width);
  let at = 0;
  for (const data of vector.data) {
    const own = data.values as unknown as A;
    values.set(own.subarray(data.offset * width, (data.offset + data.length) * width) as never, at * width);
    at += data.length;
  }
  return values;
}

/**
 * Decimals as the nearest float64 (a model takes floats): each value is a little-endian two's
 * complement integer of `words` 32-bit words, divided by 10^scale.
 */
function decimalValues(vector: Vector, scale: number, words: number): Float64Array {
  const values = new Float64Array(vector.length);
  let at = 0;
  for (const data of vector.data) {
    const raw = data.values as unknown as Uint32Array;
    for (let i = 0; i < data.length; i++) {
      const base = (data.offset + i) * words;
      let integer = 0n;
      for (let word = words - 1; word >= 0; word--) integer = (integer << 32n) | BigInt(raw[base + word] ?? 0);
      values[at + i] = Number(BigInt.asIntN(words * 32, integer)) / 10 ** scale;
    }
    at += data.length;
  }
  return values;
}

function textOf(type: DataType): (value: unknown) => string {
  if (DataType.isTimestamp(type) || DataType.isDate(type)) {
    return (value) => isoText(Number(value));
  }
  return (value) => (typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value, jsonSafe) : String(value));
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
