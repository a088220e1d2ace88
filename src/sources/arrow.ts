// Source: Arrow IPC file (.arrow/.feather v2) or stream (.arrows, stdin) -> column chunks, batch by batch.
// Hostile input: apache-arrow trusts what it reads, so its bytes first pass arrow-ipc.ts, which checks
// every message (a file is re-read as a checked stream, following its footer ourselves), and every
// decoded column is checked against its buffers below before it is handed on.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { CompressionType, RecordBatchReader, compressionRegistry } from 'apache-arrow';
import { InputError, InternalError } from '../errors.js';
import { CodecError, decodeLz4Frame, decodeZstd } from './arrow-codecs.js';
import { checkData, exactColumn, toColumn } from './arrow-columns.js';
import { IpcFormatError, checkedFileAsStream, checkedStream, readFooter, rowsInBlocks, type RandomAccess } from './arrow-ipc.js';
import type { Column, ColumnChunk, KeptColumn } from '../shared/chunk.js';
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
  let firstRow = 0;
  const warnings: string[] = [];
  const warn = (message: string): void => void warnings.push(`${path}: ${message}`);
  const handle = layout === 'file' && path !== '-' ? await wrapArrow(path, () => open(path, 'r')) : undefined;
  const stream = handle === undefined ? (path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 })) : undefined;
  let reader: RecordBatchReader;
  try {
    reader = await wrapArrow(path, async () => {
      let bytes: AsyncIterable<Uint8Array>;
      if (handle === undefined) {
        bytes = checkedStream(counted(stream as NodeJS.ReadableStream, (count) => (bytesRead += count)), 'the stream', warn);
      } else {
        const file = await randomAccess(handle);
        bytesRead = file.size;
        try {
          const footer = await readFooter(file);
          const { range } = request;
          if (range === undefined) {
            bytes = checkedFileAsStream(file, footer, 'the file');
          } else {
            // One shard's record batches; their rows are numbered within the file.
            if (range.unit !== 'batches') throw new InternalError(`openArrow: an Arrow file is cut into record batches, not ${range.unit}`);
            const recordBatches = footer.recordBatches.slice(range.start, range.end);
            firstRow = await rowsInBlocks(file, footer.recordBatches.slice(0, range.start));
            bytesRead = recordBatches.reduce((sum, block) => sum + block.metaDataLength + block.bodyLength, 0);
            bytes = checkedFileAsStream(file, { ...footer, recordBatches }, 'the file');
          }
        } catch (error) {
          // Not an IPC file: many tools write IPC streams under .arrow, so read it as one.
          if (!(error instanceof IpcFormatError && error.kind === 'not-a-file') || request.range !== undefined) throw error;
          bytes = checkedStream(region(file), 'the data (read as an IPC stream, since it lacks the IPC file magic)', warn);
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
    warnings: () => warnings,
    chunks: (options) => readBatches(reader, columnNames, options, { path, keepRecords: request.keepRecords === true, firstRow }),
    close: async () => {
      await Promise.resolve(reader.cancel()).catch(() => undefined);
      stream?.destroy();
      await handle?.close().catch(() => undefined);
    },
  };
}

/** Bytes of each record batch of an Arrow IPC file (from its footer): the units a shard can take; undefined for an IPC stream. */
export async function readArrowBatchSizes(path: string): Promise<number[] | undefined> {
  const handle = await wrapArrow(path, () => open(path, 'r'));
  try {
    const footer = await readFooter(await randomAccess(handle)).catch((error: unknown) => {
      if (error instanceof IpcFormatError && error.kind === 'not-a-file') return undefined;
      throw asInputError(path, error);
    });
    return footer?.recordBatches.map((block) => block.metaDataLength + block.bodyLength);
  } finally {
    await handle.close();
  }
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
  reading: { readonly path: string; readonly keepRecords: boolean; readonly firstRow: number },
): AsyncGenerator<ColumnChunk> {
  const { path, firstRow } = reading;
  // A rejected row is described by all its columns (as JSON), so then every column is converted.
  const wanted = reading.keepRecords ? undefined : options.columns;
  let firstRowInSource = firstRow;
  let batchIndex = 0;
  for (;;) {
    const next = await wrapArrow(path, async () => reader.next());
    if (next.done === true) return;
    batchIndex += 1;
    const batch = next.value;
    if (batch.numRows === 0) continue;
    const columns = new Map<string, Column>();
    const passthrough = new Map<string, KeptColumn>();
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
        const exact = options.keptColumns?.has(name) === true ? exactColumn(vector) : undefined;
        if (exact !== undefined) passthrough.set(name, exact);
      });
    } catch (error) {
      throw asInputError(path, error);
    }
    yield {
      rowOffset: options.rowOffset + firstRowInSource - firstRow,
      rowCount: batch.numRows,
      columns,
      ...(passthrough.size === 0 ? {} : { passthrough }),
      origin: { source: path, firstRowInSource },
      ...(options.rejects === undefined ? {} : { rejects: options.rejects }),
    };
    firstRowInSource += batch.numRows;
  }
}
