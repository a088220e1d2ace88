// Source: Arrow IPC file (.arrow/.feather v2) or stream (.arrows, stdin) -> column chunks, batch by batch.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { DataType, RecordBatchReader, type Vector } from 'apache-arrow';
import { InputError } from '../errors.js';
import type { Column, ColumnChunk } from './chunk.js';
import type { ChunkOptions, OpenedSource, SourceRequest } from './source.js';

type ArrowLayout = 'file' | 'stream';

/** Opens an Arrow IPC input and reads its schema; record batches are read when `chunks()` is iterated. */
export async function openArrow(request: SourceRequest, layout: ArrowLayout): Promise<OpenedSource> {
  const { path } = request;
  let bytesRead = 0;
  const handle = layout === 'file' && path !== '-' ? await open(path, 'r') : undefined;
  const stream = handle === undefined ? (path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 })) : undefined;
  const reader = await wrapArrow(path, async () => {
    const opened =
      stream === undefined
        ? await RecordBatchReader.from(handle as FileHandle)
        : await RecordBatchReader.from(counted(stream, (bytes) => (bytesRead += bytes)));
    return opened.open();
  });
  if (reader.schema === undefined || reader.schema === null) {
    throw malformed(path, 'no schema message found');
  }
  if (handle !== undefined) bytesRead = (await handle.stat()).size;
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
    chunks: (options) => readBatches(reader, columnNames, options, path),
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

async function wrapArrow<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('E')) {
      throw new InputError('INPUT_UNREADABLE', `Cannot read ${path}: ${(error as Error).message}`, { context: { file: path }, cause: error });
    }
    throw malformed(path, (error as Error).message ?? String(error), error);
  }
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
  path: string,
): AsyncGenerator<ColumnChunk> {
  let firstRowInSource = 0;
  for (;;) {
    const next = await wrapArrow(path, async () => reader.next());
    if (next.done === true) return;
    const batch = next.value;
    if (batch.numRows === 0) continue;
    const columns = new Map<string, Column>();
    columnNames.forEach((name, index) => {
      const vector = batch.getChildAt(index);
      if (vector === null) throw malformed(path, `record batch lacks column '${name}'`);
      if (vector.length !== batch.numRows) {
        throw malformed(path, `column '${name}' has ${vector.length} values in a batch of ${batch.numRows} rows`);
      }
      columns.set(name, toColumn(vector));
    });
    yield {
      rowOffset: options.rowOffset + firstRowInSource,
      rowCount: batch.numRows,
      columns,
      origin: { source: path, firstRowInSource },
    };
    firstRowInSource += batch.numRows;
  }
}

function nullMask(vector: Vector): Uint8Array | undefined {
  if (vector.nullCount === 0) return undefined;
  const nulls = new Uint8Array(vector.length);
  for (let i = 0; i < vector.length; i++) nulls[i] = vector.isValid(i) ? 0 : 1;
  return nulls;
}

/** Converts one Arrow vector to a column; types without a numeric form become text. */
function toColumn(vector: Vector): Column {
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
    return { type: 'bool', values: Uint8Array.from({ length: vector.length }, (_, i) => (vector.get(i) === true ? 1 : 0)), ...optional };
  }
  const values: (string | null)[] = new Array<string | null>(vector.length);
  const asText = textOf(type);
  for (let i = 0; i < vector.length; i++) {
    const value: unknown = vector.get(i);
    values[i] = value === null || value === undefined ? null : asText(value);
  }
  return { type: 'string', values };
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
