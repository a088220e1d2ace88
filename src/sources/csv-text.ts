// Sources: what both CSV readers share: encoding checks on the raw bytes, and the header's names.
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { InputError } from '../errors.js';
import { duplicateColumn } from './csv-errors.js';
import { decompressed } from './decompress.js';
import type { FieldKind } from './csv-fields.js';
import type { ChunkOptions } from './source.js';

export /** Tracks whether the bytes were valid UTF-8, and how many text cells got U+FFFD in their place. */
class Utf8Check {
  invalid = false;
  replacedCells = 0;
  private carry = Buffer.alloc(0);

  /** Checks a chunk; up to 3 bytes of a character split across chunks wait for the next one. */
  see(chunk: Buffer): void {
    if (this.invalid) return;
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    let end = bytes.length;
    // Back up over a trailing incomplete sequence: continuation bytes, then its lead byte.
    for (let back = 1; back <= 3 && end - back >= 0; back++) {
      const byte = bytes[end - back] as number;
      if ((byte & 0xc0) === 0xc0) {
        end -= back;
        break;
      }
      if ((byte & 0xc0) !== 0x80) break;
    }
    this.invalid = !isUtf8(bytes.subarray(0, end));
    this.carry = Buffer.from(bytes.subarray(end));
  }

  finish(): void {
    if (this.carry.length > 0) this.invalid = true;
  }
}

async function* checkEncoding(bytes: AsyncIterable<Buffer>, path: string, utf8: Utf8Check): AsyncGenerator<Buffer> {
  let first = true;
  for await (const chunk of bytes) {
    utf8.see(chunk);
    if (first && chunk.length >= 2) {
      first = false;
      const utf16 = (chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff);
      if (utf16) {
        throw new InputError('INPUT_UNREADABLE', `CSV input ${path} is UTF-16 encoded; only UTF-8 is read`, {
          context: { file: path },
          hint: 'convert it first, e.g. `iconv -f UTF-16 -t UTF-8 in.csv > out.csv`',
        });
      }
    }
    yield chunk;
  }
  utf8.finish();
}

async function* counted(bytes: AsyncIterable<Buffer>, count: (bytes: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of bytes) {
    count(chunk.length);
    yield chunk;
  }
}

/** Binary formats a CSV reader may be handed by mistake, by the text their magic bytes decode to. */
const BINARY_MAGIC: readonly (readonly [string, string])[] = [
  ['PAR1', 'Parquet magic bytes "PAR1"; --input-format parquet'],
  ['ARROW1', 'Arrow IPC file magic bytes "ARROW1"; --input-format arrow'],
  ['\uFFFD\uFFFD\uFFFD\uFFFD', 'Arrow IPC stream bytes; --input-format arrows'],
];

/** Control characters (a NUL, ...), which text never holds outside its tabs and line breaks. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000e-\u001f\u007f]/;

/** Whether decoded text holds binary data: control characters. */
export function holdsBinary(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

/**
 * INPUT_UNREADABLE: binary data read as `format` text (CSV, JSON Lines), at `line`. The message
 * says what the bytes look like and never shows them: they would garble a terminal or a log.
 */
export function binaryInput(path: string, format: string, line: number, text: string, where: string): InputError {
  const known = BINARY_MAGIC.find(([magic]) => text.startsWith(magic) || text.startsWith(`\uFEFF${magic}`));
  return new InputError('INPUT_UNREADABLE', `${format} input ${path} holds binary data at line ${line} (${known === undefined ? `control characters in ${where}` : known[1].split(';')[0]}), not ${format} text`, {
    context: { file: path, line },
    hint: known === undefined ? `check that the file is ${format} text, or pass the right --input-format` : `pass ${known[1].split('; ')[1] ?? '--input-format'}`,
  });
}

/**
 * Refuses a header holding control characters, which text never has: binary data read as CSV
 * would otherwise show up as column names in later messages. Bytes that are not UTF-8 alone are
 * not refused: a Latin-1 header is text, read with U+FFFD and a warning.
 */
function refuseBinary(record: readonly string[], path: string): void {
  if (!record.some(holdsBinary)) return;
  throw binaryInput(path, 'CSV', 1, record.join(','), 'the header');
}

/** Column names from a header record: unique, and named for pandas' unnamed index column. */
export function headerNames(record: readonly string[], path: string): string[] {
  refuseBinary(record, path);
  const seen = new Map<string, number>();
  return record.map((raw, index) => {
    // pandas writes its index column with an empty name; give it the name pandas reads it back with.
    const name = raw === '' ? `Unnamed: ${index}` : raw;
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw duplicateColumn(path, name, previous + 1, index + 1);
    }
    seen.set(name, index);
    return name;
  });
}


/** The message for invalid UTF-8 text cells, when there were any. */
export function utf8Warnings(path: string, utf8: Utf8Check): string[] {
  return utf8.replacedCells > 0 ? [`${path}: ${utf8.replacedCells} text cells held invalid UTF-8, read with U+FFFD in its place`] : [];
}

/**
 * A text input's bytes (file or stdin, or a byte range of a file), decompressed when gzip or zstd, checked for UTF-16 and
 * invalid UTF-8, and counted as stored as they are read.
 */
export interface TextBytes {
  readonly bytes: AsyncGenerator<Buffer>;
  readonly utf8: Utf8Check;
  bytesRead(): number;
  close(): void;
}

export function readTextBytes(path: string, range?: { readonly start: number; readonly end: number }): TextBytes {
  let count = 0;
  const raw = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20, ...(range === undefined ? {} : { start: range.start, end: range.end - 1 }) });
  const utf8 = new Utf8Check();
  // A range is part of a plain file (compressed files are never cut): nothing to decompress, and its
  // first bytes are no file's magic number.
  const stored = range === undefined ? decompressed(raw as AsyncIterable<Buffer>, path, (n) => (count += n)) : counted(raw as AsyncIterable<Buffer>, (n) => (count += n));
  return {
    bytes: checkEncoding(stored, path, utf8),
    utf8,
    bytesRead: () => count,
    close: () => raw.destroy(),
  };
}

/**
 * How each column is read: as numbers for the model (and as text too when the output keeps it, so
 * that it is written as it was), as text if a later stage reads it, else not at all.
 */
export function fieldKinds(columnNames: readonly string[], options: ChunkOptions): FieldKind[] {
  return columnNames.map((name) => {
    if (options.numericColumns.has(name)) return options.keptColumns?.has(name) === true ? 'number and text' : 'number';
    return options.columns === undefined || options.columns.has(name) ? 'text' : 'skip';
  });
}
