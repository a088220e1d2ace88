// Source: CSV/TSV text (file or stdin) -> column chunks with csv-parse (the reference reader,
// --csv-parser reference). The only importer of csv-parse.
import { Readable } from 'node:stream';
import { parse, CsvError, type Info } from 'csv-parse';
import { InputError } from '../errors.js';
import { parseNumber } from '../shared/values.js';
import type { Column, ColumnChunk, RejectList } from '../shared/chunk.js';
import { emptyCsv, fieldCountError, fieldKinds, headerNames, readTextBytes, utf8Warnings, type Utf8Check } from './csv-text.js';
import type { ChunkOptions, OpenedSource, SourceRequest } from './source.js';

interface CsvRecord {
  readonly record: string[];
  readonly info: Info;
  /** The record's text as read (only with keepRecords). */
  readonly raw?: string;
}

/** Opens a CSV input and reads its header row; rows are read when `chunks()` is iterated. */
export async function openCsv(request: SourceRequest): Promise<OpenedSource> {
  const { path } = request;
  const input = readTextBytes(path);
  const { utf8 } = input;
  const checked = Readable.from(input.bytes);
  const parser = checked.pipe(
    parse({
      delimiter: request.delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      raw: request.keepRecords === true,
    }),
  );
  checked.on('error', (error) => parser.destroy(error));
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<CsvRecord>;
  const lines = new LineTracker();

  const first = await nextRecord(records, path);
  if (first === undefined) throw emptyCsv(path);
  lines.next(first.info, first.record);
  const columnNames = headerNames(first.record, path);

  return {
    path,
    format: 'csv',
    columnNames,
    bytesRead: input.bytesRead,
    warnings: () => utf8Warnings(path, utf8),
    chunks: (options) => readChunks(records, columnNames, options, { path, lines, utf8 }),
    close: async () => {
      parser.destroy();
      input.close();
    },
  };
}

async function nextRecord(records: AsyncIterator<CsvRecord>, path: string): Promise<CsvRecord | undefined> {
  try {
    const result = await records.next();
    return result.done === true ? undefined : result.value;
  } catch (error) {
    throw toInputError(error, path);
  }
}

function toInputError(error: unknown, path: string): unknown {
  if (error instanceof InputError) return error;
  if (error instanceof CsvError) {
    const line = typeof (error as { lines?: unknown }).lines === 'number' ? (error as unknown as { lines: number }).lines : undefined;
    const reason = error.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is not closed before the end of the input' : error.message;
    return new InputError('CSV_MALFORMED', `Malformed CSV in ${path}${line === undefined ? '' : ` at line ${line}`}: ${reason}`, {
      context: { file: path, ...(line === undefined ? {} : { line }) },
      hint: 'fix the quoting in the file (a field with the delimiter, a quote or a newline must be quoted, and quotes inside it doubled)',
      cause: error,
    });
  }
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') {
    return new InputError('INPUT_NOT_FOUND', `Input file not found: ${path}`, {
      context: { file: path },
      hint: 'check the path given to --input',
      cause: error,
    });
  }
  if (typeof code === 'string' && code.startsWith('E')) {
    return new InputError('INPUT_UNREADABLE', `Cannot read ${path}: ${(error as Error).message}`, { context: { file: path }, cause: error });
  }
  return error;
}

/**
 * Physical line numbers of records. csv-parse's own `info.lines` counts a CRLF inside a quoted
 * field as two lines, so the start line is derived from the previous record and blank lines,
 * and newlines are counted only for records that span several lines.
 */
class LineTracker {
  private endLine = 0;
  private emptyLines = 0;

  next(info: Info, record: readonly string[]): number {
    const skipped = info.empty_lines - this.emptyLines;
    this.emptyLines = info.empty_lines;
    const start = this.endLine + 1 + skipped;
    let end = start;
    if (info.lines > start) {
      for (const field of record) end += countLineBreaks(field);
    }
    this.endLine = end;
    return start;
  }
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) if (text[i + 1] !== '\n') count++;
  return count;
}

async function* readChunks(
  records: AsyncIterator<CsvRecord>,
  columnNames: readonly string[],
  options: ChunkOptions,
  reading: { readonly path: string; readonly lines: LineTracker; readonly utf8: Utf8Check },
): AsyncGenerator<ColumnChunk> {
  const { path, lines, utf8 } = reading;
  const width = columnNames.length;
  const kinds = fieldKinds(columnNames, options);
  const { rejects } = options;
  let firstRowInSource = 0;
  // A malformed record stops the run only after the rows before it, so an earlier bad value is reported first.
  let pending: InputError | undefined;
  for (;;) {
    if (pending !== undefined) throw pending;
    const rows: string[][] = [];
    const rowLines: number[] = [];
    const raws: string[] = [];
    while (rows.length < options.chunkRows) {
      const next = await nextRecord(records, path);
      if (next === undefined) break;
      const line = lines.next(next.info, next.record);
      let record = next.record;
      if (record.length !== width) {
        const reason = `expected ${width} fields as in the header, got ${record.length}`;
        if (rejects === undefined) {
          pending = fieldCountError(path, line, reason);
          break;
        }
        rejects.add({ row: options.rowOffset + firstRowInSource + rows.length, source: path, line, column: undefined, reason, value: '' });
        record = new Array<string>(width).fill('');
      }
      rows.push(record);
      rowLines.push(line);
      if (next.raw !== undefined) raws.push(next.raw.replace(/\r?\n?$|\r$/, ''));
    }
    if (rows.length === 0) {
      if (pending !== undefined) throw pending;
      return;
    }
    const chunkStart = options.rowOffset + firstRowInSource;
    const columns = new Map<string, Column>();
    columnNames.forEach((name, index) => {
      if (kinds[index] === 'skip') return;
      const column = kinds[index] === 'number' ? numberColumn(rows, index, name, { path, lines: rowLines, rejects, chunkStart }) : textColumn(rows, index);
      // Only an input that had invalid bytes is searched for the replacement character.
      if (utf8.invalid && column.type === 'string') utf8.replacedCells += column.values.filter((text) => text?.includes('\uFFFD') === true).length;
      columns.set(name, column);
    });
    yield {
      rowOffset: chunkStart,
      rowCount: rows.length,
      columns,
      origin: { source: path, lines: Uint32Array.from(rowLines), firstRowInSource, ...(raws.length === rows.length ? { records: raws } : {}) },
      ...(rejects === undefined ? {} : { rejects }),
    };
    firstRowInSource += rows.length;
    if (rows.length < options.chunkRows && pending === undefined) return;
  }
}

function textColumn(rows: readonly string[][], index: number): Column {
  return { type: 'string', values: rows.map((row) => (row[index] === '' ? null : (row[index] ?? null))) };
}

interface NumberContext {
  readonly path: string;
  readonly lines: readonly number[];
  readonly rejects: RejectList | undefined;
  /** Global row of the chunk's first row. */
  readonly chunkStart: number;
}

function numberColumn(rows: readonly string[][], index: number, name: string, where: NumberContext): Column {
  const { path, lines, rejects } = where;
  const values = new Float64Array(rows.length);
  const nulls = new Uint8Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const text = rows[r]?.[index] ?? '';
    if (text === '') {
      nulls[r] = 1;
      values[r] = Number.NaN;
      continue;
    }
    const value = parseNumber(text);
    if (value === undefined) {
      const line = lines[r];
      if (rejects !== undefined) {
        rejects.add({ row: where.chunkStart + r, source: path, line, column: name, reason: 'expected a number', value: text });
        values[r] = Number.NaN;
        continue;
      }
      throw new InputError('BAD_VALUE', `Bad value in ${path} at line ${line}, column '${name}': expected a number, got ${JSON.stringify(text)}`, {
        context: { file: path, ...(line === undefined ? {} : { line }), column: name },
        hint: 'fix the value, or leave the field empty to mark it as missing',
      });
    }
    values[r] = value;
  }
  return { type: 'float64', values, nulls };
}
