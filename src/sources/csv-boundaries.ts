// Where CSV records start, for cutting a file between shards: unlike csv-parallel.ts, a shard cannot
// learn from the ranges before its own where their last record ended, so it reads the file from the
// first data record up to its cuts, following only what decides record boundaries (quotes,
// delimiters, line breaks) with the scanner's rules (csv-scan.ts): a quoted line break is no
// boundary, and a quote the scanner would refuse is refused here too, since a misplaced quote would
// move every boundary after it.
import { CsvScanError } from './csv-scan.js';
import { countBreaks, readFully, type LineEnding } from './csv-range-worker.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;

/** Where the records of a file start: after the header, in its record delimiter. */
export interface RecordArea {
  readonly fd: number;
  /** The first data record (just after the header's line break). */
  readonly dataStart: number;
  /** Physical line (1-based) at dataStart. */
  readonly lineAtDataStart: number;
  readonly size: number;
  readonly lineEnding: LineEnding;
  /** The field delimiter byte. */
  readonly delimiter: number;
}

/** A record boundary: a byte offset where a record (or the end of the file) starts, and its physical line. */
export interface RecordBoundary {
  readonly byte: number;
  readonly line: number;
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted field: it closes the field, or the next byte is a quote too. */
  AfterQuote,
}

/**
 * For each target (ascending, within [dataStart, size]), the first record boundary at or after it:
 * dataStart itself, a position right after a record delimiter outside quotes, or the end of the file.
 * Throws CsvScanError where the scanner would (a quote inside an unquoted field, a closing quote
 * followed by anything but a delimiter or a line break).
 */
export function recordBoundaries(area: RecordArea, targets: readonly number[]): RecordBoundary[] {
  const { fd, dataStart, size, lineEnding, delimiter } = area;
  const found: RecordBoundary[] = [];
  let next = 0;
  const lineAt = (breaksBefore: number): number => area.lineAtDataStart + breaksBefore;
  // Targets at the start: dataStart is a boundary.
  while (next < targets.length && (targets[next] as number) <= dataStart) found.push({ byte: dataStart, line: lineAt(0) }), next++;
  const recordEnd = lineEnding === 'cr' ? CR : LF;
  const block = Buffer.allocUnsafe(1 << 20);
  let state = State.FieldStart;
  /** A CR in a CRLF file: a record delimiter if an LF follows. */
  let pendingCr = false;
  let breaks = 0;
  let before = LF; // the byte before dataStart ends the header's record delimiter
  for (let at = dataStart; at < size && next < targets.length; ) {
    const n = readFully(fd, block, 0, Math.min(block.length, size - at), at);
    if (n === 0) break;
    for (let i = 0; i < n && next < targets.length; i++) {
      const byte = block[i] as number;
      let boundary = false;
      if (pendingCr) {
        pendingCr = false;
        if (byte === LF) {
          boundary = true;
        } else {
          // The CR was field content: as any other byte in the state it came in.
          if (state === State.AfterQuote) throw failure('CSV_INVALID_CLOSING_QUOTE', i);
          if (state === State.FieldStart) state = State.Unquoted;
        }
      }
      if (!boundary) {
        if (state === State.Quoted) {
          if (byte === QUOTE) state = State.AfterQuote;
          continue;
        }
        if (byte === QUOTE) {
          if (state === State.FieldStart) state = State.Quoted;
          else if (state === State.AfterQuote) state = State.Quoted;
          else throw failure('INVALID_OPENING_QUOTE', i);
          continue;
        }
        if (byte === delimiter) {
          state = State.FieldStart;
          continue;
        }
        if (lineEnding === 'crlf' && byte === CR) {
          pendingCr = true;
          continue;
        }
        if (byte === recordEnd) {
          boundary = true;
        } else if (state === State.AfterQuote) {
          if (byte !== NUL) throw failure('CSV_INVALID_CLOSING_QUOTE', i);
          state = State.Unquoted;
          continue;
        } else {
          state = State.Unquoted;
          continue;
        }
      }
      // A record starts at at + i + 1.
      state = State.FieldStart;
      const position = at + i + 1;
      while (next < targets.length && (targets[next] as number) <= position) {
        found.push({ byte: position, line: lineAt(breaks + countBreaks(block, 0, i + 1, before)) });
        next++;
      }
    }
    breaks += countBreaks(block, 0, n, before);
    before = block[n - 1] as number;
    at += n;
  }
  // Past the last record boundary: the end of the file.
  while (next < targets.length) found.push({ byte: size, line: lineAt(breaks) }), next++;
  return found;

  /** The scanner's error for the byte at `i` of the block being read (its line counted as the scanner counts). */
  function failure(code: 'INVALID_OPENING_QUOTE' | 'CSV_INVALID_CLOSING_QUOTE', i: number): CsvScanError {
    const line = lineAt(breaks + countBreaks(block, 0, i, before));
    const what = code === 'INVALID_OPENING_QUOTE' ? 'a quote in the middle of an unquoted field' : 'a closing quote is followed by a character other than the delimiter or a line break';
    return new CsvScanError(code, line, `${what} at line ${line}`);
  }
}
