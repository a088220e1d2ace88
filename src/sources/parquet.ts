// Source: Parquet file -> column chunks, row group by row group, only the columns later stages use.
// Decoder threads (parquet-decode.ts, parquet-wasm) read the footer and decode the row groups: each
// thread takes every n-th row group, slice after slice, one slice ahead of what is consumed here, so
// decoding overlaps with the model and the writer on this thread (as CSV parsing does). Memory holds
// about two slices per thread.
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { InputError, InternalError, UsageError } from '../errors.js';
import { sliceChunk, type ColumnChunk } from '../shared/chunk.js';
import { WorkerPool } from '../shared/worker-pool.js';
import type { ArrowField } from './arrow-batches.js';
import { compressionOfBytes } from './decompress.js';
import type { DecodeReply, DecodeRequest, Slice } from './parquet-decode.js';
import type { ChunkOptions, OpenedSource, SourceRequest } from './source.js';

/** How a Parquet file is cut: rows per row group, in file order (a shard's unit of work). */
export interface ParquetLayout {
  readonly rows: number;
  readonly rowGroupRows: readonly number[];
  /** Compressed bytes of each row group (what a shard's share is balanced by). */
  readonly rowGroupBytes: readonly number[];
}

/** An opened Parquet input, with what its footer says. */
export interface ParquetSource extends OpenedSource {
  readonly fields: readonly ArrowField[];
  readonly layout: ParquetLayout;
}

const MAGIC = 'PAR1';
const DECODER = new URL('./parquet-decode.js', import.meta.url);
/** Decoder threads that --workers auto uses at most (one per core but one). */
const AUTO_DECODERS_MAX = 4;
/**
 * Rows a decoder thread decodes per request, at least (rounded up to whole chunks): fewer, larger
 * slices cost less per row in the decoder and in messages; 32768 rows of 32 doubles are 8 MB.
 */
const MIN_SLICE_ROWS = 32_768;

/**
 * Decoder threads, shared by every Parquet input of the process and started on first use; each has
 * its own WebAssembly instance, so one that met a decoder panic is dropped and replaced.
 */
const decoders: (WorkerPool<DecodeRequest, DecodeReply> | undefined)[] = [];
let nextFile = 0;

/** Sends a request to decoder thread `index`; a decoding failure becomes PARQUET_MALFORMED naming the file. */
async function decode<K extends DecodeReply['kind']>(index: number, request: DecodeRequest, path: string, kind: K): Promise<Extract<DecodeReply, { kind: K }>> {
  const decoder = (decoders[index] ??= new WorkerPool<DecodeRequest, DecodeReply>(DECODER, 1));
  const reply = await decoder.run(request);
  if (reply.kind === 'failed') {
    if (reply.panicked && decoders[index] === decoder) {
      decoders[index] = undefined;
      void decoder.close();
    }
    throw malformed(path, reply.reason);
  }
  if (reply.kind !== kind) throw new InternalError(`a Parquet decoder thread answered a ${kind} request with ${reply.kind}`);
  return reply as Extract<DecodeReply, { kind: K }>;
}

/** Decoder threads for a request's --workers: auto is one per core but one (1 to 4); 0 still decodes in one thread. */
function decoderCount(workers: SourceRequest['workers']): number {
  if (workers === undefined || workers === 'auto') return Math.min(AUTO_DECODERS_MAX, Math.max(1, availableParallelism() - 1));
  return Math.max(1, workers);
}

/** Opens a Parquet file and reads its footer; row groups are decoded when `chunks()` is iterated. */
export async function openParquet(request: SourceRequest): Promise<ParquetSource> {
  const { path } = request;
  if (path === '-') {
    throw new UsageError('USAGE', 'Parquet cannot be read from stdin: its footer, at the end, says where the data is', {
      hint: 'write the data to a file first, or send CSV, JSON Lines or an Arrow stream (--input-format arrows) on stdin',
    });
  }
  const size = await checkFrame(path);
  const file = nextFile++;
  // Decoder threads this file was opened in, to be closed in each.
  const openedIn = new Set<number>([0]);
  const close = async (): Promise<void> => {
    await Promise.all([...openedIn].map((index) => decoders[index]?.run({ kind: 'close', file }).catch(() => undefined)));
  };
  let footer: Extract<DecodeReply, { kind: 'footer' }>;
  try {
    footer = await decode(0, { kind: 'footer', file, path }, path, 'footer');
  } catch (error) {
    await close();
    throw error;
  }
  const { fields, rowGroupRows, rowGroupBytes } = footer;
  const layout: ParquetLayout = { rows: rowGroupRows.reduce((sum, rows) => sum + rows, 0), rowGroupRows, rowGroupBytes };
  const columnNames = fields.map((field) => field.name);
  const duplicate = columnNames.find((name, index) => columnNames.indexOf(name) !== index);
  if (duplicate !== undefined) {
    await close();
    throw malformed(path, `its schema names column '${duplicate}' twice`);
  }
  let bytesRead = 0;
  const reading: Reading = {
    file,
    path,
    columnNames,
    layout,
    rowGroups: rowGroupsOf(request),
    keepRecords: request.keepRecords === true,
    decoders: decoderCount(request.workers),
  };
  return {
    path,
    format: 'parquet',
    columnNames,
    fields,
    layout,
    rowCount: layout.rows,
    bytesRead: () => bytesRead,
    warnings: () => [],
    chunks: (options) =>
      readRowGroups(reading, options, (index) => openedIn.add(index), (sliceBytes) => {
        bytesRead = Math.min(size, bytesRead + sliceBytes);
      }),
    close,
  };
}

/** The row groups a request's range names (all when it names none). */
function rowGroupsOf(request: SourceRequest): readonly number[] | undefined {
  const { range } = request;
  if (range === undefined) return undefined;
  if (range.unit !== 'row-groups') throw new RangeError(`openParquet: a Parquet file is cut into row groups, not ${range.unit}`);
  return Array.from({ length: range.end - range.start }, (_, i) => range.start + i);
}

/**
 * Checks the frame before the library sees the file: the magic at both ends and a footer length
 * that fits, so that a file that is not Parquet, or cut short, fails with a clear reason.
 */
async function checkFrame(path: string): Promise<number> {
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw new InputError('INPUT_UNREADABLE', `Cannot read ${path}: ${(error as Error).message}`, { context: { file: path }, cause: error });
  });
  try {
    const { size } = await handle.stat();
    if (size < 12) throw malformed(path, `it has ${size} bytes, fewer than a Parquet file's frame (12)`);
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(8);
    await handle.read(head, 0, 4, 0);
    await handle.read(tail, 0, 8, size - 8);
    if (head.toString('latin1') !== MAGIC) {
      const compression = compressionOfBytes(head);
      // Parquet compresses its own pages; a whole file compressed again is not read.
      throw malformed(path, compression === undefined ? 'it does not start with the Parquet magic PAR1' : `it is a ${compression}-compressed file, not Parquet (decompress it first)`);
    }
    if (tail.toString('latin1', 4) !== MAGIC) throw malformed(path, 'it does not end with the Parquet magic PAR1 (the file may be cut short)');
    const footer = tail.readUInt32LE(0);
    if (footer > size - 12) throw malformed(path, `its footer declares ${footer} bytes, more than the file holds`);
    return size;
  } finally {
    await handle.close();
  }
}

interface Reading {
  readonly file: number;
  readonly path: string;
  readonly columnNames: readonly string[];
  readonly layout: ParquetLayout;
  readonly rowGroups: readonly number[] | undefined;
  readonly keepRecords: boolean;
  readonly decoders: number;
}

/**
 * Row groups in order, cut into chunks of `chunkRows` (a row group's last chunk may be shorter).
 * Decoder thread k takes the k-th, (k + n)-th, ... row group; each always has its next slice in
 * progress, so at most about two slices per thread are held.
 */
async function* readRowGroups(reading: Reading, options: ChunkOptions, onDecoder: (index: number) => void, onSliceRead: (bytes: number) => void): AsyncGenerator<ColumnChunk> {
  const { file, path, layout } = reading;
  const columns = projectionOf(reading, options);
  const groups = (reading.rowGroups ?? layout.rowGroupRows.map((_, index) => index)).filter((group) => {
    const rows = layout.rowGroupRows[group];
    if (rows === undefined) throw new UsageError('USAGE', `${path} has no row group ${group} (it has ${layout.rowGroupRows.length})`);
    return rows > 0;
  });
  const rows = options.chunkRows * Math.max(1, Math.ceil(MIN_SLICE_ROWS / options.chunkRows));
  const threads = Math.max(1, Math.min(reading.decoders, groups.length));
  const request = (position: number): Promise<Slice> => {
    const index = position % threads;
    onDecoder(index);
    const slice = decode(index, { kind: 'slice', file, path, group: groups[position] as number, rows, columns, kept: [...(options.keptColumns ?? [])] }, path, 'slice');
    // A slice read ahead may fail while another is awaited: its error is raised when its turn comes.
    slice.catch(() => undefined);
    return slice;
  };
  const ahead = groups.slice(0, threads).map((_, position) => request(position));
  let firstRowInChunks = 0;
  for (const [position, group] of groups.entries()) {
    const index = position % threads;
    // Rows are numbered within the file, so a subset of row groups still points at real rows.
    let firstRowInSource = layout.rowGroupRows.slice(0, group).reduce((sum, count) => sum + count, 0);
    for (;;) {
      const slice = await (ahead[index] as Promise<Slice>);
      if (!slice.last) ahead[index] = request(position);
      else if (position + threads < groups.length) ahead[index] = request(position + threads);
      onSliceRead(slice.bytes);
      const whole: ColumnChunk = {
        rowOffset: options.rowOffset + firstRowInChunks,
        rowCount: slice.rowCount,
        columns: new Map(slice.columns),
        ...(slice.passthrough.length === 0 ? {} : { passthrough: new Map(slice.passthrough) }),
        origin: { source: path, firstRowInSource },
        ...(options.rejects === undefined ? {} : { rejects: options.rejects }),
      };
      for (let start = 0; start < slice.rowCount; start += options.chunkRows) yield sliceChunk(whole, start, Math.min(slice.rowCount, start + options.chunkRows));
      firstRowInSource += slice.rowCount;
      firstRowInChunks += slice.rowCount;
      if (slice.last) break;
    }
  }
}

/** The columns to decode: those later stages read (all of them when rejected rows keep their record). */
function projectionOf(reading: Reading, options: ChunkOptions): string[] | undefined {
  if (reading.keepRecords || options.columns === undefined) return undefined;
  const wanted = reading.columnNames.filter((name) => options.columns?.has(name) === true);
  // Reading no column would read no rows: the smallest step is one column, then dropped.
  return wanted.length > 0 ? wanted : reading.columnNames.slice(0, 1);
}

function malformed(path: string, reason: string): InputError {
  return new InputError('PARQUET_MALFORMED', `Cannot read Parquet data from ${path}: ${reason}`, {
    context: { file: path },
    hint: 'check that the file is a complete Parquet file (a writer that was stopped leaves no footer), or pass --input-format',
  });
}
