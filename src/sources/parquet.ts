// Source: Parquet file -> column chunks, row group by row group, only the columns later stages use.
// parquet-wasm (arrow-rs compiled to WebAssembly) decodes pages into Arrow record batches; their IPC
// bytes become columns in arrow-batches.ts. The file is read through a file-backed Blob, so only
// the footer and the row group being read are in memory.
import { openAsBlob } from 'node:fs';
import { open } from 'node:fs/promises';
import { ParquetFile, type RecordBatch } from 'parquet-wasm';
import { InputError, UsageError } from '../errors.js';
import { decodeIpcBatches, fieldsOfIpcSchema, type ArrowField } from './arrow-batches.js';
import type { ColumnChunk } from '../shared/chunk.js';
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

/** Opens a Parquet file and reads its footer; row groups are decoded when `chunks()` is iterated. */
export async function openParquet(request: SourceRequest): Promise<ParquetSource> {
  const { path } = request;
  if (path === '-') {
    throw new UsageError('USAGE', 'Parquet cannot be read from stdin: its footer, at the end, says where the data is', {
      hint: 'write the data to a file first, or send CSV, JSON Lines or an Arrow stream (--input-format arrows) on stdin',
    });
  }
  const size = await checkFrame(path);
  const trap = new PanicTrap();
  let file: ParquetFile;
  let fields: ArrowField[];
  let layout: ParquetLayout;
  try {
    file = await wrapParquet(trap, path, async () => ParquetFile.fromFile(await openAsBlob(path)));
    ({ fields, layout } = await wrapParquet(trap, path, async () => {
      const groups = file.metadata().rowGroups();
      const rowGroupRows = groups.map((group) => group.numRows());
      return {
        fields: fieldsOfIpcSchema(file.schema().intoIPCStream()),
        layout: { rows: rowGroupRows.reduce((sum, rows) => sum + rows, 0), rowGroupRows, rowGroupBytes: groups.map((group) => group.compressedSize()) },
      };
    }));
  } catch (error) {
    trap.disarm();
    throw error;
  }
  const columnNames = fields.map((field) => field.name);
  const duplicate = columnNames.find((name, index) => columnNames.indexOf(name) !== index);
  if (duplicate !== undefined) throw malformed(path, `its schema names column '${duplicate}' twice`);
  let bytesRead = 0;
  return {
    path,
    format: 'parquet',
    columnNames,
    fields,
    layout,
    rowCount: layout.rows,
    bytesRead: () => bytesRead,
    warnings: () => [],
    chunks: (options) => readRowGroups(file, trap, { path, columnNames, layout, rowGroups: rowGroupsOf(request), keepRecords: request.keepRecords === true }, options, (groupBytes) => {
      bytesRead = Math.min(size, bytesRead + groupBytes);
    }),
    close: async () => {
      trap.disarm();
      // After a panic the WebAssembly instance is in an unknown state: its objects are left alone.
      if (!trap.panicked) file.free();
    },
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
    if (head.toString('latin1') !== MAGIC) throw malformed(path, 'it does not start with the Parquet magic PAR1');
    if (tail.toString('latin1', 4) !== MAGIC) throw malformed(path, 'it does not end with the Parquet magic PAR1 (the file may be cut short)');
    const footer = tail.readUInt32LE(0);
    if (footer > size - 12) throw malformed(path, `its footer declares ${footer} bytes, more than the file holds`);
    return size;
  } finally {
    await handle.close();
  }
}

interface Reading {
  readonly path: string;
  readonly columnNames: readonly string[];
  readonly layout: ParquetLayout;
  readonly rowGroups: readonly number[] | undefined;
  readonly keepRecords: boolean;
}

async function* readRowGroups(file: ParquetFile, trap: PanicTrap, reading: Reading, options: ChunkOptions, onGroupRead: (bytes: number) => void): AsyncGenerator<ColumnChunk> {
  const { path, layout } = reading;
  const projection = projectionOf(reading, options);
  const groups = reading.rowGroups ?? layout.rowGroupRows.map((_, index) => index);
  let firstRowInChunks = 0;
  for (const group of groups) {
    const rows = layout.rowGroupRows[group];
    if (rows === undefined) throw new UsageError('USAGE', `${path} has no row group ${group} (it has ${layout.rowGroupRows.length})`);
    // Rows are numbered within the file, so a subset of row groups still points at real rows.
    let firstRowInSource = layout.rowGroupRows.slice(0, group).reduce((sum, count) => sum + count, 0);
    if (rows === 0) continue;
    const stream = await wrapParquet(trap, path, () => file.stream({ rowGroups: [group], batchSize: options.chunkRows, ...(projection === undefined ? {} : { columns: projection }) }));
    const reader = (stream as ReadableStream<RecordBatch>).getReader();
    try {
      for (;;) {
        const next = await wrapParquet(trap, path, () => reader.read());
        if (next.done) break;
        const bytes = await wrapParquet(trap, path, async () => next.value.intoIPCStream());
        onGroupRead(bytes.byteLength);
        for (const batch of await wrapParquet(trap, path, async () => decodeIpcBatches(bytes))) {
          if (batch.rowCount === 0) continue;
          yield {
            rowOffset: options.rowOffset + firstRowInChunks,
            rowCount: batch.rowCount,
            columns: batch.columns,
            origin: { source: path, firstRowInSource },
            ...(options.rejects === undefined ? {} : { rejects: options.rejects }),
          };
          firstRowInSource += batch.rowCount;
          firstRowInChunks += batch.rowCount;
        }
      }
    } finally {
      await reader.cancel().catch(() => undefined);
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

async function wrapParquet<T>(trap: PanicTrap, path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await trap.run(action);
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) throw error;
    throw malformed(path, reasonOf(error), error);
  }
}

/**
 * arrow-rs panics on some corrupt pages (a page that declares gigabytes). In WebAssembly a panic is
 * a RuntimeError thrown from a task that the library runs on the microtask queue (also between our
 * calls, reading ahead), so it reaches no promise of ours: it would end the process as an uncaught
 * exception, with the pending call never settling. While a Parquet file is open, such an error
 * fails the call in progress, and every later one; any other uncaught exception is thrown again.
 */
class PanicTrap {
  private panic: unknown;
  private failNow: ((error: unknown) => void) | undefined;
  private readonly onUncaught = (error: unknown): void => {
    if (!(error instanceof Error && error.name === 'RuntimeError')) {
      this.disarm();
      setImmediate(() => {
        throw error;
      });
      return;
    }
    this.panic ??= error;
    this.failNow?.(error);
  };

  constructor() {
    process.on('uncaughtException', this.onUncaught);
  }

  get panicked(): boolean {
    return this.panic !== undefined;
  }

  disarm(): void {
    process.off('uncaughtException', this.onUncaught);
  }

  /** The call's result, unless the decoder panics first (or has panicked). */
  run<T>(action: () => Promise<T>): Promise<T> {
    if (this.panic !== undefined) return Promise.reject(this.panic);
    return new Promise<T>((resolve, reject) => {
      this.failNow = reject;
      action().then(resolve, reject).finally(() => (this.failNow = undefined));
    });
  }
}

/** parquet-wasm throws Errors, plain strings, or (on a Rust panic) a WebAssembly RuntimeError. */
function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === 'RuntimeError') return `the decoder stopped on corrupt data (${error.message})`;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^(Parquet error|External error|Arrow error): /i, '').slice(0, 300);
}

function malformed(path: string, reason: string, cause?: unknown): InputError {
  return new InputError('PARQUET_MALFORMED', `Cannot read Parquet data from ${path}: ${reason}`, {
    context: { file: path },
    hint: 'check that the file is a complete Parquet file (a writer that was stopped leaves no footer), or pass --input-format',
    cause,
  });
}
