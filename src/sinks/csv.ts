// Sink: CSV (RFC 4180) with numbers printed so that they read back as the same float32/float64.
import type { KeptColumn } from '../shared/chunk.js';
import { exactText } from '../shared/exact-text.js';
import { MAX_NUMBER_BYTES, writeFloat32, writeFloat64 } from '../shared/float-text.js';
import { openAtomicFile } from '../shared/atomic-file.js';
import type { Sink, SinkRequest } from './sink.js';

const NEEDS_QUOTES = /[",\r\n]/;
// Cells that Excel, LibreOffice and Google Sheets start to evaluate as formulas (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

/** Quotes a field when it holds a comma, a quote or a line break (RFC 4180). */
export function quoteField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes CSV with a header row; empty fields are missing values. */
export async function openCsvSink(request: SinkRequest): Promise<Sink> {
  const file = await openAtomicFile(request.path);
  let headerWritten = false;
  let rows = 0;
  // Sized from the batch before, so a batch's text is built in one buffer without regrowing.
  let bytesPerRow = 64;
  const header = (names: Iterable<string>): string => `${[...names].map(quoteField).join(',')}\n`;
  return {
    write: async (batch, rowCount) => {
      const writers = [...batch.values()].map((column) => cellWriter(column, request.csvSafe === true));
      const text = new TextBytes(rowCount * bytesPerRow + 1024);
      if (!headerWritten) text.text(header(batch.keys()));
      headerWritten = true;
      for (let i = 0; i < rowCount; i++) {
        for (let c = 0; c < writers.length; c++) {
          if (c > 0) text.byte(COMMA);
          (writers[c] as CellWriter)(text, i);
        }
        text.byte(LF);
      }
      rows += rowCount;
      if (rowCount > 0) bytesPerRow = Math.ceil((1.25 * text.length) / rowCount);
      await file.write(text.take());
    },
    commit: async () => {
      if (!headerWritten) await file.write(header(request.columnNames));
      const bytes = await file.commit();
      return { path: request.path, format: 'csv', rows, bytes, sha256: file.sha256() };
    },
    abort: () => file.abort(),
  };
}

const COMMA = 0x2c;
const LF = 0x0a;

/** One batch's CSV text as UTF-8 bytes, written in place: no string per cell or per line. */
class TextBytes {
  private bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  /** The buffer, with at least `extra` bytes free after `length`. */
  reserve(extra: number): Uint8Array {
    if (this.length + extra > this.bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.length + extra));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    return this.bytes;
  }

  byte(value: number): void {
    this.reserve(1)[this.length++] = value;
  }

  number(value: number, write: typeof writeFloat32): void {
    this.length = write(value, this.reserve(MAX_NUMBER_BYTES), this.length);
  }

  text(value: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const bytes = this.reserve(3 * value.length);
    let at = this.length;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) {
        at += utf8.encodeInto(value.slice(i), bytes.subarray(at)).written;
        break;
      }
      bytes[at++] = code;
    }
    this.length = at;
  }

  /** The bytes written; the buffer is the caller's from here on. */
  take(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

const utf8 = new TextEncoder();

type CellWriter = (out: TextBytes, i: number) => void;

function cellWriter(column: KeptColumn, csvSafe: boolean): CellWriter {
  switch (column.type) {
    case 'string':
      return (out, i) => {
        const text = column.values[i];
        if (text === null || text === undefined) return;
        out.text(quoteField(csvSafe && FORMULA_START.test(text) ? `'${text}` : text));
      };
    case 'float32':
      return withNulls(column.nulls, (out, i) => out.number(column.values[i] ?? Number.NaN, writeFloat32));
    case 'float64':
      return withNulls(column.nulls, (out, i) => out.number(column.values[i] ?? Number.NaN, writeFloat64));
    case 'bool':
      return withNulls(column.nulls, (out, i) => out.text(column.values[i] === 1 ? 'true' : 'false'));
    case 'decimal':
    case 'date32':
    case 'date64':
    case 'timestamp': {
      const text = exactText(column);
      return withNulls(column.nulls, (out, i) => out.text(text(i)));
    }
    default:
      return withNulls(column.nulls, (out, i) => out.text(String(column.values[i])));
  }
}

function withNulls(nulls: Uint8Array | undefined, write: CellWriter): CellWriter {
  return nulls === undefined
    ? write
    : (out, i) => {
        if (nulls[i] !== 1) write(out, i);
      };
}
