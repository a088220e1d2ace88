// Parses one byte range of a CSV file into columns: the work csv-parallel.ts hands to worker
// threads. Loaded as a worker (the message loop at the bottom), and imported by csv-parallel.ts
// for the ranges it re-parses itself.
import { isUtf8 } from 'node:buffer';
import { readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { buildColumns, cellText, fieldCountOf, type FieldKind, type ScannedText } from './csv-fields.js';
import { CsvScanError, CsvScanner, type CsvScanErrorCode, type ScannedRecords } from './csv-scan.js';
import { InternalError } from '../errors.js';

const LF = 0x0a;
const CR = 0x0d;

/** The file's record delimiter, as the scanner settled it on the header (or blank lines before it). */
export type LineEnding = 'lf' | 'cr' | 'crlf';

/** What every range of one read shares. Sent to each worker as its workerData. */
export interface ParseSetup {
  /** Marks workerData as ours. */
  readonly csvParallel: true;
  /** An open descriptor of the file: descriptors belong to the process, so workers read it with pread. */
  readonly fd: number;
  readonly size: number;
  /** The field delimiter byte. */
  readonly delimiter: number;
  readonly lineEnding: LineEnding;
  /** Per column: parse as numbers, decode as text, or skip. */
  readonly kinds: readonly FieldKind[];
  readonly keepRecords: boolean;
  /** How far past its stop a speculative range reads to finish its last record before it gives up. */
  readonly maxOverrun: number;
  /** The most bytes one record may hold (--max-record-size). */
  readonly maxRecordBytes: number;
  /** What a quote in the middle of an unquoted field is (see CsvScannerOptions). */
  readonly strayQuotes: 'fail' | 'mark';
}

/**
 * Parse the records that start in [start, stop). `start` must be a record boundary for the result
 * to mean anything; `speculative` says it is only assumed to be one (see csv-parallel.ts). `stop`
 * is right after a line break (or the end of the file).
 */
export interface RangeJob {
  readonly id: number;
  readonly start: number;
  readonly stop: number;
  readonly speculative: boolean;
}

/**
 * A column as sent back. Text is sent as one string with each row's [offsets[r], offsets[r + 1])
 * (empty for null: buildColumns makes '' null): copying one string is far cheaper than copying
 * thousands, and the main thread, the part that does not run in parallel, only slices it. Text
 * with few distinct values goes as codes (-1: null) into `texts`: the main thread then makes no
 * string per row at all, and every row of a value shares one string.
 */
export type WireColumn =
  /** `text`: the fields' text as well, for a kept column the model reads as numbers. */
  | { readonly type: 'float64'; readonly values: Float64Array; readonly nulls: Uint8Array; readonly text?: WireText }
  | WireText
  | { readonly type: 'skipped' };

export type WireText =
  | { readonly type: 'string'; readonly text: string; readonly offsets: Int32Array }
  | { readonly type: 'dictionary'; readonly codes: Int32Array; readonly texts: readonly (string | null)[] };

/** The first problem of a row, as csv-fast.ts finds them: a stray quote, a wrong field count, else the first non-number. */
export interface WireProblem {
  /** Row within the part. */
  readonly row: number;
  /** A quote in the middle of the unquoted field `column` (-1: a field past the header's). */
  readonly strayQuote?: true;
  /** Column index of the non-number; -1 for a wrong number of fields. */
  readonly column: number;
  readonly fields: number;
  /** The non-number's text ('' for a field count). */
  readonly value: string;
}

/** A run of consecutive records, column by column. */
export interface RangePart {
  readonly rowCount: number;
  /** Physical line of each record, counted from the job's start: 0 is the line `start` is on. */
  readonly lines: Uint32Array;
  readonly columns: WireColumn[];
  readonly problems: WireProblem[];
  readonly records?: string[];
}

/** Malformed CSV after the parts' records. */
export interface RangeScanError {
  readonly code: CsvScanErrorCode;
  /** Line of the offending quote, counted from the job's start like RangePart.lines. */
  readonly line: number;
}

export interface RangeResult {
  readonly id: number;
  readonly start: number;
  /**
   * Where parsing must go on: `stop` when the records ended at or before it (blank lines up to it
   * included), else just after the record that runs over it. Meaningless with `error`.
   */
  readonly end: number;
  /** Physical line breaks in [start, end). */
  readonly lineBreaks: number;
  /** A speculative range stopped reading a record that ran more than maxOverrun past its stop: `end` is where that record starts (blank lines before it aside). */
  readonly gaveUp: boolean;
  readonly invalidUtf8: boolean;
  readonly parts: RangePart[];
  readonly error?: RangeScanError;
}

/** Bytes that put a fresh scanner in the state it has right after a record delimiter (see parseRange). */
const PREFIX: Readonly<Record<LineEnding, Buffer>> = {
  lf: Buffer.from([LF]),
  crlf: Buffer.from([CR, LF]),
  // Two CRs: after a lone CR the scanner looks at the next byte to tell CR from CRLF, and a CR settles it.
  cr: Buffer.from([CR, CR]),
};
const CRLF = Buffer.from([CR, LF]);

export function delimiterLength(ending: LineEnding): number {
  return ending === 'crlf' ? 2 : 1;
}

/** Reads exactly `length` bytes at `position` into `buffer` at `offset` (fewer only at the end of the file). */
export function readFully(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * The first position p >= from that follows a record delimiter (bytes [p - length, p) are one), or
 * `size`. Only a candidate record boundary: the delimiter may sit inside a quoted field.
 */
export function boundaryAfter(fd: number, from: number, size: number, ending: LineEnding): number {
  if (from >= size) return size;
  const length = delimiterLength(ending);
  const block = Buffer.allocUnsafe(1 << 16);
  let at = Math.max(0, from - length);
  for (;;) {
    const n = readFully(fd, block, 0, Math.min(block.length, size - at), at);
    const bytes = block.subarray(0, n);
    const index = ending === 'crlf' ? bytes.indexOf(CRLF) : bytes.indexOf(ending === 'lf' ? LF : CR);
    if (index >= 0) return at + index + length;
    if (at + n >= size || n === 0) return size;
    at += n - (length - 1); // a CRLF split between blocks is found in the next one
  }
}

/** Physical line breaks in bytes [from, to): each CR, and each LF not right after a CR (as the scanner counts). */
export function countBreaks(bytes: Uint8Array, from: number, to: number, before: number): number {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  // indexOf is a native memchr: much faster than a loop over every byte.
  for (let i = buffer.indexOf(CR, from); i >= 0 && i < to; i = buffer.indexOf(CR, i + 1)) count++;
  for (let i = buffer.indexOf(LF, from); i >= 0 && i < to; i = buffer.indexOf(LF, i + 1)) {
    const previous = i === from ? before : (buffer[i - 1] as number);
    if (previous !== CR) count++;
  }
  return count;
}

/** Records per buildColumns call: its column arrays then stay in cache (a whole range at once is ~30% slower). */
const BATCH = 8192;
const decoder = new TextDecoder();

/**
 * Parses the records of a job, reading the file through `setup.fd`.
 *
 * The scanner is fresh for each read window; it gets PREFIX (one record delimiter, or two CRs)
 * before the window's bytes. That sets its record delimiter as the header set it for the whole
 * file, makes it skip no BOM, and gives the window's first byte the same byte before it as in the
 * file, so physical lines are counted alike (an LF right after a CR is no new line).
 *
 * A window is parsed as if the file ended where it ends. Windows end right after a record
 * delimiter, so the only record that pretended end can change is one still inside quotes there:
 * the scanner reports it as CSV_QUOTE_NOT_CLOSED, and then the window is read again, larger, from
 * the end of the last whole record. Every other result is what the whole file gives.
 *
 * No window holds more than twice the record size limit: a longer one is cut short, anywhere. The
 * record that the cut ends early is dropped (the next window starts with it), unless it is
 * already over the limit, which the scanner reports, as it would for the whole record.
 */
export function parseRange(setup: ParseSetup, job: RangeJob): RangeResult {
  const prefix = PREFIX[setup.lineEnding];
  const prefixBreaks = countBreaks(prefix, 0, prefix.length, -1);
  const separator = delimiterLength(setup.lineEnding);
  const parts: RangePart[] = [];
  const { stop } = job;
  const cap = 2 * setup.maxRecordBytes;
  let pos = job.start;
  /** Line breaks in [job.start, pos). */
  let breaksBefore = 0;
  let windowEnd = stop;
  /** Where a cut window may end at the least: past blank lines that fill a whole window. */
  let readAtLeast = 0;
  let invalidUtf8 = false;
  for (;;) {
    const readEnd = Math.min(windowEnd, Math.max(pos + cap, readAtLeast));
    const cut = readEnd < windowEnd;
    const buffer = Buffer.allocUnsafe(prefix.length + readEnd - pos);
    prefix.copy(buffer, 0);
    readFully(setup.fd, buffer, prefix.length, readEnd - pos, pos);
    /** File offset of buffer[0]. */
    const base = pos - prefix.length;
    const lineShift = breaksBefore - 1 - prefixBreaks;
    const breaksUpTo = (end: number): number => countBreaks(buffer, prefix.length, end - base, buffer[prefix.length - 1] as number);
    // Bytes up to a record's end hold whole UTF-8 sequences; a cut may split one after it.
    const checkUtf8 = (end: number): void => {
      if (!invalidUtf8 && !isUtf8(buffer.subarray(prefix.length, end - base))) invalidUtf8 = true;
    };
    const done = (end: number, extra: { gaveUp?: boolean; error?: RangeScanError } = {}): RangeResult => {
      checkUtf8(end);
      return {
        id: job.id,
        start: job.start,
        end,
        lineBreaks: breaksBefore + breaksUpTo(end),
        gaveUp: extra.gaveUp === true,
        invalidUtf8,
        parts,
        ...(extra.error === undefined ? {} : { error: extra.error }),
      };
    };
    /** Reads on from the end of the last whole record. */
    const moveTo = (lastEnd: number): void => {
      checkUtf8(lastEnd);
      breaksBefore += breaksUpTo(lastEnd);
      readAtLeast = lastEnd === pos ? readEnd + (1 << 16) : 0;
      pos = lastEnd;
    };

    const scanner = scannerFor(setup);
    scanner.push(buffer);
    scanner.end();
    /** Just after the last record taken from this window. */
    let lastEnd = pos;
    let cutRecord = false;
    try {
      for (let batch = scanner.next(BATCH); batch !== undefined; batch = scanner.next(BATCH)) {
        let taken = 0;
        let end = -1;
        while (taken < batch.count) {
          if (base + (batch.recordStart[taken] as number) >= stop) {
            // Blank lines reach over stop, and the next record starts after it: stop is a boundary.
            end = stop;
            break;
          }
          const textEnd = batch.recordEnd[taken] as number;
          if (textEnd >= buffer.length && readEnd < setup.size) {
            if (!cut) throw new InternalError(`csv-parallel: a record reached the end of a read window at ${windowEnd}`);
            cutRecord = true;
            break;
          }
          lastEnd = textEnd >= buffer.length ? setup.size : base + textEnd + separator;
          taken++;
          if (lastEnd >= stop) {
            end = lastEnd;
            break;
          }
        }
        if (taken > 0) parts.push(buildPart(batch, taken, lineShift, setup));
        if (end >= 0) return done(end);
        if (cutRecord) break;
      }
    } catch (error) {
      if (!(error instanceof CsvScanError)) throw error;
      if (error.code === 'CSV_QUOTE_NOT_CLOSED' && readEnd < setup.size) {
        // Maybe only this window's end cuts the field: read on. A speculative start inside a
        // quoted field can make the rest of the file look quoted, hence the limit.
        if (job.speculative && readEnd - stop >= setup.maxOverrun) return done(lastEnd, { gaveUp: true });
        if (!cut) windowEnd = boundaryAfter(setup.fd, windowEnd + Math.max(windowEnd - lastEnd, 1 << 16), setup.size, setup.lineEnding);
        moveTo(lastEnd);
        continue;
      }
      return done(lastEnd, { error: { code: error.code, line: error.line + lineShift } });
    }
    // The whole window was read: what follows the last record up to its end is blank lines.
    if (!cut) return done(windowEnd);
    if (job.speculative && readEnd - stop >= setup.maxOverrun) return done(lastEnd, { gaveUp: true });
    moveTo(lastEnd);
  }
}

let scanner: CsvScanner | undefined;

/** A scanner in its initial state, the same one each time (parseRange runs one at a time per thread). */
function scannerFor({ delimiter, maxRecordBytes, strayQuotes }: ParseSetup): CsvScanner {
  if (scanner === undefined || scanner.delimiter !== delimiter || scanner.maxRecordBytes !== maxRecordBytes || scanner.strayQuotes !== strayQuotes) scanner = new CsvScanner({ delimiter, maxRecordBytes, strayQuotes });
  else scanner.reset();
  return scanner;
}

/** The first `count` records of a batch as a part; lines are shifted by `lineShift`. */
function buildPart(batch: ScannedRecords, count: number, lineShift: number, setup: ParseSetup): RangePart {
  const view: ScannedRecords = count === batch.count ? batch : { ...batch, count };
  const { kinds } = setup;
  const width = kinds.length;
  const scanned = buildColumns(view, kinds);
  const lines = new Uint32Array(count);
  for (let r = 0; r < count; r++) lines[r] = (batch.lines[r] as number) + lineShift;

  // One problem per row, as csv-fast.ts's findProblems: the field count first, then the first
  // non-number by column order.
  const firstInvalid = new Map<number, number>();
  scanned.forEach((column, c) => {
    if (column?.type !== 'float64') return;
    for (const r of column.invalid) if (!firstInvalid.has(r)) firstInvalid.set(r, c);
  });
  const problems: WireProblem[] = [];
  for (let r = 0; r < count; r++) {
    const fields = fieldCountOf(batch, r);
    const stray = batch.strayQuoteField[r] as number;
    if (stray >= 0) {
      problems.push({ row: r, strayQuote: true, column: stray < width ? stray : -1, fields, value: cellText(batch, r, stray) });
      continue;
    }
    if (fields !== width) {
      problems.push({ row: r, column: -1, fields, value: '' });
      continue;
    }
    const column = firstInvalid.get(r);
    if (column !== undefined) problems.push({ row: r, column, fields, value: cellText(batch, r, column) });
  }

  const columns = scanned.map((column): WireColumn => {
    if (column === undefined) return { type: 'skipped' };
    if (column.type === 'string') return wireText(column, count);
    return { type: 'float64', values: column.values, nulls: column.nulls, ...(column.text === undefined ? {} : { text: wireText(column.text, count) }) };
  });
  const records = setup.keepRecords
    ? Array.from({ length: count }, (_, r) => decoder.decode(batch.bytes.subarray(batch.recordStart[r], batch.recordEnd[r])))
    : undefined;
  return { rowCount: count, lines, columns, problems, ...(records === undefined ? {} : { records }) };
}

function wireText(column: ScannedText, count: number): WireText {
  if (column.dictionary !== undefined) return { type: 'dictionary', codes: column.dictionary.codes, texts: column.dictionary.texts };
  const offsets = new Int32Array(count + 1);
  let offset = 0;
  for (let r = 0; r < count; r++) {
    offsets[r] = offset;
    offset += column.values[r]?.length ?? 0;
  }
  offsets[count] = offset;
  return { type: 'string', text: column.values.join(''), offsets };
}

/** The buffers a result can hand over rather than copy. */
export function transferList(result: RangeResult): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const part of result.parts) {
    buffers.push(part.lines.buffer as ArrayBuffer);
    for (const column of part.columns) {
      const text = column.type === 'float64' ? column.text : column;
      if (column.type === 'float64') buffers.push(column.values.buffer as ArrayBuffer, column.nulls.buffer as ArrayBuffer);
      if (text?.type === 'string') buffers.push(text.offsets.buffer as ArrayBuffer);
      else if (text?.type === 'dictionary') buffers.push(text.codes.buffer as ArrayBuffer);
    }
  }
  return buffers;
}

/** Messages from a worker. */
export type WorkerReply = { readonly ok: true; readonly result: RangeResult } | { readonly ok: false; readonly id: number; readonly message: string };

function isSetup(data: unknown): data is ParseSetup {
  return typeof data === 'object' && data !== null && (data as { csvParallel?: unknown }).csvParallel === true;
}

// The worker's message loop: one job at a time, in the order they come.
if (parentPort !== null && isSetup(workerData)) {
  const port = parentPort;
  const setup = workerData;
  port.on('message', (job: RangeJob) => {
    let reply: WorkerReply;
    try {
      const result = parseRange(setup, job);
      port.postMessage({ ok: true, result } satisfies WorkerReply, transferList(result));
      return;
    } catch (error) {
      reply = { ok: false, id: job.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    port.postMessage(reply);
  });
}
