// Source: Arrow IPC file (.arrow/.feather v2) or stream (.arrows, stdin) -> column chunks, batch by batch.
// Hostile input: apache-arrow trusts what it reads, so its bytes first pass arrow-ipc.ts, which checks
// every message (a file is re-read as a checked stream, following its footer ourselves), and every
// decoded column is checked against its buffers below before it is handed on.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { CompressionType, DataType, RecordBatchReader, compressionRegistry, type Data, type Vector } from 'apache-arrow';
import { InputError } from '../errors.js';
import { CodecError, decodeLz4Frame, decodeZstd } from './arrow-codecs.js';
import { IpcFormatError, checkedFileAsStream, checkedStream, readFooter, type RandomAccess } from './arrow-ipc.js';
import type { Column, ColumnChunk } from '../shared/chunk.js';
import type { ChunkOptions, OpenedSource, SourceRequest } from './source.js';

type ArrowLayout = 'file' | 'stream';

/**
 * The uncompressed length that an IPC body buffer declares in its 8-byte prefix. apache-arrow hands
 * a decoder the bytes after the prefix as a view into the message body, so the prefix sits just
 * before them; arrow-ipc.ts has already checked that it is sane.
 */
function declaredLength(data: Uint8Array): number {
  if (data.byteOffset < 8) throw new CodecError('a compressed buffer has no length prefix');
  const declared = new DataView(data.buffer, data.byteOffset - 8, 8).getBigInt64(0, true);
  if (declared < 0n || declared > 2n ** 31n) throw new CodecError(`a compressed buffer declares ${declared} bytes uncompressed`);
  return Number(declared);
}

compressionRegistry.set(CompressionType.ZSTD, { decode: (data) => decodeZstd(data, declaredLength(data)) });
compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (data) => decodeLz4Frame(data, declaredLength(data)) });

/** Opens an Arrow IPC input and reads its schema; record batches are read when `chunks()` is iterated. */
export async function openArrow(request: SourceRequest, layout: ArrowLayout): Promise<OpenedSource> {
  const { path } = request;
  let bytesRead = 0;
  const handle = layout === 'file' && path !== '-' ? await wrapArrow(path, () => open(path, 'r')) : undefined;
  const stream = handle === undefined ? (path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 })) : undefined;
  let reader: RecordBatchReader;
  try {
    reader = await wrapArrow(path, async () => {
      let bytes: AsyncIterable<Uint8Array>;
      if (handle === undefined) {
        bytes = checkedStream(counted(stream as NodeJS.ReadableStream, (count) => (bytesRead += count)), 'the stream');
      } else {
        const file = await randomAccess(handle);
        bytesRead = file.size;
        try {
          bytes = checkedFileAsStream(file, await readFooter(file), 'the file');
        } catch (error) {
          // Not an IPC file: many tools write IPC streams under .arrow, so read it as one.
          if (!(error instanceof IpcFormatError && error.kind === 'not-a-file')) throw error;
          bytes = checkedStream(region(file), 'the data (read as an IPC stream, since it lacks the IPC file magic)');
        }
      }
      const opened = await RecordBatchReader.from(bytes);
      return opened.open();
    });
  } catch (error) {
    stream?.destroy();
    await handle?.close().catch(() => undefined);
    throw error;
  }
  if (reader.schema === undefined || reader.schema === null) {
    throw malformed(path, 'no schema message found');
  }
  const columnNames = reader.schema.fields.map((field) => field.name);
  const duplicate = columnNames.find((name, index) => columnNames.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new InputError('ARROW_MALFORMED', `Arrow schema of ${path} names column '${duplicate}' twice`, {
      context: { file: path, column: duplicate },
      hint: 'rename one of the columns so that every column name is unique',
    });
  }
  return {
    path,
    format: layout === 'file' ? 'arrow' : 'arrows',
    columnNames,
    bytesRead: () => bytesRead,
    warnings: () => [],
    chunks: (options) => readBatches(reader, columnNames, options, { path, keepRecords: request.keepRecords === true }),
    close: async () => {
      await Promise.resolve(reader.cancel()).catch(() => undefined);
      stream?.destroy();
      await handle?.close().catch(() => undefined);
    },
  };
}

async function* counted(stream: NodeJS.ReadableStream, count: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    count(chunk.length);
    yield chunk;
  }
}

/** Random access to an open file, for the footer and its blocks. */
async function randomAccess(handle: FileHandle): Promise<RandomAccess> {
  const { size } = await handle.stat();
  return {
    size,
    read: async (position, length) => {
      const want = Math.max(0, Math.min(length, size - position));
      const buffer = Buffer.alloc(want);
      let filled = 0;
      while (filled < want) {
        const { bytesRead } = await handle.read(buffer, filled, want - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    },
  };
}

/** The whole of a file, in pieces. */
async function* region(file: RandomAccess): AsyncGenerator<Uint8Array> {
  for (let position = 0; position < file.size; ) {
    const bytes = await file.read(position, Math.min(1 << 20, file.size - position));
    if (bytes.byteLength === 0) return;
    yield bytes;
    position += bytes.byteLength;
  }
}

async function wrapArrow<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw asInputError(path, error);
  }
}

/** Any failure while reading Arrow data, as one clear InputError naming the file. */
function asInputError(path: string, error: unknown): InputError {
  if (error instanceof InputError) return error;
  if (error instanceof IpcFormatError && error.kind === 'big-endian') {
    return new InputError('ARROW_MALFORMED', `Cannot read Arrow IPC data from ${path}: ${error.message}`, {
      context: { file: path },
      hint:
        'convert it to little-endian, e.g. with pyarrow, which swaps the byte order on reading: ' +
        "t = pyarrow.ipc.open_stream('in.arrows').read_all() (or open_file for a file), then write t with " +
        'pyarrow.ipc.new_file/new_stream',
      cause: error,
    });
  }
  if (error instanceof IpcFormatError || error instanceof CodecError) return malformed(path, error.message, error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]/.test(code)) {
    return new InputError('INPUT_UNREADABLE', `Cannot read ${path}: ${(error as Error).message}`, { context: { file: path }, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/^Unrecognized (type|[A-Za-z]+ type)/.test(message)) return malformed(path, `it uses a column type that onnx-batch cannot read (${message})`, error);
  // apache-arrow's own failures on data it cannot make sense of (TypeError, RangeError, ...).
  const reason = error instanceof Error && !(error.constructor === Error) ? `the data is corrupt (${message})` : message;
  return malformed(path, reason, error);
}

function malformed(path: string, reason: string, cause?: unknown): InputError {
  return new InputError('ARROW_MALFORMED', `Cannot read Arrow IPC data from ${path}: ${reason}`, {
    context: { file: path },
    hint: 'check that the file is a complete Arrow IPC file (.arrow/.feather) or stream (.arrows), or pass --input-format',
    cause,
  });
}

async function* readBatches(
  reader: RecordBatchReader,
  columnNames: readonly string[],
  options: ChunkOptions,
  reading: { readonly path: string; readonly keepRecords: boolean },
): AsyncGenerator<ColumnChunk> {
  const { path } = reading;
  // A rejected row is described by all its columns (as JSON), so then every column is converted.
  const wanted = reading.keepRecords ? undefined : options.columns;
  let firstRowInSource = 0;
  let batchIndex = 0;
  for (;;) {
    const next = await wrapArrow(path, async () => reader.next());
    if (next.done === true) return;
    batchIndex += 1;
    const batch = next.value;
    if (batch.numRows === 0) continue;
    const columns = new Map<string, Column>();
    try {
      columnNames.forEach((name, index) => {
        const vector = batch.getChildAt(index);
        if (vector === null) throw malformed(path, `record batch ${batchIndex} lacks column '${name}'`);
        if (vector.length !== batch.numRows) {
          throw malformed(path, `column '${name}' has ${vector.length} values in record batch ${batchIndex} of ${batch.numRows} rows`);
        }
        for (const data of vector.data) {
          const problem = checkData(data, 0);
          if (problem !== undefined) throw malformed(path, `column '${name}' of record batch ${batchIndex} is corrupt: ${problem}`);
        }
        if (wanted === undefined || wanted.has(name)) columns.set(name, toColumn(vector));
      });
    } catch (error) {
      throw asInputError(path, error);
    }
    yield {
      rowOffset: options.rowOffset + firstRowInSource,
      rowCount: batch.numRows,
      columns,
      origin: { source: path, firstRowInSource },
      ...(options.rejects === undefined ? {} : { rejects: options.rejects }),
    };
    firstRowInSource += batch.numRows;
  }
}

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
    if (values instanceof BigUint64Array) return { type: 'int64', values: BigInt64Array.from(values, (v) => BigInt.asIntN(64, v)), ...optional };
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
    return (value) => {
      const ms = typeof value === 'bigint' ? Number(value) : Number(value);
      const date = new Date(ms);
      return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
    };
  }
  return (value) => (typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value, jsonSafe) : String(value));
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
