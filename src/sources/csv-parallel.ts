// Source: one CSV file on disk parsed by worker threads, range by range; the same chunks, errors
// and rejects as csv-fast.ts (openCsvFast), which it falls back to for stdin.
//
// How a file is cut. After the header, the file is split into ranges of about `rangeBytes`. Each
// range starts at a candidate record boundary: the first position after `previous stop +
// rangeBytes` that follows a line break (the file's record delimiter). In a file without quotes
// every line break outside quotes ends a record, so a candidate is a boundary; but a line break
// may sit inside a quoted field, and nothing local tells which, so the candidate is speculative:
// a worker parses the range as if it started a record.
//
// The main thread then takes results in file order and checks each against the one before:
// every range parses on past its stop to the end of its last record and reports where it ended
// (`end`: its stop when its records ended there, otherwise after the record that runs over it).
// A range is used only if it started exactly where the accepted parse before it ended; that
// position is a true boundary (by induction from the first range, which starts right after the
// header). Otherwise the range is parsed again, on this thread, from the true boundary (or
// skipped when a record before covers it). A range with no quotes never mismatches: its line
// breaks all end records, so its last record ends at its stop; the check costs one comparison,
// so the quote-free case needs no separate path.
//
// Physical line numbers depend on bytes only (each CR, each LF not after a CR), not on quoting:
// each result counts the line breaks in [start, end), and this thread adds them up in order.
//
// Order and memory: at most 2 ranges per worker are in flight (started and not yet consumed);
// records are re-cut into chunks of exactly `chunkRows` as the single-threaded scanner cuts them,
// and errors are raised when the chunk (or, for malformed CSV, the place) they belong to is
// reached, so nothing from a later range comes out before an earlier range's rows.
import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { InputError, InternalError } from '../errors.js';
import type { ColumnChunk } from '../shared/chunk.js';
import { openCsvFast } from './csv-fast.js';
import {
  boundaryAfter,
  countBreaks,
  delimiterLength,
  parseRange,
  readFully,
  type LineEnding,
  type ParseSetup,
  type RangeResult,
  type RangeScanError,
} from './csv-range-worker.js';
import { Chunker } from './csv-chunker.js';
import { cellText, fieldCountOf } from './csv-fields.js';
import { WorkerPool } from './csv-worker-pool.js';
import { CsvScanError, CsvScanner, DEFAULT_MAX_RECORD_BYTES } from './csv-scan.js';
import { emptyCsv, malformedCsv } from './csv-errors.js';
import { fieldKinds, headerNames, Utf8Check, utf8Warnings } from './csv-text.js';
import type { ChunkOptions, InputRange, OpenedSource, SourceRequest } from './source.js';
import { recordBoundaries, type RecordArea } from './csv-boundaries.js';

export interface ParallelCsvRequest extends SourceRequest {
  /** Worker threads that parse (at least 1). */
  readonly workers: number;
  /** Bytes per range handed to a worker (default 4 MiB); small values are for tests. */
  readonly rangeBytes?: number;
}

// 1 MiB parses as fast as 4 MiB (W1, 1M rows, 2 workers: 2.72 s both) with 75 MB less memory.
const DEFAULT_RANGE_BYTES = 1 << 20;

/** Opens a CSV file for parsing by `workers` threads and reads its header row. Stdin goes to openCsvFast. */
export async function openCsvParallel(request: ParallelCsvRequest): Promise<OpenedSource> {
  const { path } = request;
  if (path === '-') return openCsvFast(request);
  if (!Number.isInteger(request.workers) || request.workers < 1) throw new InternalError(`openCsvParallel: workers must be a positive integer, got ${request.workers}`);
  const rangeBytes = request.rangeBytes ?? DEFAULT_RANGE_BYTES;
  if (!Number.isInteger(rangeBytes) || rangeBytes < 1) throw new InternalError(`openCsvParallel: rangeBytes must be a positive integer, got ${rangeBytes}`);
  const file = new OpenFile(openSync(path, 'r'));
  try {
    const { range } = request;
    if (range !== undefined && range.unit !== 'bytes') throw new InternalError(`openCsvParallel: a CSV file is cut into byte ranges, not ${range.unit}`);
    const fileSize = fstatSync(file.fd).size;
    const maxRecordBytes = request.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    const whole = readHeader(file.fd, fileSize, path, request.delimiter.charCodeAt(0), maxRecordBytes);
    // A range (one shard's share) starts and ends at record boundaries: it is read as if the file held only its records.
    const header = range === undefined ? whole : { ...whole, dataStart: range.start, lineAtDataStart: range.line };
    const size = range === undefined ? fileSize : range.end;
    const utf8 = new Utf8Check();
    utf8.invalid = header.invalidUtf8;
    let bytesRead = range === undefined ? header.dataStart : 0;
    const read: Read = { path, file, size, header, utf8, rangeBytes, workers: request.workers, delimiter: request.delimiter.charCodeAt(0), maxRecordBytes, skipMalformed: request.skipMalformed === true, keepRecords: request.keepRecords === true, countBytes: (n) => (bytesRead += n) };
    return {
      path,
      format: 'csv',
      columnNames: header.columnNames,
      bytesRead: () => bytesRead,
      warnings: () => utf8Warnings(path, utf8),
      chunks: (options) => readChunks(read, options),
      close: async () => {
        await read.pool?.terminate();
        file.close();
      },
    };
  } catch (error) {
    file.close();
    throw error;
  }
}

/** Where a CSV file's records lie (after its header), to cut it into byte ranges; undefined when it has none. */
export function readCsvArea(path: string, delimiter: string): Omit<RecordArea, 'fd'> | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const header = readHeader(fd, size, path, delimiter.charCodeAt(0));
    if (header.lineEnding === undefined || header.dataStart >= size) return undefined;
    return { dataStart: header.dataStart, lineAtDataStart: header.lineAtDataStart, size, lineEnding: header.lineEnding, delimiter: delimiter.charCodeAt(0) };
  } finally {
    closeSync(fd);
  }
}

/** A byte range of a CSV file with both ends moved forward to the next record boundary (see csv-boundaries.ts). */
export function alignCsvRange(path: string, delimiter: string, range: { readonly start: number; readonly end: number }): Extract<InputRange, { unit: 'bytes' }> {
  const area = readCsvArea(path, delimiter);
  if (area === undefined) return { unit: 'bytes', start: range.start, end: range.start, line: 1 };
  const fd = openSync(path, 'r');
  try {
    const [start, end] = recordBoundaries({ ...area, fd }, [range.start, range.end]);
    if (start === undefined || end === undefined) throw new InternalError('alignCsvRange: a boundary is missing');
    return { unit: 'bytes', start: start.byte, end: end.byte, line: start.line };
  } catch (error) {
    throw error instanceof CsvScanError ? malformedCsv(path, error.line, error, DEFAULT_MAX_RECORD_BYTES, error) : error;
  } finally {
    closeSync(fd);
  }
}

/** A descriptor closed once. */
class OpenFile {
  private open = true;
  constructor(readonly fd: number) {}
  close(): void {
    if (!this.open) return;
    this.open = false;
    closeSync(this.fd);
  }
}

interface Header {
  readonly columnNames: string[];
  /** Just after the header's line break: where the first range starts. */
  readonly dataStart: number;
  /** Physical line at dataStart. */
  readonly lineAtDataStart: number;
  /** Undefined when the file holds no line break outside quotes (then there are no data rows). */
  readonly lineEnding: LineEnding | undefined;
  readonly invalidUtf8: boolean;
}

/** Reads the header record with the scanner from the file's first bytes, more of them if it needs (up to the record size limit). */
function readHeader(fd: number, size: number, path: string, delimiter: number, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES): Header {
  for (let want = 1 << 16; ; want *= 2) {
    const length = Math.min(want, size);
    const bytes = Buffer.allocUnsafe(length);
    readFully(fd, bytes, 0, length, 0);
    // As checkEncoding in csv-text.ts.
    if (length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
      throw new InputError('INPUT_UNREADABLE', `CSV input ${path} is UTF-16 encoded; only UTF-8 is read`, {
        context: { file: path },
        hint: 'convert it first, e.g. `iconv -f UTF-16 -t UTF-8 in.csv > out.csv`',
      });
    }
    const scanner = new CsvScanner({ delimiter, maxRecordBytes });
    scanner.push(bytes);
    if (length === size) scanner.end();
    let batch;
    try {
      batch = scanner.next(1);
    } catch (error) {
      throw error instanceof CsvScanError ? malformedCsv(path, error.line, error, maxRecordBytes, error) : error;
    }
    if (batch === undefined) {
      if (length === size) throw emptyCsv(path);
      continue;
    }
    const columnNames = headerNames(
      Array.from({ length: fieldCountOf(batch, 0) }, (_, c) => cellText(batch, 0, c)),
      path,
    );
    // The scanner settles the record delimiter at the first line break outside quotes: in blank
    // lines before the header, or at the header's end. One push, so its offsets are file offsets.
    const headerEnd = batch.recordEnd[0] as number;
    const bom = length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const first = bytes[bom] === 0x0a || bytes[bom] === 0x0d ? bom : headerEnd;
    let lineEnding: LineEnding | undefined;
    if (first < length) lineEnding = bytes[first] === 0x0a ? 'lf' : first + 1 < length && bytes[first + 1] === 0x0a ? 'crlf' : 'cr';
    const dataStart = lineEnding === undefined || headerEnd >= length ? size : headerEnd + delimiterLength(lineEnding);
    return {
      columnNames,
      dataStart,
      lineAtDataStart: 1 + countBreaks(bytes, 0, Math.min(dataStart, length), -1),
      lineEnding,
      invalidUtf8: !isUtf8(bytes.subarray(0, Math.min(dataStart, length))),
    };
  }
}

/** A worker's scan error, with its line made absolute, as the scanner would have thrown it. */
function scanError(path: string, error: RangeScanError, lineAtStart: number, maxRecordBytes: number): InputError {
  return malformedCsv(path, lineAtStart + error.line, error, maxRecordBytes);
}

interface Read {
  readonly path: string;
  readonly file: OpenFile;
  readonly size: number;
  readonly header: Header;
  readonly utf8: Utf8Check;
  readonly rangeBytes: number;
  readonly workers: number;
  readonly delimiter: number;
  readonly maxRecordBytes: number;
  readonly skipMalformed: boolean;
  readonly keepRecords: boolean;
  readonly countBytes: (n: number) => void;
  pool?: WorkerPool;
}

interface Range {
  readonly start: number;
  readonly stop: number;
  readonly result: Promise<RangeResult>;
}

async function* readChunks(read: Read, options: ChunkOptions): AsyncGenerator<ColumnChunk> {
  const { header, size, path } = read;
  const lineEnding = header.lineEnding;
  if (lineEnding === undefined || header.dataStart >= size) {
    read.file.close();
    return;
  }
  const setup: ParseSetup = {
    csvParallel: true,
    fd: read.file.fd,
    size,
    delimiter: read.delimiter,
    lineEnding,
    kinds: fieldKinds(header.columnNames, options),
    keepRecords: read.keepRecords,
    maxOverrun: Math.max(4 * read.rangeBytes, 1 << 20),
    maxRecordBytes: read.maxRecordBytes,
    strayQuotes: read.skipMalformed ? 'mark' : 'fail',
  };
  const pool = new WorkerPool(read.workers, setup);
  read.pool = pool;
  const chunker = new Chunker(header.columnNames, options, path, read.utf8);
  try {
    const maxInFlight = 2 * read.workers;
    const inFlight: Range[] = [];
    let nextStart = header.dataStart;
    let id = 0;
    const dispatch = (): void => {
      while (inFlight.length < maxInFlight && nextStart < size) {
        const start = nextStart;
        const stop = boundaryAfter(setup.fd, start + read.rangeBytes, size, lineEnding);
        const result = pool.run({ id: id++, start, stop, speculative: start !== header.dataStart });
        result.catch(() => {}); // awaited in order below; unawaited if the read stops early
        inFlight.push({ start, stop, result });
        nextStart = stop;
      }
    };
    /** The true record boundary parsing has reached, and its physical line. */
    let expected = header.dataStart;
    let expectedLine = header.lineAtDataStart;
    const reparse = (stop: number): RangeResult => parseRange(setup, { id: -1, start: expected, stop, speculative: false });

    dispatch();
    for (let range = inFlight.shift(); range !== undefined; range = inFlight.shift()) {
      dispatch();
      const speculated = await range.result;
      // Use the worker's parse only if it started where the parse before it ended (see the top).
      let result: RangeResult | undefined = speculated.start === expected ? speculated : expected < range.stop ? reparse(range.stop) : undefined;
      let failure: unknown;
      while (result !== undefined) {
        chunker.add(result.parts, expectedLine);
        if (result.invalidUtf8) read.utf8.invalid = true;
        if (result.error !== undefined) {
          failure = scanError(path, result.error, expectedLine, read.maxRecordBytes);
          break;
        }
        read.countBytes(result.end - expected);
        expected = result.end;
        expectedLine += result.lineBreaks;
        // A speculative range that gave up on a long record was right to start where it did: go on from where it stopped.
        result = result.gaveUp ? reparse(range.stop) : undefined;
      }
      for (let chunk = chunker.next(false); chunk !== undefined; chunk = chunker.next(false)) yield chunk;
      if (failure !== undefined) {
        // As the scanner: the records before a malformed one make a short chunk, then the error.
        const last = chunker.next(true);
        if (last !== undefined) yield last;
        throw failure;
      }
    }
    const last = chunker.next(true);
    if (last !== undefined) yield last;
  } finally {
    await pool.terminate();
    read.file.close();
  }
}
