// A streaming CSV tokenizer over bytes, and a column builder that parses numeric fields straight
// from those bytes: no string per numeric field and no object per row. It reads the same records
// as csv-parse with the options src/sources/csv.ts uses (bom, relax_column_count, skip_empty_lines),
// including its quirks, so the two can be swapped without changing what a file means.
import { parseNumber } from '../values.js';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const NUL = 0x00;

/** Field flags in `RecordBatch.fieldFlags`. */
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
export type CsvScanErrorCode = 'CSV_QUOTE_NOT_CLOSED' | 'CSV_INVALID_CLOSING_QUOTE' | 'INVALID_OPENING_QUOTE';

/** Malformed input. `line` is the physical line (1-based) of the offending quote. */
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
export interface RecordBatch {
  readonly bytes: Uint8Array;
  /** Number of records. */
  readonly count: number;
  /** Fields of record r are [recordFields[r], recordFields[r + 1]). Length >= count + 1. */
  readonly recordFields: Int32Array;
  /** Physical line (1-based) where each record starts. */
  readonly lines: Uint32Array;
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
  private recordStart = new Int32Array(1024);
  private recordEnd = new Int32Array(1024);
  private fieldStart = new Int32Array(8192);
  private fieldEnd = new Int32Array(8192);
  private fieldFlags = new Uint8Array(8192);
  private fieldNumber = new Float64Array(8192);

  // Scratch state of the record being parsed.
  private breaks = 0;
  private fieldEndKind = FieldEnd.Record;
  /** Where the text of the record being parsed ends, before its line break. */
  private textEnd = 0;
  /** Set by plainFields. */
  private plainFieldsEnd = 0;
  private error: CsvScanError | undefined;

  constructor(options: CsvScannerOptions) {
    const { delimiter } = options;
    if (!Number.isInteger(delimiter) || delimiter < 0 || delimiter > 0x7f || delimiter === QUOTE || delimiter === CR || delimiter === LF) {
      throw new RangeError(`CsvScanner: the delimiter must be one ASCII byte other than '"', CR and LF, got ${delimiter}`);
    }
    this.delimiter = delimiter;
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
    if (this.ended) throw new Error('CsvScanner: push() after end()');
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
  next(max: number): RecordBatch | undefined {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`CsvScanner: next() takes a positive number of records, got ${max}`);
    if (this.delivered) this.startBatch();
    if (this.pendingError !== undefined) throw this.pendingError;
    if (!this.ended && this.len - this.pos < this.retryBytes) return undefined;
    this.retryBytes = 0;
    while (this.count < max) {
      const status = this.parseRecord();
      if (status === NEED_MORE) {
        // Doubling the wait makes a record that spans many chunks cost linear time, not quadratic.
        this.retryBytes = 2 * (this.len - this.pos);
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

  private deliver(): RecordBatch {
    this.delivered = true;
    return {
      bytes: this.buf,
      count: this.count,
      recordFields: this.recordFields,
      lines: this.lines,
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
      if (byte === QUOTE) return this.fail('INVALID_OPENING_QUOTE', 'a quote in the middle of an unquoted field');
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
    this.recordStart = grow(this.recordStart, new Int32Array(size));
    this.recordEnd = grow(this.recordEnd, new Int32Array(size));
  }
}

function grow<T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

// ---------------------------------------------------------------------------------------------
// Field values

// ignoreBOM keeps a U+FEFF inside a field: csv-parse drops only the one at the start of the input.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
/** Reused for undoubling quotes, grown as needed. */
let scratch = new Uint8Array(256);

/** A field's text: quotes undoubled, decoded as UTF-8 with U+FFFD for invalid bytes. */
export function fieldText(batch: RecordBatch, field: number): string {
  const start = batch.fieldStart[field] as number;
  const end = batch.fieldEnd[field] as number;
  if (((batch.fieldFlags[field] as number) & FIELD_ESCAPED) === 0) return decodeRange(batch.bytes, start, end);
  const length = unescapeQuotes(batch.bytes, start, end);
  return decodeRange(scratch, 0, length);
}

/** The text of field `column` of record `record`, or '' when the record is shorter. */
export function cellText(batch: RecordBatch, record: number, column: number): string {
  const first = batch.recordFields[record] as number;
  const field = first + column;
  return field < (batch.recordFields[record + 1] as number) ? fieldText(batch, field) : '';
}

/** Number of fields of record `record`. */
export function fieldCountOf(batch: RecordBatch, record: number): number {
  return (batch.recordFields[record + 1] as number) - (batch.recordFields[record] as number);
}

/**
 * Copies bytes [start, end) into `scratch` with each `""` made `"`, and a lone quote (the closing
 * quote before csv-parse's NUL quirk) dropped. Returns the length written.
 */
function unescapeQuotes(bytes: Uint8Array, start: number, end: number): number {
  if (scratch.length < end - start) scratch = new Uint8Array(2 * (end - start));
  let out = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte === QUOTE) {
      if (i + 1 < end && bytes[i + 1] === QUOTE) i++;
      else continue;
    }
    scratch[out++] = byte;
  }
  return out;
}

/** Short ASCII text is built in JS: cheaper than a call into the native decoder for each field. */
function decodeRange(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return '';
  if (length <= 24) {
    let text = '';
    for (let i = start; i < end; i++) {
      const byte = bytes[i] as number;
      if (byte >= 0x80) return utf8.decode(bytes.subarray(start, end));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return utf8.decode(bytes.subarray(start, end));
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** Exact powers of ten: up to 1e22 every one is a float64 without rounding. */
/** 2^53: integers up to it are exact float64s. */
const MAX_EXACT = 9007199254740992;
const POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** Where fastDecimal leaves its result, so the hot path does not box a double per field. */
const fastResult = new Float64Array(1);

/**
 * The number in a field, exactly as `parseNumber` from values.ts reads its text: undefined when it
 * is not a number. Empty fields are the caller's business (they are missing values, not errors).
 */
export function parseNumberField(batch: RecordBatch, field: number): number | undefined {
  const flags = batch.fieldFlags[field] as number;
  if ((flags & FIELD_ESCAPED) === 0 && fastDecimal(batch.bytes, batch.fieldStart[field] as number, batch.fieldEnd[field] as number)) {
    return fastResult[0] as number;
  }
  return parseNumber(fieldText(batch, field));
}

/** What readDigits found: the digits read as an integer, how many, and how many before the point (-1: no point). */
let digitsValue = 0;
let digitCount = 0;
let digitsBeforePoint = -1;

/** Reads digits with at most one decimal point from `from` up to `stop`; returns where they end. */
function readDigits(bytes: Uint8Array, from: number, stop: number): number {
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

/** ASCII whitespace that String.prototype.trim removes (the rest of its set is not ASCII). */
function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/**
 * Reads bytes [start, end) as a plain decimal into fastResult[0], returning true, when the text is
 * one the fast path is exact for: the DECIMAL form of values.ts whose digits, read as an integer,
 * are at most 2^53 (any 15 significant digits are), scaled by a power of ten up to 22. Then the integer mantissa and 10^k are both exact float64s, so one
 * multiplication or division rounds once, correctly, as Number() does. Anything else (more digits,
 * large exponents, NaN, inf, non-ASCII spaces, garbage) returns false for the exact slow path.
 */
function fastDecimal(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  let stop = end;
  while (i < stop && isSpace(bytes[i] as number)) i++;
  while (stop > i && isSpace(bytes[stop - 1] as number)) stop--;
  let negative = false;
  if (i < stop && (bytes[i] === 0x2d || bytes[i] === 0x2b)) negative = bytes[i++] === 0x2d;
  i = readDigits(bytes, i, stop);
  const mantissa = digitsValue;
  const fraction = digitsBeforePoint < 0 ? 0 : digitCount - digitsBeforePoint;
  // Each step of the sum was exact if the total is at most 2^53 (it only grows).
  if (digitCount === 0 || mantissa > MAX_EXACT) return false;
  let exponent = 0;
  if (i < stop && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    let exponentNegative = false;
    if (i < stop && (bytes[i] === 0x2d || bytes[i] === 0x2b)) exponentNegative = bytes[i++] === 0x2d;
    const exponentStart = i;
    for (; i < stop; i++) {
      const digit = (bytes[i] as number) - 0x30;
      if (digit < 0 || digit > 9) break;
      exponent = exponent * 10 + digit;
    }
    // No digits is not a number; many digits could be anything: both for the slow path.
    if (i === exponentStart || i - exponentStart > 4) return false;
    if (exponentNegative) exponent = -exponent;
  }
  if (i !== stop) return false;
  const scale = exponent - fraction;
  let value: number;
  if (mantissa === 0) value = 0;
  else if (scale === 0) value = mantissa;
  else if (scale > 0 && scale <= 22) value = mantissa * (POWERS_OF_TEN[scale] as number);
  else if (scale < 0 && scale >= -22) value = mantissa / (POWERS_OF_TEN[-scale] as number);
  else return false;
  fastResult[0] = negative ? -value : value;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Columns

/** How buildColumns treats a column: parse numbers, decode text, or leave it out. */
export type FieldKind = 'number' | 'text' | 'skip';

/** A column of a batch: numbers parsed into a Float64Array, or text (undefined: skipped). */
export type ScannedColumn =
  | {
      readonly type: 'float64';
      /** NaN where the field is empty or not a number. */
      readonly values: Float64Array;
      /** 1 where the field is empty (or missing from a short record). */
      readonly nulls: Uint8Array;
      /** Records whose field is not a number (see `cellText` for the text), ascending. */
      readonly invalid: readonly number[];
    }
  | { readonly type: 'string'; readonly values: (string | null)[] };

/**
 * Builds one column per entry of `kinds` from a batch (undefined for a skipped one). A field that
 * a short record lacks counts as empty; fields beyond `kinds.length` are ignored.
 */
export function buildColumns(batch: RecordBatch, kinds: readonly FieldKind[]): (ScannedColumn | undefined)[] {
  const { count } = batch;
  // Only the columns built are visited, row by row, so the batch's bytes are read once, in order.
  const built = kinds.flatMap((kind, c) => (kind === 'skip' ? [] : [c]));
  const numbers = kinds.map((kind) => (kind === 'number' ? new Float64Array(count) : undefined));
  const nulls = kinds.map((kind) => (kind === 'number' ? new Uint8Array(count) : undefined));
  const texts = kinds.map((kind) => (kind === 'text' ? new Array<string | null>(count) : undefined));
  const invalid = kinds.map((): number[] => []);
  for (let r = 0; r < count; r++) {
    const first = batch.recordFields[r] as number;
    const present = (batch.recordFields[r + 1] as number) - first;
    for (let k = 0; k < built.length; k++) {
      const c = built[k] as number;
      const values = numbers[c];
      if (values !== undefined) {
        const state = c < present ? readNumber(batch, first + c, values, r) : EMPTY;
        if (state === EMPTY) (nulls[c] as Uint8Array)[r] = 1;
        else if (state === INVALID) (invalid[c] as number[]).push(r);
      } else {
        const text = c < present ? fieldText(batch, first + c) : '';
        (texts[c] as (string | null)[])[r] = text === '' ? null : text;
      }
    }
  }
  return kinds.map((kind, c): ScannedColumn | undefined => {
    if (kind === 'skip') return undefined;
    const values = numbers[c];
    if (values === undefined) return { type: 'string', values: texts[c] as (string | null)[] };
    return { type: 'float64', values, nulls: nulls[c] as Uint8Array, invalid: invalid[c] as number[] };
  });
}

const NUMBER = 0;
const EMPTY = 1;
const INVALID = 2;

/** Parses a field into values[row] (NaN unless a number); says whether it was a number, empty or invalid. */
function readNumber(batch: RecordBatch, field: number, values: Float64Array, row: number): number {
  const start = batch.fieldStart[field] as number;
  const end = batch.fieldEnd[field] as number;
  // `""` is empty too; an escaped field is never empty (it holds at least one quote).
  if (start === end) {
    values[row] = Number.NaN;
    return EMPTY;
  }
  const scanned = batch.fieldNumber[field] as number;
  if (scanned === scanned) {
    values[row] = scanned;
    return NUMBER;
  }
  if (((batch.fieldFlags[field] as number) & FIELD_ESCAPED) === 0 && fastDecimal(batch.bytes, start, end)) {
    values[row] = fastResult[0] as number;
    return NUMBER;
  }
  const value = parseNumber(fieldText(batch, field));
  values[row] = value ?? Number.NaN;
  return value === undefined ? INVALID : NUMBER;
}
