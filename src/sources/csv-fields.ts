// CSV fields as values: the text of a field (quotes undoubled, UTF-8 decoded), its number, and
// whole columns of a record batch, numbers parsed straight from the bytes into Float64Arrays.
import { parseNumber } from '../shared/values.js';
import { fastDecimal, fastResult } from './csv-numbers.js';
import { FIELD_ESCAPED, type ScannedRecords } from './csv-scan.js';
import { decodeCodes, DICTIONARY_FULL, FieldDictionary, MISSING_CODE } from './field-dictionary.js';

const QUOTE = 0x22;

// ignoreBOM keeps a U+FEFF inside a field: csv-parse drops only the one at the start of the input.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
/** Reused for undoubling quotes, grown as needed. */
let scratch = new Uint8Array(256);

/** A field's text: quotes undoubled, decoded as UTF-8 with U+FFFD for invalid bytes. */
export function fieldText(batch: ScannedRecords, field: number): string {
  const start = batch.fieldStart[field] as number;
  const end = batch.fieldEnd[field] as number;
  if (((batch.fieldFlags[field] as number) & FIELD_ESCAPED) === 0) return decodeRange(batch.bytes, start, end);
  const length = unescapeQuotes(batch.bytes, start, end);
  return decodeRange(scratch, 0, length);
}

/** The text of field `column` of record `record`, or '' when the record is shorter. */
export function cellText(batch: ScannedRecords, record: number, column: number): string {
  const first = batch.recordFields[record] as number;
  const field = first + column;
  return field < (batch.recordFields[record + 1] as number) ? fieldText(batch, field) : '';
}

/** Number of fields of record `record`. */
export function fieldCountOf(batch: ScannedRecords, record: number): number {
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

/**
 * The number in a field, exactly as `parseNumber` from values.ts reads its text: undefined when it
 * is not a number. Empty fields are the caller's business (they are missing values, not errors).
 */
export function parseNumberField(batch: ScannedRecords, field: number): number | undefined {
  const flags = batch.fieldFlags[field] as number;
  if ((flags & FIELD_ESCAPED) === 0 && fastDecimal(batch.bytes, batch.fieldStart[field] as number, batch.fieldEnd[field] as number)) {
    return fastResult[0] as number;
  }
  return parseNumber(fieldText(batch, field));
}

/** How buildColumns treats a column: parse numbers, decode text, both (a kept column the model reads), or leave it out. */
export type FieldKind = 'number' | 'text' | 'number and text' | 'skip';

/** A text column of a batch; `dictionary`: when it has few distinct values, the same as codes (-1: null) into `texts`, shared by `values`. */
export interface ScannedText {
  readonly type: 'string';
  readonly values: (string | null)[];
  readonly dictionary?: { readonly codes: Int32Array; readonly texts: readonly (string | null)[] };
}

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
      /** The fields' text, for a 'number and text' column. */
      readonly text?: ScannedText;
    }
  | ScannedText;

/**
 * Builds one column per entry of `kinds` from a batch (undefined for a skipped one). A field that
 * a short record lacks counts as empty; fields beyond `kinds.length` are ignored.
 */
export function buildColumns(batch: ScannedRecords, kinds: readonly FieldKind[]): (ScannedColumn | undefined)[] {
  const { count } = batch;
  // Only the columns built are visited, row by row, so the batch's bytes are read once, in order.
  const built = kinds.flatMap((kind, c) => (kind === 'skip' ? [] : [c]));
  const numbers = kinds.map((kind) => (kind === 'number' || kind === 'number and text' ? new Float64Array(count) : undefined));
  const nulls = numbers.map((values) => (values === undefined ? undefined : new Uint8Array(count)));
  const withText = kinds.map((kind) => kind === 'text' || kind === 'number and text');
  // Text is read through a dictionary until a column shows too many distinct values, then as strings.
  const dictionaries = kinds.map((_, c) => (withText[c] === true ? new FieldDictionary(fieldText) : undefined));
  const codes = kinds.map((_, c) => (withText[c] === true ? new Int32Array(count) : undefined));
  const texts: ((string | null)[] | undefined)[] = kinds.map(() => undefined);
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
        if (withText[c] !== true) continue;
      }
      const dictionary = dictionaries[c];
      if (dictionary !== undefined) {
        const code = c < present ? dictionary.codeOf(batch, first + c) : MISSING_CODE;
        if (code !== DICTIONARY_FULL) {
          (codes[c] as Int32Array)[r] = code;
          continue;
        }
        // Too many distinct values: the rows so far become strings, and the rest are appended.
        const values: (string | null)[] = [];
        decodeCodes(codes[c] as Int32Array, dictionary.texts, 0, r, values, 0);
        texts[c] = values;
        dictionaries[c] = undefined;
      }
      const text = c < present ? fieldText(batch, first + c) : '';
      (texts[c] as (string | null)[])[r] = text === '' ? null : text;
    }
  }
  const textOf = (c: number): ScannedText => {
    const dictionary = dictionaries[c];
    if (dictionary === undefined) return { type: 'string', values: texts[c] as (string | null)[] };
    const columnCodes = codes[c] as Int32Array;
    const text = new Array<string | null>(count);
    decodeCodes(columnCodes, dictionary.texts, 0, count, text, 0);
    return { type: 'string', values: text, dictionary: { codes: columnCodes, texts: dictionary.texts } };
  };
  return kinds.map((kind, c): ScannedColumn | undefined => {
    if (kind === 'skip') return undefined;
    const values = numbers[c];
    if (values === undefined) return textOf(c);
    return { type: 'float64', values, nulls: nulls[c] as Uint8Array, invalid: invalid[c] as number[], ...(withText[c] === true ? { text: textOf(c) } : {}) };
  });
}

const NUMBER = 0;
const EMPTY = 1;
const INVALID = 2;

/** Parses a field into values[row] (NaN unless a number); says whether it was a number, empty or invalid. */
function readNumber(batch: ScannedRecords, field: number, values: Float64Array, row: number): number {
  // The common case first: a plain decimal the tokenizer read (never an empty field).
  const scanned = batch.fieldNumber[field] as number;
  if (scanned === scanned) {
    values[row] = scanned;
    return NUMBER;
  }
  const start = batch.fieldStart[field] as number;
  const end = batch.fieldEnd[field] as number;
  // `""` is empty too; an escaped field is never empty (it holds at least one quote).
  if (start === end) {
    values[row] = Number.NaN;
    return EMPTY;
  }
  if (((batch.fieldFlags[field] as number) & FIELD_ESCAPED) === 0 && fastDecimal(batch.bytes, start, end)) {
    values[row] = fastResult[0] as number;
    return NUMBER;
  }
  const value = parseNumber(fieldText(batch, field));
  values[row] = value ?? Number.NaN;
  return value === undefined ? INVALID : NUMBER;
}
