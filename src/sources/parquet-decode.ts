// Source, worker thread: decodes Parquet for parquet.ts. Flat number columns in plain or dictionary
// pages (most model features) are decoded here in JavaScript (parquet-pages.ts); every other column
// by parquet-wasm (arrow-rs compiled to WebAssembly), whose Arrow record batches' IPC bytes become
// columns (arrow-batches.ts), a round trip that costs several times more. The footer is read in
// JavaScript too where every column has a plain type (parquet-footer.ts), so that a file read only
// through its pages never loads parquet-wasm, whose WebAssembly takes ~0.5 s of CPU to compile.
// The columns' buffers move to the main thread without a copy. Running here, decoding overlaps with
// the model and the writer on the main thread, as CSV parsing does in its workers. The file is read
// by byte ranges, so only the footer and the row group being read are in memory.
import { open, type FileHandle } from 'node:fs/promises';
import type { Transferable } from 'node:worker_threads';
import type { ParquetFile, RecordBatch } from 'parquet-wasm';
import { concatColumns, type Column, type KeptColumn } from '../shared/chunk.js';
import { serveRequests } from '../shared/worker-pool.js';
import { decodeIpcBatches, fieldsOfIpcSchema, type ArrowField, type DecodedBatch } from './arrow-batches.js';
import { plainFields, planFooter, readFooter as readFileFooter, rowGroupSizes, type FileFooter, type FooterPlan } from './parquet-footer.js';
import { ColumnPages } from './parquet-pages.js';
import { ParquetFormatError } from './thrift-compact.js';

/**
 * What the main thread asks a decoder thread. `file` names one opening of `path` (the thread opens
 * it on first use); `slice` reads the next `rows` rows of a row group, so a thread goes through a
 * row group slice after slice, and `close` frees the file.
 */
export type DecodeRequest =
  | { readonly kind: 'footer'; readonly file: number; readonly path: string }
  | { readonly kind: 'slice'; readonly file: number; readonly path: string; readonly group: number; readonly rows: number; readonly columns: readonly string[] | undefined; readonly kept: readonly string[] }
  | { readonly kind: 'close'; readonly file: number };

/** The footer: the columns and their Arrow types, and each row group's rows and compressed bytes. */
export interface Footer {
  readonly kind: 'footer';
  readonly fields: readonly ArrowField[];
  readonly rowGroupRows: readonly number[];
  readonly rowGroupBytes: readonly number[];
}

/** Rows of one row group, in the order they come; `last` when the row group has no more. */
export interface Slice {
  readonly kind: 'slice';
  readonly rowCount: number;
  readonly columns: readonly (readonly [string, Column])[];
  /** Kept columns that `columns` reads in another form (widened integers, decimals, dates, timestamps), as they are in the file. */
  readonly passthrough: readonly (readonly [string, KeptColumn])[];
  /** Size of the decoded Arrow data (for progress). */
  readonly bytes: number;
  readonly last: boolean;
}

/** Why the data could not be decoded; `panicked` when the decoder stopped and this thread is no longer usable. */
export interface DecodeFailure {
  readonly kind: 'failed';
  readonly reason: string;
  readonly panicked: boolean;
}

export type DecodeReply = Footer | Slice | DecodeFailure | { readonly kind: 'closed' };

interface OpenFile {
  readonly handle: FileHandle;
  readonly size: number;
  /** parquet-wasm's opening of the file, made when a column or the footer needs it. */
  wasm: ParquetFile | undefined;
  readonly fields: readonly ArrowField[];
  /** The column chunks decoded in JavaScript, per row group. */
  readonly plan: FooterPlan;
  readonly rowGroupRows: readonly number[];
  readonly rowGroupBytes: readonly number[];
  /** Row groups being read. */
  readonly cursors: Map<number, Cursor>;
}

/** A row group being read: parquet-wasm's stream of the columns it decodes, the others' pages, and the rows taken so far. */
interface Cursor {
  readonly names: readonly string[];
  readonly reader: ReadableStreamDefaultReader<RecordBatch> | undefined;
  readonly pages: ReadonlyMap<string, ColumnPages>;
  rowsRead: number;
}

/**
 * arrow-rs panics on some corrupt pages (a page that declares gigabytes). In WebAssembly a panic is
 * a RuntimeError thrown from a task that the library runs on the microtask queue (also between our
 * calls, reading ahead), so it reaches no promise of ours: it would end the thread as an uncaught
 * exception, with the pending call never settling. Here such an error fails the call in progress,
 * and every later one (the instance is in an unknown state); any other uncaught exception is
 * thrown again, ending the thread as a bug.
 */
class PanicTrap {
  panic: unknown;
  private failNow: ((error: unknown) => void) | undefined;

  constructor() {
    process.on('uncaughtException', (error: unknown) => {
      if (!(error instanceof Error && error.name === 'RuntimeError')) {
        setImmediate(() => {
          throw error;
        });
        return;
      }
      this.panic ??= error;
      this.failNow?.(error);
    });
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

const trap = new PanicTrap();
const files = new Map<number, OpenFile>();

/**
 * A file as parquet-wasm reads it: the three members of a Blob it uses (size, slice, arrayBuffer),
 * over a file handle. Node's file-backed Blob (openAsBlob) reads a range in pieces and then joins
 * them, a second copy that took ~10% of the decoder's CPU time on the bench's rows; this reads each
 * range once, into the buffer it returns. (wasm-bindgen's casts to Blob are unchecked.)
 */
function fileRanges(handle: FileHandle, start: number, end: number): Blob {
  const range = {
    size: end - start,
    slice: (from = 0, to = end - start) => fileRanges(handle, start + Math.min(from, end - start), start + Math.min(to, end - start)),
    arrayBuffer: async () => (await readRange(handle, start, end)).buffer,
  };
  return range as unknown as Blob;
}

async function readRange(handle: FileHandle, start: number, end: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(end - start);
  for (let at = 0; at < bytes.length; ) {
    const { bytesRead } = await handle.read(bytes, at, bytes.length - at, start + at);
    if (bytesRead === 0) throw new RangeError(`the file ends at byte ${start + at}, before the ${end - start} bytes read at ${start} (was it changed while being read?)`);
    at += bytesRead;
  }
  return bytes;
}

/**
 * The footer as read in JavaScript. One that does not parse is refused, whoever would decode the
 * columns: a valid footer always parses, and parquet-wasm's own reading of a damaged one has given
 * numbers from the wrong bytes where DuckDB refuses the file.
 */
async function footerOf(handle: FileHandle, size: number): Promise<FileFooter> {
  const tail = await readRange(handle, size - 8, size);
  const footerStart = size - 8 - new DataView(tail.buffer).getUint32(0, true);
  try {
    return readFileFooter(await readRange(handle, footerStart, size - 8), footerStart);
  } catch (error) {
    throw new ParquetFormatError(`its footer is damaged (${(error as Error).message})`);
  }
}

let wasmModule: Promise<typeof import('parquet-wasm')> | undefined;

/** parquet-wasm's opening of a file (its module is loaded on first use). */
async function parquetOf(handle: FileHandle, size: number): Promise<ParquetFile> {
  const { ParquetFile } = await (wasmModule ??= import('parquet-wasm'));
  return ParquetFile.fromFile(fileRanges(handle, 0, size));
}

async function openFile(file: number, path: string): Promise<OpenFile> {
  const known = files.get(file);
  if (known !== undefined) return known;
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const footer = await footerOf(handle, size);
    const plain = plainFields(footer);
    let opened: OpenFile;
    if (plain !== undefined) {
      const { rows, bytes } = rowGroupSizes(footer);
      opened = { handle, size, wasm: undefined, fields: plain, plan: planFooter(footer, plain), rowGroupRows: rows, rowGroupBytes: bytes, cursors: new Map() };
    } else {
      const wasm = await parquetOf(handle, size);
      const fields = fieldsOfIpcSchema(wasm.schema().intoIPCStream());
      const groups = wasm.metadata().rowGroups();
      // A footer that contradicts itself (a chunk outside the data, types that differ) is refused.
      const plan = planFooter(footer, fields);
      opened = { handle, size, wasm, fields, plan, rowGroupRows: groups.map((group) => group.numRows()), rowGroupBytes: groups.map((group) => group.compressedSize()), cursors: new Map() };
    }
    files.set(file, opened);
    return opened;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readFooter(file: number, path: string): Promise<Footer> {
  const { fields, rowGroupRows, rowGroupBytes } = await openFile(file, path);
  return { kind: 'footer', fields, rowGroupRows, rowGroupBytes };
}

/** Starts reading a row group: its planned columns from their pages, the rest through parquet-wasm. */
async function openCursor(opened: OpenFile, request: Extract<DecodeRequest, { kind: 'slice' }>): Promise<Cursor> {
  const wanted = request.columns === undefined ? undefined : new Set(request.columns);
  const names = opened.fields.map((field) => field.name).filter((name) => wanted === undefined || wanted.has(name));
  const planned = opened.plan[request.group];
  const pages = new Map<string, ColumnPages>();
  for (const name of names) {
    const chunk = planned?.get(name);
    if (chunk !== undefined) pages.set(name, new ColumnPages(chunk, await readRange(opened.handle, chunk.start, chunk.start + chunk.length)));
  }
  const rest = names.filter((name) => !pages.has(name));
  let reader: ReadableStreamDefaultReader<RecordBatch> | undefined;
  if (rest.length > 0) {
    const options = { rowGroups: [request.group], batchSize: request.rows, ...(wanted === undefined && pages.size === 0 ? {} : { columns: rest }) };
    opened.wasm ??= await parquetOf(opened.handle, opened.size);
    reader = ((await opened.wasm.stream(options)) as ReadableStream<RecordBatch>).getReader();
  }
  return { names, reader, pages, rowsRead: 0 };
}

async function readSlice(request: Extract<DecodeRequest, { kind: 'slice' }>): Promise<Slice> {
  const opened = await openFile(request.file, request.path);
  const groupRows = opened.rowGroupRows[request.group] ?? 0;
  let cursor = opened.cursors.get(request.group);
  if (cursor === undefined) {
    cursor = await openCursor(opened, request);
    opened.cursors.set(request.group, cursor);
  }
  let batches: DecodedBatch[] = [];
  let rowCount = Math.min(request.rows, groupRows - cursor.rowsRead);
  let bytes = 0;
  let done = false;
  if (cursor.reader !== undefined) {
    const next = await cursor.reader.read();
    const ipc = next.done ? undefined : next.value.intoIPCStream();
    batches = ipc === undefined ? [] : decodeIpcBatches(ipc, new Set(request.kept));
    rowCount = batches.reduce((sum, batch) => sum + batch.rowCount, 0);
    bytes = ipc?.byteLength ?? 0;
    done = next.done === true;
  }
  const decoded = new Map<string, Column>();
  for (const [name, pages] of cursor.pages) {
    const column = pages.take(rowCount);
    decoded.set(name, column);
    bytes += (column.values as ArrayBufferView).byteLength;
  }
  cursor.rowsRead += rowCount;
  const last = done || cursor.rowsRead >= groupRows;
  if (last) {
    opened.cursors.delete(request.group);
    await cursor.reader?.cancel().catch(() => undefined);
  }
  const columns = rowCount === 0 && batches.length === 0 && done ? [] : cursor.names.map((name) => [name, decoded.get(name) ?? concatColumns(batches.map((batch) => batch.columns.get(name) as Column))] as const);
  // Only parquet-wasm's columns can be of the integer types kept as they are (int8, uint32, ...).
  const exact = batches[0] === undefined ? [] : [...batches[0].passthrough.keys()];
  const passthrough = exact.map((name) => [name, concatColumns(batches.map((batch) => batch.passthrough.get(name) as KeptColumn))] as const);
  return { kind: 'slice', rowCount, columns, passthrough, bytes, last };
}

async function closeFile(file: number): Promise<{ kind: 'closed' }> {
  const opened = files.get(file);
  files.delete(file);
  if (opened === undefined) return { kind: 'closed' };
  // After a panic the WebAssembly instance is in an unknown state: its objects are left alone.
  if (trap.panic === undefined) {
    for (const { reader } of opened.cursors.values()) await reader?.cancel().catch(() => undefined);
    opened.wasm?.free();
  }
  await opened.handle.close();
  return { kind: 'closed' };
}

/** The buffers under a slice's typed arrays, each once, to move rather than copy. */
function buffersOf(reply: DecodeReply): Transferable[] {
  if (reply.kind !== 'slice') return [];
  const buffers = new Set<ArrayBuffer>();
  for (const [, column] of [...reply.columns, ...reply.passthrough]) {
    if (column.type === 'string') continue;
    for (const array of [column.values, column.nulls]) if (array?.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  }
  return [...buffers];
}

function answer(request: DecodeRequest): Promise<DecodeReply> {
  switch (request.kind) {
    case 'footer':
      return readFooter(request.file, request.path);
    case 'slice':
      return readSlice(request);
    case 'close':
      return closeFile(request.file);
  }
}

/** parquet-wasm throws Errors, plain strings, or (on a Rust panic) a WebAssembly RuntimeError. */
function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === 'RuntimeError') return `the decoder stopped on corrupt data (${error.message})`;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^(Parquet error|External error|Arrow error): /i, '').slice(0, 300);
}

// One request at a time: the WebAssembly instance and the panic trap serve one call at a time.
let queue: Promise<unknown> = Promise.resolve();
serveRequests<DecodeRequest, DecodeReply>((request) => {
  const answered = queue.then(async () => {
    try {
      const reply = await trap.run(() => answer(request));
      return { value: reply, transfer: buffersOf(reply) };
    } catch (error) {
      const failure: DecodeFailure = { kind: 'failed', reason: reasonOf(error), panicked: trap.panic !== undefined };
      return { value: failure, transfer: [] };
    }
  });
  queue = answered;
  return answered;
});
