// Sources: what a reader sees in a data file (for `inspect <data file>`): its columns and their
// types, the row count where it costs nothing (a Parquet footer), and the first rows as text.
import type { Column } from '../shared/chunk.js';
import { formatFloat32, formatFloat64, parseNumber } from '../shared/values.js';
import type { OpenedSource } from './source.js';

/** One column as the reader delivers it. */
export interface ColumnView {
  readonly name: string;
  /** The reader's column type: float64, int64, ..., or text. */
  readonly type: string;
  /** The file's own type, where the format declares one (Parquet's schema). */
  readonly declared: string | undefined;
  /** For text columns: every non-empty value of the sample is a number (it can feed a numeric model input). */
  readonly numbersOnly: boolean;
  /** Missing values among the sampled rows. */
  readonly missing: number;
}

/** What `inspect` shows of a data file. */
export interface InputView {
  readonly path: string;
  readonly format: string;
  /** Rows in the file, when known without reading it all (Parquet's footer, or a file shorter than the sample); else undefined. */
  readonly rows: number | undefined;
  /** Where the row count comes from: the file's metadata, or reading it all (a file shorter than the sample). */
  readonly rowsFrom: 'metadata' | 'read' | undefined;
  /** Rows read to describe the columns (up to the sample size). */
  readonly sampledRows: number;
  readonly columns: readonly ColumnView[];
  /** The first rows, each cell as text ('' for a missing value). */
  readonly firstRows: readonly (readonly string[])[];
}

/** Options of describeInput. */
export interface DescribeOptions {
  /** Rows read to tell the column types. */
  readonly sampleRows: number;
  /** Rows returned as text. */
  readonly showRows: number;
}

/** Reads the first rows of an opened source (nothing parsed as numbers: what the file holds) and describes them. */
export async function describeInput(source: OpenedSource, options: DescribeOptions): Promise<InputView> {
  const declared = new Map((source.fields ?? []).map((field) => [field.name, field.type]));
  const chunks = source.chunks({ chunkRows: options.sampleRows, rowOffset: 0, numericColumns: new Set() })[Symbol.asyncIterator]();
  const head = await chunks.next();
  const first = head.done === true ? undefined : head.value.columns;
  const sampled = head.done === true ? 0 : head.value.rowCount;
  // A sample that is the whole input counts its rows: look one chunk further.
  const whole = head.done === true || (await chunks.next()).done === true;
  await chunks.return?.(undefined);
  const columns = source.columnNames.map((name): ColumnView => {
    const column = first?.get(name);
    const cells = column === undefined ? [] : Array.from({ length: sampled }, (_, row) => cellText(column, row));
    const present = cells.filter((cell): cell is string => cell !== undefined);
    const nonEmpty = present.filter((cell) => cell !== '');
    return {
      name,
      type: column === undefined ? 'unknown' : column.type === 'string' ? 'text' : column.type,
      declared: declared.get(name),
      numbersOnly: column?.type === 'string' && nonEmpty.length > 0 && nonEmpty.every((cell) => parseNumber(cell) !== undefined),
      missing: cells.length - present.length,
    };
  });
  const showRows = Math.min(options.showRows, sampled);
  return {
    path: source.path,
    format: source.format,
    rows: source.rowCount ?? (whole ? sampled : undefined),
    rowsFrom: source.rowCount !== undefined ? 'metadata' : whole ? 'read' : undefined,
    sampledRows: sampled,
    columns,
    firstRows: Array.from({ length: showRows }, (_, row) => source.columnNames.map((name) => {
      const column = first?.get(name);
      return column === undefined ? '' : (cellText(column, row) ?? '');
    })),
  };
}

/** A cell as text; undefined when missing. */
function cellText(column: Column, row: number): string | undefined {
  if (column.type === 'string') return column.values[row] ?? undefined;
  if (column.nulls?.[row] === 1) return undefined;
  const value = column.values[row];
  if (column.type === 'bool') return value === 1 ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  return column.type === 'float32' ? formatFloat32(value as number) : formatFloat64(value as number);
}
