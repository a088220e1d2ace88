// Source: CSV/TSV text -> column chunks, parsed straight from bytes by csv-scan.ts: numeric columns
// become Float64Arrays without a string per field. The default reader; csv.ts is the reference.
import type { InputError } from '../errors.js';
import type { Column, ColumnChunk, RejectList } from '../shared/chunk.js';
import { buildColumns, cellText, fieldCountOf, type FieldKind, type ScannedColumn } from './csv-fields.js';
import { CsvScanError, CsvScanner, DEFAULT_MAX_RECORD_BYTES, type CsvScannerOptions, type ScannedRecords } from './csv-scan.js';
import { badNumber, emptyCsv, fieldCountError, fieldCountReason, malformedCsv, NOT_A_NUMBER, STRAY_QUOTE, strayQuote } from './csv-errors.js';
import { fieldKinds, headerNames, readTextBytes, utf8Warnings, type Utf8Check } from './csv-text.js';
import type { ChunkOptions, OpenedSource, SourceRequest } from './source.js';

const decoder = new TextDecoder();

/** Pulls record batches from a byte stream through the scanner. */
class BatchReader {
  private readonly scanner: CsvScanner;
  private done = false;

  constructor(
    private readonly bytes: AsyncIterator<Buffer>,
    private readonly path: string,
    delimiter: string,
    options: Pick<CsvScannerOptions, 'maxRecordBytes' | 'strayQuotes'>,
  ) {
    this.scanner = new CsvScanner({ delimiter: delimiter.charCodeAt(0), ...options });
  }

  /** Up to `max` records; undefined at the end. The batch is valid until the next call. */
  async next(max: number): Promise<ScannedRecords | undefined> {
    for (;;) {
      const batch = this.scan(max);
      if (batch !== undefined || this.done) return batch;
      const chunk = await this.bytes.next();
      if (chunk.done === true) {
        this.done = true;
        this.scanner.end();
      } else {
        this.scanner.push(chunk.value);
      }
    }
  }

  private scan(max: number): ScannedRecords | undefined {
    try {
      return this.scanner.next(max);
    } catch (error) {
      if (!(error instanceof CsvScanError)) throw error;
      throw malformedCsv(this.path, error.line, error, this.scanner.maxRecordBytes, error);
    }
  }
}

/** Opens a CSV input with the byte scanner and reads its header row. */
export async function openCsvFast(request: SourceRequest): Promise<OpenedSource> {
  const { path } = request;
  const input = readTextBytes(path);
  const { utf8 } = input;
  const reader = new BatchReader(input.bytes, path, request.delimiter, {
    maxRecordBytes: request.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    strayQuotes: request.skipMalformed === true ? 'mark' : 'fail',
  });
  const header = await reader.next(1);
  if (header === undefined || header.count === 0) throw emptyCsv(path);
  const columnNames = headerNames(
    Array.from({ length: fieldCountOf(header, 0) }, (_, c) => cellText(header, 0, c)),
    path,
  );
  return {
    path,
    format: 'csv',
    columnNames,
    bytesRead: input.bytesRead,
    warnings: () => utf8Warnings(path, utf8),
    chunks: (options) => readChunks(reader, columnNames, options, { path, utf8, keepRecords: request.keepRecords === true }),
    close: async () => input.close(),
  };
}

interface Reading {
  readonly path: string;
  readonly utf8: Utf8Check;
  readonly keepRecords: boolean;
}

async function* readChunks(reader: BatchReader, columnNames: readonly string[], options: ChunkOptions, reading: Reading): AsyncGenerator<ColumnChunk> {
  const kinds = fieldKinds(columnNames, options);
  let firstRowInSource = 0;
  for (;;) {
    const batch = await reader.next(options.chunkRows);
    if (batch === undefined || batch.count === 0) return;
    const rowOffset = options.rowOffset + firstRowInSource;
    yield toChunk(batch, columnNames, kinds, { ...reading, rowOffset, firstRowInSource, rejects: options.rejects });
    firstRowInSource += batch.count;
  }
}

interface ChunkPlace extends Reading {
  readonly rowOffset: number;
  readonly firstRowInSource: number;
  readonly rejects: RejectList | undefined;
}

function toChunk(batch: ScannedRecords, columnNames: readonly string[], kinds: readonly FieldKind[], place: ChunkPlace): ColumnChunk {
  const { path, rejects } = place;
  const width = columnNames.length;
  const lines = batch.lines.slice(0, batch.count);
  const scanned = buildColumns(batch, kinds);
  const problems = findProblems(batch, width, columnNames, scanned);
  for (const problem of problems) {
    if (rejects === undefined) throw problem.error(path, lines[problem.row] as number);
    rejects.add({ row: place.rowOffset + problem.row, source: path, line: lines[problem.row], column: problem.column, reason: problem.reason, value: problem.value });
  }
  const columns = new Map<string, Column>();
  const passthrough = new Map<string, Column>();
  scanned.forEach((column, c) => {
    const name = columnNames[c] as string;
    if (column === undefined) return;
    if (column.type === 'string') {
      if (place.utf8.invalid) place.utf8.replacedCells += column.values.filter((text) => text?.includes('\uFFFD') === true).length;
      columns.set(name, { type: 'string', values: column.values });
    } else {
      columns.set(name, { type: 'float64', values: column.values, nulls: column.nulls });
      if (column.text !== undefined) passthrough.set(name, { type: 'string', values: column.text.values });
    }
  });
  const records = place.keepRecords ? Array.from({ length: batch.count }, (_, r) => decoder.decode(batch.bytes.subarray(batch.recordStart[r], batch.recordEnd[r]))) : undefined;
  return {
    rowOffset: place.rowOffset,
    rowCount: batch.count,
    columns,
    ...(passthrough.size === 0 ? {} : { passthrough }),
    origin: { source: path, lines, firstRowInSource: place.firstRowInSource, ...(records === undefined ? {} : { records }) },
    ...(rejects === undefined ? {} : { rejects }),
  };
}

interface RowProblem {
  readonly row: number;
  readonly column: string | undefined;
  readonly reason: string;
  readonly value: string;
  readonly error: (path: string, line: number) => InputError;
}

/** Rows with a stray quote, the wrong number of fields or a non-number in a numeric column, in row order (one per row). */
function findProblems(batch: ScannedRecords, width: number, columnNames: readonly string[], scanned: readonly (ScannedColumn | undefined)[]): RowProblem[] {
  const byRow = new Map<number, RowProblem>();
  for (let r = 0; r < batch.count; r++) {
    const stray = batch.strayQuoteField[r] as number;
    if (stray >= 0) {
      byRow.set(r, { row: r, column: columnNames[stray], reason: STRAY_QUOTE, value: cellText(batch, r, stray), error: (path, line) => strayQuote(path, line) });
      continue;
    }
    const fields = fieldCountOf(batch, r);
    if (fields === width) continue;
    byRow.set(r, { row: r, column: undefined, reason: fieldCountReason(width, fields), value: '', error: (path, line) => fieldCountError(path, line, width, fields) });
  }
  scanned.forEach((column, c) => {
    if (column?.type !== 'float64') return;
    const name = columnNames[c] as string;
    for (const r of column.invalid) {
      if (byRow.has(r)) continue;
      const text = cellText(batch, r, c);
      byRow.set(r, {
        row: r,
        column: name,
        reason: NOT_A_NUMBER,
        value: text,
        error: (path, line) => badNumber(path, line, name, text),
      });
    }
  });
  return [...byRow.values()].sort((a, b) => a.row - b.row);
}
