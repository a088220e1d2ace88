// Sink: CSV (RFC 4180) with numbers printed so that they read back as the same float32/float64.
import type { Column } from '../sources/chunk.js';
import { formatFloat32, formatFloat64 } from '../values.js';
import { openAtomicFile } from './atomic-file.js';
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
  const header = (names: Iterable<string>): string => `${[...names].map(quoteField).join(',')}\n`;
  return {
    write: async (batch, rowCount) => {
      const formatters = [...batch.values()].map((column) => cellFormatter(column, request.csvSafe === true));
      let text = headerWritten ? '' : header(batch.keys());
      headerWritten = true;
      for (let i = 0; i < rowCount; i++) {
        let line = '';
        for (let c = 0; c < formatters.length; c++) line += (c === 0 ? '' : ',') + (formatters[c] as (i: number) => string)(i);
        text += `${line}\n`;
      }
      rows += rowCount;
      await file.write(text);
    },
    commit: async () => {
      if (!headerWritten) await file.write(header(request.columnNames));
      const bytes = await file.commit();
      return { path: request.path, format: 'csv', rows, bytes, sha256: file.sha256() };
    },
    abort: () => file.abort(),
  };
}

function cellFormatter(column: Column, csvSafe: boolean): (i: number) => string {
  switch (column.type) {
    case 'string':
      return (i) => {
        const text = column.values[i];
        if (text === null || text === undefined) return '';
        return quoteField(csvSafe && FORMULA_START.test(text) ? `'${text}` : text);
      };
    case 'float32':
      return withNulls(column.nulls, (i) => formatFloat32(column.values[i] ?? Number.NaN));
    case 'float64':
      return withNulls(column.nulls, (i) => formatFloat64(column.values[i] ?? Number.NaN));
    case 'bool':
      return withNulls(column.nulls, (i) => (column.values[i] === 1 ? 'true' : 'false'));
    default:
      return withNulls(column.nulls, (i) => String(column.values[i]));
  }
}

function withNulls(nulls: Uint8Array | undefined, format: (i: number) => string): (i: number) => string {
  return nulls === undefined ? format : (i) => (nulls[i] === 1 ? '' : format(i));
}

