// A streaming CSV tokenizer over bytes: records as field boundaries, and plain decimals read on
// the way (csv-fields.ts turns fields into values and columns). It reads the same records as
// csv-parse with the options src/sources/csv.ts uses (bom, relax_column_count, skip_empty_lines),
// including its quirks, so the two can be swapped without changing what a file means.
import { POWERS_OF_TEN } from '../shared/float-text.js';
import { InternalError } from '../errors.js';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const NUL = 0x00;

/** Field flags in `ScannedRecords.fieldFlags`. */
export const FIELD_QUOTED = 1;
/** The field's bytes hold `""` pairs (or, after csv-parse's NUL quirk, a closing quote) to undo. */
export const FIELD_ESCAPED = 2;

/** Record delimiter, as csv-parse discovers it: from the first line break seen outside quotes. */
const enum RecordDelimiter {
  Unknown = 0,
  Lf = 1,
  Cr = 2,
  CrLf = 3,
}

/** Results of the internal parse steps; non-negative values are byte positions. */
const NEED_MORE = -1;
const FAILED = -2;
/** What ended a field. */
const enum FieldEnd {
  Delimiter,
  Record,
}

/** csv-parse's error codes, so callers can treat both parsers' errors alike. */
export type CsvScanErrorCode = 'CSV_QUOTE_NOT_CLOSED' | 'CSV_INVALID_CLOSING_QUOTE' | 'INVALID_OPENING_QUOTE' | 'CSV_RECORD_TOO_LARGE';

/** The default of --max-record-size: room for a 10 MB quoted field and more, and a bound on what one record may hold in memory. */
export const DEFAULT_MAX_RECORD_BYTES = 64 << 20;

/**
 * Malformed input. `line` is the physical line (1-based) of the offending quote; for a record over
 * the size limit (CSV_RECORD_TOO_LARGE), the line the record starts on.
 */
export class CsvScanError extends Error {
  constructor(
    readonly code: CsvScanErrorCode,
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvScanError';
  }
}

/**
 * Records as field boundaries into `bytes`. Valid until the scanner's next `push` or `next` call,
 * which may reuse or move the buffer: copy out what must outlive that.
 */
export interface ScannedRecords {
  readonly bytes: Uint8Array;
  /** Number of records. */
  readonly count: number;
  /** Fields of record r are [recordFields[r], recordFields[r + 1]). Length >= count + 1. */
  readonly recordFields: Int32Array;
  /** Physical line (1-based) where each record starts. */
  readonly lines: Uint32Array;
  /**
   * Per record, the field (counted from 0 within the record) where a quote first stood in the
   * middle of an unquoted field, or -1. Only with `strayQuotes: 'mark'`: otherwise that is an error.
   */
  readonly strayQuoteField: Int32Array;
  /** Byte range of each record's text, without its line break (for keeping the original row). */
  readonly recordStart: Int32Array;
  readonly recordEnd: Int32Array;
  /** Byte range of each field's content: without the surrounding quotes of a quoted field. */
  readonly fieldStart: Int32Array;
  readonly fieldEnd: Int32Array;
  /** FIELD_QUOTED | FIELD_ESCAPED bits. */
  readonly fieldFlags: Uint8Array;
  /**
   * The field's number when the scanner read it on its way as a plain decimal (digits, one point,
   * a sign; at most 15 digits): exactly what parseNumber gives. NaN when it did not (any other
   * field, which the exact paths read).
   */
  readonly fieldNumber: Float64Array;
}

export interface CsvScannerOptions {
  /** The field delimiter, one ASCII byte other than '"', CR or LF (e.g. 0x2c for ','). */
  readonly delimiter: number;
  /**
   * The most bytes one record's text may hold (default DEFAULT_MAX_RECORD_BYTES): a longer one is a
   * CSV_RECORD_TOO_LARGE error once that many bytes of it are buffered, so a quote never closed
   * costs that much memory, not the rest of the file.
   */
  readonly maxRecordBytes?: number;
  /**
   * A quote in the middle of an unquoted field (`5'11" tall`): an INVALID_OPENING_QUOTE error
   * (fail, the default), or read as text to the record's end and marked in `strayQuoteField`
   * (mark), for a reader that rejects that row and goes on, as csv-parse's relax_quotes reads it.
   */
  readonly strayQuotes?: 'fail' | 'mark';
}

/**
 * Splits CSV bytes into records. Feed it chunks of any size (a record, or a UTF-8 character, may
 * span chunks) and take records in batches:
 *
 *     for await (const chunk of stream) {
 *       scanner.push(chunk);
 *       for (let batch; (batch = scanner.next(4096)) !== undefined; ) use(batch);
 *     }
 *     scanner.end();
 *     for (let batch; (batch = scanner.next(4096)) !== undefined; ) use(batch);
 *
 * Before `end()`, `next` returns undefined when it needs more input; after it, when all is read.
 * A malformed record throws a CsvScanError, but only after the records before it were returned.
 */
export class CsvScanner {
  readonly delimiter: number;
  readonly maxRecordBytes: number;
  readonly strayQuotes: 'fail' | 'mark';
  /** Non-zero for the bytes that end a run of plain field bytes outside quotes. */
  private readonly stops = new Uint8Array(256);

  private buf = new Uint8Array(1 << 16);
  /** Valid bytes are [0, len); records are parsed from pos. */
  private len = 0;
  private pos = 0;
  /** Physical line at pos. */
  private line = 1;
  private ended = false;
  private bomChecked = false;
  private recordDelimiter = RecordDelimiter.Unknown;
  /** After a record was found incomplete, parse again only once this many bytes follow pos. */
  private retryBytes = 0;
  private pendingError: CsvScanError | undefined;
  /** True once the current batch was handed out: the next call starts a new one. */
  private delivered = false;

  // The batch being filled. Field arrays are written ahead of `fieldCount` while a record is
  // tentative, and only counted once the record is complete.
  private count = 0;
  private fieldCount = 0;
  private recordFields = new Int32Array(1025);
  private lines = new Uint32Array(1024);
  private strayQuoteField = new Int32Array(1024);
  private recordStart = new Int32Array(1024);
  private recordEnd = new Int32Array(1024);
  private fieldStart = new Int32Array(8192);
  private fieldEnd = new Int32Array(8192);
  private fieldFlags = new Uint8Array(8192);
  private fieldNumber = new Float64Array(8192);

  // Scratch state of the record being parsed.
  private breaks = 0;
  private fieldEndKind = FieldEnd.Record;
  /** The first field of the record being parsed with a stray quote (strayQuotes: 'mark'), or -1. */
  private strayField = -1;
  /** Where the text of the record being parsed ends, before its line break. */
  private textEnd = 0;
  /** Set by plainFields. */
  private plainFieldsEnd = 0;
  private error: CsvScanError | undefined;

  constructor(options: CsvScannerOptions) {
    const { delimiter } = options;
    if (!Number.isInteger(delimiter) || delimiter < 0 || delimiter > 0x7f || delimiter === QUOTE || delimiter === CR || delimiter === LF) {
      throw new InternalError(`CsvScanner: the delimiter must be one ASCII byte other than '"', CR and LF, got ${delimiter}`);
    }
    this.delimiter = delimiter;
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.strayQuotes = options.strayQuotes ?? 'fail';
    if (!Number.isInteger(this.maxRecordBytes) || this.maxRecordBytes < 1) throw new InternalError(`CsvScanner: maxRecordBytes must be a positive integer, got ${this.maxRecordBytes}`);
    this.stops[delimiter] = 1;
    this.stops[QUOTE] = 1;
    this.stops[CR] = 1;
    this.stops[LF] = 1;
  }

  /**
   * Starts over on a new input, keeping the buffers grown so far: a scanner per parse range would
   * grow its buffers from scratch each time (measured: 7% of a parse worker's time).
   */
  reset(): void {
    this.len = 0;
    this.pos = 0;
    this.line = 1;
    this.ended = false;
    this.bomChecked = false;
    this.recordDelimiter = RecordDelimiter.Unknown;
    this.retryBytes = 0;
    this.pendingError = undefined;
    this.delivered = false;
    this.error = undefined;
    this.startBatch();
  }

  /** Appends input. The bytes are copied: the caller may reuse `bytes`. */
  push(bytes: Uint8Array): void {
    if (this.ended) throw new InternalError('CsvScanner: push() after end()');
    if (this.delivered) this.startBatch();
    if (this.len + bytes.length > this.buf.length) this.makeRoom(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Marks the end of input: the last record may lack a line break, and an open quote is an error. */
  end(): void {
    this.ended = true;
  }

  /**
   * Up to `max` records: exactly `max` unless the input ended or a malformed record follows.
   * Undefined when more input is needed (before `end()`) or everything was read (after it).
   */
  next(max: number): ScannedRecords | undefined {
    if (!Number.isInteger(max) || max < 1) throw new InternalError(`CsvScanner: next() takes a positive number of records, got ${max}`);
    if (this.delivered) this.startBatch();
    if (this.pendingError !== undefined) throw this.pendingError;
    if (!this.ended && this.len - this.pos < this.retryBytes) return undefined;
    this.retryBytes = 0;
    while (this.count < max) {
      let status = this.parseRecord();
      // An unfinished record holds every byte from pos (a last CR may be its line break).
      if (status === NEED_MORE && this.len - this.pos > this.maxRecordBytes + 1) status = this.tooLarge();
      if (status === NEED_MORE) {
        // Doubling the wait makes a record that spans many chunks cost linear time, not quadratic;
        // the cap looks again as soon as the record may have passed the size limit.
        this.retryBytes = Math.min(2 * (this.len - this.pos), this.maxRecordBytes + 2);
        return undefined;
      }
      if (status === FAILED) {
        this.pendingError = this.error;
        break;
      }
      if (status === 0) break; // end of input
    }
    if (this.count === 0) {
      if (this.pendingError !== undefined) throw this.pendingError;
      return undefined;
    }
    return this.deliver();
  }

  private deliver(): ScannedRecords {
    this.delivered = true;
    return {
      bytes: this.buf,
      count: this.count,
      recordFields: this.recordFields,
      lines: this.lines,
      strayQuoteField: this.strayQuoteField,
      recordStart: this.recordStart,
      recordEnd: this.recordEnd,
      fieldStart: this.fieldStart,
      fieldEnd: this.fieldEnd,
      fieldFlags: this.fieldFlags,
      fieldNumber: this.fieldNumber,
    };
  }

  private startBatch(): void {
    this.delivered = false;
    this.count = 0;
    this.fieldCount = 0;
  }

  /**
   * Makes room for `extra` more bytes: drops bytes before the current batch (keeping one, so a
   * line feed can see whether a carriage return preceded it), moving or growing the buffer.
   */
  private makeRoom(extra: number): void {
    const firstNeeded = this.count > 0 ? (this.recordStart[0] as number) : this.pos;
    const drop = Math.max(0, firstNeeded - 1);
    const kept = this.len - drop;
    let target = this.buf;
    if (kept + extra > this.buf.length) {
      target = new Uint8Array(Math.max(2 * this.buf.length, 2 * (kept + extra)));
      target.set(this.buf.subarray(drop, this.len));
    } else {
      target.copyWithin(0, drop, this.len);
    }
    this.buf = target;
    this.len = kept;
    this.pos -= drop;
    this.shiftBatch(drop);
  }

  /** Moves the offsets of the records held in the current batch back by `by` bytes. */
  private shiftBatch(by: number): void {
    if (by === 0) return;
    for (let r = 0; r < this.count; r++) {
      this.recordStart[r] = (this.recordStart[r] as number) - by;
      this.recordEnd[r] = (this.recordEnd[r] as number) - by;
    }
    for (let f = 0; f < this.fieldCount; f++) {
      this.fieldStart[f] = (this.fieldStart[f] as number) - by;
      this.fieldEnd[f] = (this.fieldEnd[f] as number) - by;
    }
  }

  /**
   * Parses one record at pos and commits it to the batch. Returns 1 for a record, 0 at the end of
   * input, NEED_MORE when the bytes so far do not decide it (nothing is committed then, but blank
   * lines before it are), FAILED for a malformed record (this.error says why).
   */
  private parseRecord(): number {
    if (!this.bomChecked && !this.checkBom()) return NEED_MORE;
    const start = this.skipBlankLines();
    if (start < 0) return start;
    if (start >= this.len) return 0;
    this.breaks = 0;
    this.strayField = -1;
    let field = this.fieldCount;
    let i = start;
    for (;;) {
      i = this.plainFields(i, field);
      field = this.plainFieldsEnd;
      if (field >= this.fieldStart.length) this.growFields();
      i = i < this.len && this.buf[i] === QUOTE ? this.quotedField(i, field) : this.unquotedField(i, i, field, 0);
      if (i < 0) return i;
      field++;
      if (this.fieldEndKind === FieldEnd.Record) break;
    }
    if (this.textEnd - start > this.maxRecordBytes) return this.tooLarge();
    this.commitRecord(start, field, i);
    return 1;
  }

  /**
   * The hot loop: writes the unquoted fields from `i` that a delimiter ends, and returns where
   * the first other field starts (quoted, last of its record, or holding a CR or LF), for the
   * general code. `plainFieldsEnd` says how many fields were written.
   */
  private plainFields(from: number, firstField: number): number {
    const b = this.buf;
    const n = this.len;
    const stops = this.stops;
    const delimiter = this.delimiter;
    const starts = this.fieldStart;
    const ends = this.fieldEnd;
    const flags = this.fieldFlags;
    const numbers = this.fieldNumber;
    const capacity = starts.length;
    let field = firstField;
    let i = from;
    while (field < capacity && i < n && b[i] !== QUOTE) {
      const start = i;
      // Reads a plain decimal on the way, so numeric fields need no second pass over their bytes.
      const negative = b[i] === 0x2d;
      if (negative || b[i] === 0x2b) i++;
      i = readDigits(b, i, n);
      let value = Number.NaN;
      if (i < n && stops[b[i] as number] !== 0) {
        // Up to 15 digits the integer is exact, and so is 10^k up to 22: one division rounds once, as Number() does.
        if (digitCount > 0 && digitCount <= 15) {
          const fraction = digitsBeforePoint < 0 ? 0 : digitCount - digitsBeforePoint;
          const magnitude = fraction === 0 ? digitsValue : digitsValue / (POWERS_OF_TEN[fraction] as number);
          value = negative ? -magnitude : magnitude;
        }
      } else {
        while (i < n && stops[b[i] as number] === 0) i++;
      }
      if (i >= n || b[i] !== delimiter) {
        i = start;
        break;
      }
      starts[field] = start;
      ends[field] = i;
      flags[field] = 0;
      numbers[field] = value;
      field++;
      i++;
    }
    this.plainFieldsEnd = field;
    return i;
  }

  /** Skips the UTF-8 byte order mark at the very start (csv-parse looks once it has 3 bytes). */
  private checkBom(): boolean {
    if (this.len < 3 && !this.ended) return false;
    const b = this.buf;
    if (this.len >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.pos = 3;
    this.bomChecked = true;
    return true;
  }

  /** Consumes line breaks at pos that make empty lines; returns the record's first byte or NEED_MORE. */
  private skipBlankLines(): number {
    const b = this.buf;
    let i = this.pos;
    while (i < this.len && (b[i] === LF || b[i] === CR)) {
      const length = this.recordDelimiterAt(i);
      if (length < 0) return NEED_MORE;
      if (length === 0) break; // a line break that is field content under this file's delimiter
      this.line += this.lineBreaksIn(i, i + length);
      i += length;
      this.pos = i;
    }
    return i;
  }

  /**
   * An unquoted field starting at `start`, scanned on from `from`: they differ only for the rest of
   * a quoted field after csv-parse's NUL quirk. Writes the field and returns where the next starts.
   */
  private unquotedField(start: number, from: number, field: number, flags: number): number {
    const b = this.buf;
    const n = this.len;
    const stops = this.stops;
    let i = from;
    for (;;) {
      while (i < n && stops[b[i] as number] === 0) i++;
      if (i >= n) {
        if (!this.ended) return NEED_MORE;
        return this.endRecord(field, start, i, flags, i, i);
      }
      const byte = b[i] as number;
      if (byte === this.delimiter) return this.endField(field, start, i, flags, i + 1);
      if (byte === QUOTE) {
        if (this.strayQuotes === 'fail') return this.fail('INVALID_OPENING_QUOTE', 'a quote in the middle of an unquoted field');
        if (this.strayField < 0) this.strayField = field - this.fieldCount;
        i++;
        continue;
      }
      const length = this.recordDelimiterAt(i);
      if (length < 0) return NEED_MORE;
      if (length > 0) {
        this.breaks += this.lineBreaksIn(i, i + length);
        return this.endRecord(field, start, i, flags, i, i + length);
      }
      // A CR or LF that is not this file's record delimiter is field content, but still a line.
      this.breaks += this.lineBreaksIn(i, i + 1);
      i++;
    }
  }

  /** A quoted field whose opening quote is at `open`. Returns the position after its delimiter. */
  private quotedField(open: number, field: number): number {
    const b = this.buf;
    const n = this.len;
    const openLine = this.line + this.breaks;
    let flags = FIELD_QUOTED;
    let i = open + 1;
    for (;;) {
      while (i < n && b[i] !== QUOTE && b[i] !== LF && b[i] !== CR) i++;
      if (i >= n) {
        if (!this.ended) return NEED_MORE;
        if (n - this.pos > this.maxRecordBytes) return this.tooLarge();
        this.error = new CsvScanError('CSV_QUOTE_NOT_CLOSED', openLine, `a quoted field opened at line ${openLine} is not closed before the end of the input`);
        return FAILED;
      }
      if (b[i] !== QUOTE) {
        this.breaks += this.lineBreaksIn(i, i + 1);
        i++;
        continue;
      }
      if (i + 1 >= n && !this.ended) return NEED_MORE;
      const after = i + 1 < n ? (b[i + 1] as number) : -1;
      if (after === QUOTE) {
        flags |= FIELD_ESCAPED;
        i += 2;
        continue;
      }
      return this.afterClosingQuote(open + 1, i, field, flags);
    }
  }

  /** What may follow a closing quote at `quote`: a delimiter, a record delimiter or the end of input. */
  private afterClosingQuote(start: number, quote: number, field: number, flags: number): number {
    const n = this.len;
    if (quote + 1 >= n) return this.endRecord(field, start, quote, flags, n, n);
    const after = this.buf[quote + 1] as number;
    if (after === this.delimiter) return this.endField(field, start, quote, flags, quote + 2);
    if (after === LF || after === CR) {
      const length = this.recordDelimiterAt(quote + 1);
      if (length < 0) return NEED_MORE;
      if (length > 0) {
        this.breaks += this.lineBreaksIn(quote + 1, quote + 1 + length);
        return this.endRecord(field, start, quote, flags, quote + 1, quote + 1 + length);
      }
    }
    // csv-parse tests `!nextChr`, so a NUL byte also closes the quote; what follows joins the
    // field as unquoted text, and the closing quote is dropped like one of a doubled pair.
    if (after === NUL) return this.unquotedField(start, quote + 1, field, flags | FIELD_ESCAPED);
    return this.fail('CSV_INVALID_CLOSING_QUOTE', 'a closing quote is followed by a character other than the delimiter or a line break');
  }

  /** Records that the record at pos is longer than maxRecordBytes. */
  private tooLarge(): number {
    this.error = new CsvScanError('CSV_RECORD_TOO_LARGE', this.line, `the record starting at line ${this.line} is longer than ${this.maxRecordBytes} bytes`);
    return FAILED;
  }

  /** Records a malformed record; the offending quote is on the line scanned so far. */
  private fail(code: CsvScanErrorCode, what: string): number {
    const line = this.line + this.breaks;
    this.error = new CsvScanError(code, line, `${what} at line ${line}`);
    return FAILED;
  }

  /** Writes a field that a delimiter ends; returns `next`, where the following field starts. */
  private endField(field: number, start: number, end: number, flags: number, next: number): number {
    this.fieldStart[field] = start;
    this.fieldEnd[field] = end;
    this.fieldFlags[field] = flags;
    this.fieldNumber[field] = Number.NaN;
    this.fieldEndKind = FieldEnd.Delimiter;
    return next;
  }

  /** Writes the last field of a record, whose text ends at `textEnd`; returns `next`, after its line break. */
  private endRecord(field: number, start: number, end: number, flags: number, textEnd: number, next: number): number {
    this.fieldStart[field] = start;
    this.fieldEnd[field] = end;
    this.fieldFlags[field] = flags;
    this.fieldNumber[field] = Number.NaN;
    this.fieldEndKind = FieldEnd.Record;
    this.textEnd = textEnd;
    return next;
  }

  private commitRecord(start: number, endField: number, next: number): void {
    if (this.count + 1 >= this.recordFields.length) this.growRecords();
    const r = this.count;
    this.recordFields[r] = this.fieldCount;
    this.recordFields[r + 1] = endField;
    this.lines[r] = this.line;
    this.strayQuoteField[r] = this.strayField;
    this.recordStart[r] = start;
    this.recordEnd[r] = this.textEnd;
    this.count = r + 1;
    this.fieldCount = endField;
    this.line += this.breaks;
    this.pos = next;
  }

  /**
   * Length of the record delimiter at `i` (0 if none, NEED_MORE if the next byte decides it).
   * Until one is known, the first line break outside quotes sets it, as in csv-parse: a file's
   * other kinds of line break are then field content.
   */
  private recordDelimiterAt(i: number): number {
    const b = this.buf;
    const byte = b[i];
    switch (this.recordDelimiter) {
      case RecordDelimiter.Lf:
        return byte === LF ? 1 : 0;
      case RecordDelimiter.Cr:
        return byte === CR ? 1 : 0;
      case RecordDelimiter.CrLf:
        if (byte !== CR) return 0;
        if (i + 1 >= this.len) return this.ended ? 0 : NEED_MORE;
        return b[i + 1] === LF ? 2 : 0;
      case RecordDelimiter.Unknown:
        if (byte === LF) {
          this.recordDelimiter = RecordDelimiter.Lf;
          return 1;
        }
        if (byte !== CR) return 0;
        if (i + 1 >= this.len && !this.ended) return NEED_MORE;
        this.recordDelimiter = b[i + 1] === LF && i + 1 < this.len ? RecordDelimiter.CrLf : RecordDelimiter.Cr;
        return this.recordDelimiter === RecordDelimiter.CrLf ? 2 : 1;
    }
  }

  /** Physical line breaks in [from, to): each CR, and each LF not right after a CR. */
  private lineBreaksIn(from: number, to: number): number {
    const b = this.buf;
    let count = 0;
    for (let i = from; i < to; i++) {
      const byte = b[i];
      if (byte === CR || (byte === LF && (i === 0 || b[i - 1] !== CR))) count++;
    }
    return count;
  }

  private growFields(): void {
    const size = 2 * this.fieldStart.length;
    this.fieldStart = grow(this.fieldStart, new Int32Array(size));
    this.fieldEnd = grow(this.fieldEnd, new Int32Array(size));
    this.fieldFlags = grow(this.fieldFlags, new Uint8Array(size));
    this.fieldNumber = grow(this.fieldNumber, new Float64Array(size));
  }

  private growRecords(): void {
    const size = 2 * this.lines.length;
    this.recordFields = grow(this.recordFields, new Int32Array(size + 1));
    this.lines = grow(this.lines, new Uint32Array(size));
    this.strayQuoteField = grow(this.strayQuoteField, new Int32Array(size));
    this.recordStart = grow(this.recordStart, new Int32Array(size));
    this.recordEnd = grow(this.recordEnd, new Int32Array(size));
  }
}

function grow<T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

// ---------------------------------------------------------------------------------------------
// Digits: the tokenizer's hot loop reads numbers with these (and csv-numbers.ts's fast path too);
// they live here so that loop reads its results from its own module.

/** What readDigits found: the digits read as an integer, how many, and how many before the point (-1: no point). */
export let digitsValue = 0;
export let digitCount = 0;
export let digitsBeforePoint = -1;

/** Reads digits with at most one decimal point from `from` up to `stop`; returns where they end. */
export function readDigits(bytes: Uint8Array, from: number, stop: number): number {
  let mantissa = 0;
  let digits = 0;
  let point = -1;
  let i = from;
  for (; i < stop; i++) {
    const byte = bytes[i] as number;
    const digit = byte - 0x30;
    if (digit >= 0 && digit <= 9) {
      mantissa = mantissa * 10 + digit;
      digits++;
    } else if (byte === 0x2e && point < 0) {
      point = digits;
    } else {
      break;
    }
  }
  digitsValue = mantissa;
  digitCount = digits;
  digitsBeforePoint = point;
  return i;
}
