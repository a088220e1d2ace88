// Source: CSV/TSV text (file or stdin) -> column chunks with csv-parse (the reference reader,
// --csv-parser reference). The only importer of csv-parse.
import { Readable } from 'node:stream';
import { parse, CsvError, type CastingContext, type Info } from 'csv-parse';
import { InputError } from '../errors.js';
import { parseNumber } from '../shared/values.js';
import type { Column, ColumnChunk, RejectList } from '../shared/chunk.js';
import { badNumber, emptyCsv, fieldCountError, fieldCountReason, malformedCsv, NOT_A_NUMBER, STRAY_QUOTE, strayQuote } from './csv-errors.js';
import { DEFAULT_MAX_RECORD_BYTES } from './csv-scan.js';
import { fieldKinds, headerNames, readTextBytes, utf8Warnings, type Utf8Check } from './csv-text.js';
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
  const maxRecordBytes = request.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const input = readTextBytes(path);
  const { utf8 } = input;
  const checked = Readable.from(input.bytes);
  /** Records (by csv-parse's count, from 1) with a quote in the middle of an unquoted field, and that field. */
  const strayQuotes = new Map<number, number>();
  const parser = checked.pipe(
    parse({
      delimiter: request.delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // csv-parse counts the characters of a record's finished fields and the bytes of the open one.
      max_record_size: maxRecordBytes,
      // Always: a quote left open is placed by its record's text (see toInputError); records are kept only when asked.
      raw: true,
      // Skipping bad rows: a stray quote is read as text to the record's end (relax_quotes), and
      // noted where csv-parse says whether the field was quoted, to reject that row.
      ...(request.skipMalformed === true
        ? {
            relax_quotes: true,
            cast: (value: string, context: CastingContext): string => {
              if (!context.quoting && value.includes('"') && !strayQuotes.has(context.records + 1)) strayQuotes.set(context.records + 1, context.index);
              return value;
            },
          }
        : {}),
    }),
  );
  checked.on('error', (error) => parser.destroy(error));
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<CsvRecord>;
  const lines = new LineTracker();

  const first = await nextRecord(records, path, maxRecordBytes);
  if (first === undefined) throw emptyCsv(path);
  lines.next(first.info, first.record);
  strayQuotes.delete(first.info.records); // a header with a stray quote is read as its text
  const columnNames = headerNames(first.record, path);

  return {
    path,
    format: 'csv',
    columnNames,
    bytesRead: input.bytesRead,
    warnings: () => utf8Warnings(path, utf8),
    chunks: (options) => readChunks(records, columnNames, options, { path, lines, utf8, keepRecords: request.keepRecords === true, maxRecordBytes, strayQuotes }),
    close: async () => {
      parser.destroy();
      input.close();
    },
  };
}

async function nextRecord(records: AsyncIterator<CsvRecord>, path: string, maxRecordBytes: number): Promise<CsvRecord | undefined> {
  try {
    const result = await records.next();
    return result.done === true ? undefined : result.value;
  } catch (error) {
    throw toInputError(error, path, maxRecordBytes);
  }
}

function toInputError(error: unknown, path: string, maxRecordBytes: number): unknown {
  if (error instanceof InputError) return error;
  if (error instanceof CsvError) {
    // csv-parse copies its counters and the open record's text onto the error.
    const { lines: at, raw } = error as unknown as { lines?: unknown; raw?: unknown };
    // A quote left open is found at the end of the input; the scanner reports the line it opened
    // on. Counting back over the open record's text (blank lines before it aside) gives the line
    // the record starts on: the same, unless an earlier field of that record spans lines. A record
    // over the size limit, found on the line being read, is placed at the line it starts on too.
    const opened = error.code === 'CSV_QUOTE_NOT_CLOSED' ? 1 : error.code === 'CSV_MAX_RECORD_SIZE' ? 0 : undefined;
    const line = typeof at !== 'number' ? undefined : opened !== undefined && typeof raw === 'string' ? at + opened - countLineBreaks(raw.replace(/^[\r\n]+/, '')) : at;
    return malformedCsv(path, line, error, maxRecordBytes, error);
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
  reading: {
    readonly path: string;
    readonly lines: LineTracker;
    readonly utf8: Utf8Check;
    readonly keepRecords: boolean;
    readonly maxRecordBytes: number;
    readonly strayQuotes: Map<number, number>;
  },
): AsyncGenerator<ColumnChunk> {
  const { path, lines, utf8, keepRecords, maxRecordBytes, strayQuotes } = reading;
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
      const next = await nextRecord(records, path, maxRecordBytes);
      if (next === undefined) break;
      const line = lines.next(next.info, next.record);
      let record = next.record;
      const stray = strayQuotes.get(next.info.records);
      strayQuotes.delete(next.info.records);
      if (stray !== undefined || record.length !== width) {
        if (rejects === undefined) {
          pending = stray !== undefined ? strayQuote(path, line) : fieldCountError(path, line, width, record.length);
          break;
        }
        const row = options.rowOffset + firstRowInSource + rows.length;
        if (stray !== undefined) rejects.add({ row, source: path, line, column: columnNames[stray], reason: STRAY_QUOTE, value: record[stray] ?? '' });
        else rejects.add({ row, source: path, line, column: undefined, reason: fieldCountReason(width, record.length), value: '' });
        record = new Array<string>(width).fill('');
      }
      rows.push(record);
      rowLines.push(line);
      if (keepRecords && next.raw !== undefined) raws.push(next.raw.replace(/\r?\n?$|\r$/, ''));
    }
    if (rows.length === 0) {
      if (pending !== undefined) throw pending;
      return;
    }
    const chunkStart = options.rowOffset + firstRowInSource;
    const columns = new Map<string, Column>();
    const passthrough = new Map<string, Column>();
    columnNames.forEach((name, index) => {
      const kind = kinds[index];
      if (kind === 'skip') return;
      if (kind === 'number and text') passthrough.set(name, textColumn(rows, index));
      const column = kind === 'text' ? textColumn(rows, index) : numberColumn(rows, index, name, { path, lines: rowLines, rejects, chunkStart });
      // Only an input that had invalid bytes is searched for the replacement character.
      if (utf8.invalid && column.type === 'string') utf8.replacedCells += column.values.filter((text) => text?.includes('\uFFFD') === true).length;
      columns.set(name, column);
    });
    yield {
      rowOffset: chunkStart,
      rowCount: rows.length,
      columns,
      ...(passthrough.size === 0 ? {} : { passthrough }),
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
        rejects.add({ row: where.chunkStart + r, source: path, line, column: name, reason: NOT_A_NUMBER, value: text });
        values[r] = Number.NaN;
        continue;
      }
      throw badNumber(path, line, name, text);
    }
    values[r] = value;
  }
  return { type: 'float64', values, nulls };
}
