// The currency between stages: a batch of rows held column by column, with where it came from.
import { InputError, InternalError } from '../errors.js';

/** A typed column. `nulls[i] === 1` marks row i as missing; strings use `null` instead. */
export type Column =
  | { readonly type: 'float64'; readonly values: Float64Array; readonly nulls?: Uint8Array }
  | { readonly type: 'float32'; readonly values: Float32Array; readonly nulls?: Uint8Array }
  | { readonly type: 'int32'; readonly values: Int32Array; readonly nulls?: Uint8Array }
  | { readonly type: 'int64'; readonly values: BigInt64Array; readonly nulls?: Uint8Array }
  | { readonly type: 'bool'; readonly values: Uint8Array; readonly nulls?: Uint8Array }
  | { readonly type: 'string'; readonly values: readonly (string | null)[] }
  | TensorColumn;

/**
 * One tensor per row (an image's pixels, a text's token ids), row after row in `values`; made by
 * pipeline steps for model inputs, never read from or written to a file. Float16 values are bits.
 */
export type TensorColumn =
  | { readonly type: 'tensor'; readonly dtype: 'float32'; readonly shape: readonly number[]; readonly values: Float32Array; readonly nulls?: undefined }
  | { readonly type: 'tensor'; readonly dtype: 'float16'; readonly shape: readonly number[]; readonly values: Uint16Array; readonly nulls?: undefined }
  | { readonly type: 'tensor'; readonly dtype: 'int64'; readonly shape: readonly number[]; readonly values: BigInt64Array; readonly nulls?: undefined };

/**
 * A kept Arrow or Parquet column of an integer type that the other stages read as float64 (int8,
 * int16, uint8, uint16, uint32, uint64): it rides only in a chunk's `passthrough`, so the output
 * writes it back with its own type and values.
 */
export type IntegerColumn =
  | { readonly type: 'int8'; readonly values: Int8Array; readonly nulls?: Uint8Array }
  | { readonly type: 'int16'; readonly values: Int16Array; readonly nulls?: Uint8Array }
  | { readonly type: 'uint8'; readonly values: Uint8Array; readonly nulls?: Uint8Array }
  | { readonly type: 'uint16'; readonly values: Uint16Array; readonly nulls?: Uint8Array }
  | { readonly type: 'uint32'; readonly values: Uint32Array; readonly nulls?: Uint8Array }
  | { readonly type: 'uint64'; readonly values: BigUint64Array; readonly nulls?: Uint8Array };

/**
 * A kept Arrow or Parquet column that the other stages read in another form (a decimal as float64,
 * a date or a timestamp as ISO text): its Arrow type and its values as they are in the file (a
 * decimal is `bitWidth / 32` little-endian words per row), so the output writes them back exactly.
 */
export type ExactColumn =
  | { readonly type: 'decimal'; readonly precision: number; readonly scale: number; readonly bitWidth: number; readonly values: Uint32Array; readonly nulls?: Uint8Array }
  | { readonly type: 'date32'; readonly values: Int32Array; readonly nulls?: Uint8Array }
  | { readonly type: 'date64'; readonly values: BigInt64Array; readonly nulls?: Uint8Array }
  | { readonly type: 'timestamp'; readonly unit: TimeUnitName; readonly timezone: string | null; readonly values: BigInt64Array; readonly nulls?: Uint8Array };

export type TimeUnitName = 'second' | 'millisecond' | 'microsecond' | 'nanosecond';

/** A column as the output writes it: any column, or a kept column of its own Arrow type. */
export type KeptColumn = Column | IntegerColumn | ExactColumn;

/** Array elements per row: a tensor's size, a decimal's words, else one. */
function rowWidth(column: Exclude<KeptColumn, { type: 'string' }>): number {
  return column.type === 'tensor' ? tensorSize(column) : column.type === 'decimal' ? column.bitWidth / 32 : 1;
}

/** Values per row of a tensor column. */
export function tensorSize(column: TensorColumn): number {
  return column.shape.reduce((product, dim) => product * dim, 1);
}

export type ColumnType = Column['type'];

/** Where a chunk's rows were read from, so errors can point at real input lines. */
export interface ChunkOrigin {
  /** The input path as the user gave it ('-' for stdin). */
  readonly source: string;
  /** Physical line number (1-based) of each row, for line-oriented sources. */
  readonly lines?: Uint32Array;
  /** 0-based index of the chunk's first row within its own input file. */
  readonly firstRowInSource: number;
  /** Each row's original text, kept only when bad rows are skipped (for the rejects file). */
  readonly records?: readonly string[];
}

/** Why one input row cannot be scored. */
export interface Reject {
  /** Global 0-based data row. */
  readonly row: number;
  readonly source: string;
  readonly line: number | undefined;
  readonly column: string | undefined;
  /** What is wrong, without the value (stable, for counting by reason). */
  readonly reason: string;
  readonly value: string;
}

/**
 * Rows that cannot be scored (with --on-error skip). One list serves a whole run and every view of
 * its chunks (slices, joined batches, preprocessed copies): it is keyed by global row, so any
 * stage can add to it and the runner takes a batch's rejects once the batch is through.
 */
export class RejectList {
  private readonly byRow = new Map<number, Reject>();

  /** Keeps the first problem found for a row. */
  add(reject: Reject): void {
    if (!this.byRow.has(reject.row)) this.byRow.set(reject.row, reject);
  }

  has(row: number): boolean {
    return this.byRow.has(row);
  }

  get size(): number {
    return this.byRow.size;
  }

  /** Removes and returns the rejects of rows [start, end), in row order. */
  take(start: number, end: number): Reject[] {
    const taken = [...this.byRow.values()].filter((reject) => reject.row >= start && reject.row < end).sort((a, b) => a.row - b.row);
    for (const reject of taken) this.byRow.delete(reject.row);
    return taken;
  }
}

/**
 * A batch of rows, column by column. `rowOffset` is the global 0-based row index across all
 * inputs of the run, so rejects and reports point at real rows.
 */
export interface ColumnChunk {
  readonly rowOffset: number;
  readonly rowCount: number;
  /**
   * The global row of each row, present once bad rows have left the batch (they leave where they
   * are found, so later stages never see them); without it, row i is `rowOffset + i`.
   */
  readonly rowIds?: Float64Array;
  /** Insertion order is the column order of the input. */
  readonly columns: ReadonlyMap<string, Column>;
  /**
   * Kept columns as read, for those that `columns` holds in another form (a CSV field parsed into a
   * number for the model): the output copies these, so feeding a column never changes how it is kept.
   */
  readonly passthrough?: ReadonlyMap<string, KeptColumn>;
  readonly origin: ChunkOrigin;
  /** Present when bad rows are skipped rather than fatal: stages add the rows they cannot use (shared, run-wide). */
  readonly rejects?: RejectList;
}

/** The global row of row `i` of a chunk. */
export function rowAt(chunk: ColumnChunk, i: number): number {
  return chunk.rowIds === undefined ? chunk.rowOffset + i : (chunk.rowIds[i] as number);
}

/** Column `name` as the output copies it: as read, before any parsing for the model. */
export function keptColumn(chunk: ColumnChunk, name: string): KeptColumn | undefined {
  return chunk.passthrough?.get(name) ?? chunk.columns.get(name);
}

/** True when row `i` of `column` is missing. */
export function isNull(column: Column, i: number): boolean {
  if (column.type === 'string') return column.values[i] === null;
  return column.nulls !== undefined && column.nulls[i] === 1;
}

/** The physical line of row `i` of a chunk, when the source is line-oriented. */
export function lineOf(chunk: ColumnChunk, i: number): number | undefined {
  return chunk.origin.lines?.[i];
}

/** Where row `i` of a chunk is in its input, for messages: "line 12" or, without lines, "row 11". */
export function placeOf(chunk: ColumnChunk, i: number): string {
  const line = lineOf(chunk, i);
  return line === undefined ? `row ${chunk.origin.firstRowInSource + rowAt(chunk, i) - chunk.rowOffset}` : `line ${line}`;
}

/** Who needed a value, for messages: a model input or a step, and what the user can do about it. */
export interface NeededBy {
  readonly modelInput?: string;
  readonly label: string;
  readonly hint?: string;
}

/**
 * The error for a cell that cannot be used: names the input, line (or row), column, and, where
 * given, the model input or step that needed it.
 */
export function badValueError(chunk: ColumnChunk, i: number, column: string, problem: string, got: string, neededBy?: NeededBy): InputError {
  const line = lineOf(chunk, i);
  const by = neededBy === undefined ? '' : ` (${neededBy.label})`;
  return new InputError('BAD_VALUE', `Bad value in ${chunk.origin.source} at ${placeOf(chunk, i)}, column '${column}'${by}: ${problem}, got ${JSON.stringify(got)}`, {
    context: {
      file: chunk.origin.source,
      ...(line === undefined ? {} : { line }),
      column,
      row: rowAt(chunk, i),
      ...(neededBy?.modelInput === undefined ? {} : { modelInput: neededBy.modelInput }),
    },
    hint: neededBy?.hint ?? 'fix the value in the input (an empty field is a missing value: see --missing); --on-error skip sends such rows to the rejects file',
  });
}

/**
 * Reports a cell that cannot be used. Without a reject list the run stops with the error; with one,
 * the row is marked as rejected and the caller goes on with a placeholder value.
 */
export function rejectValue(chunk: ColumnChunk, i: number, column: string, problem: string, got: string, neededBy?: NeededBy): void {
  rejectRow(chunk, i, { column, reason: neededBy === undefined ? problem : `${problem} (${neededBy.label})`, value: got }, () => badValueError(chunk, i, column, problem, got, neededBy));
}

/** Rejects row `i` (with a reject list), else stops the run with `error()`. */
export function rejectRow(chunk: ColumnChunk, i: number, cell: { readonly column: string; readonly reason: string; readonly value: string }, error: () => InputError): void {
  if (chunk.rejects === undefined) throw error();
  chunk.rejects.add({ row: rowAt(chunk, i), source: chunk.origin.source, line: lineOf(chunk, i), ...cell });
}

/** Rows [start, end) of a column, sharing memory where the representation allows. */
export function sliceColumn<C extends KeptColumn>(column: C, start: number, end: number): C {
  return sliceAny(column, start, end) as C;
}

function sliceAny(column: KeptColumn, start: number, end: number): KeptColumn {
  switch (column.type) {
    case 'string':
      return { type: 'string', values: column.values.slice(start, end) };
    default: {
      // Every other column is one typed array (`rowWidth` elements a row) and its null mask.
      const width = rowWidth(column);
      const values = column.values.subarray(start * width, end * width);
      return { ...column, values, ...(column.nulls === undefined ? {} : { nulls: column.nulls.subarray(start, end) }) } as KeptColumn;
    }
  }
}

/** Rows [start, end) of a chunk. */
export function sliceChunk(chunk: ColumnChunk, start: number, end: number): ColumnChunk {
  const columns = mapColumns(chunk.columns, (column) => sliceColumn(column, start, end));
  const passthrough = chunk.passthrough === undefined ? undefined : mapColumns(chunk.passthrough, (column) => sliceColumn(column, start, end));
  const lines = chunk.origin.lines?.subarray(start, end);
  const records = chunk.origin.records?.slice(start, end);
  // Without row ids the slice starts a span of its own; with them, rows keep their place in the span.
  const rowIds = chunk.rowIds?.subarray(start, end);
  const shift = rowIds === undefined ? start : 0;
  return {
    rowOffset: chunk.rowOffset + shift,
    rowCount: end - start,
    ...(rowIds === undefined ? {} : { rowIds }),
    columns,
    ...(passthrough === undefined ? {} : { passthrough }),
    origin: {
      source: chunk.origin.source,
      firstRowInSource: chunk.origin.firstRowInSource + shift,
      ...(lines === undefined ? {} : { lines }),
      ...(records === undefined ? {} : { records }),
    },
    ...(chunk.rejects === undefined ? {} : { rejects: chunk.rejects }),
  };
}

/** The rows at `indices` (ascending) of a chunk; they keep their global rows. */
export function takeChunkRows(chunk: ColumnChunk, indices: Int32Array): ColumnChunk {
  const columns = mapColumns(chunk.columns, (column) => takeRows(column, indices));
  const passthrough = chunk.passthrough === undefined ? undefined : mapColumns(chunk.passthrough, (column) => takeRows(column, indices));
  const { lines, records } = chunk.origin;
  return {
    rowOffset: chunk.rowOffset,
    rowCount: indices.length,
    rowIds: Float64Array.from(indices, (i) => rowAt(chunk, i)),
    columns,
    ...(passthrough === undefined ? {} : { passthrough }),
    origin: {
      source: chunk.origin.source,
      firstRowInSource: chunk.origin.firstRowInSource,
      ...(lines === undefined ? {} : { lines: Uint32Array.from(indices, (i) => lines[i] as number) }),
      ...(records === undefined ? {} : { records: Array.from(indices, (i) => records[i] as string) }),
    },
    ...(chunk.rejects === undefined ? {} : { rejects: chunk.rejects }),
  };
}

/** The chunk without the rows its reject list holds: bad rows leave the batch where they are found. */
export function withoutRejected(chunk: ColumnChunk): ColumnChunk {
  const rejects = chunk.rejects;
  if (rejects === undefined || rejects.size === 0) return chunk;
  return withoutRows(chunk, (row) => rejects.has(row));
}

/** The chunk without the rows whose global row `dropped` says. */
export function withoutRows(chunk: ColumnChunk, dropped: (row: number) => boolean): ColumnChunk {
  const keep = keptRows(chunk, dropped);
  return keep === undefined ? chunk : takeChunkRows(chunk, keep);
}

/** Indices of the rows `dropped` does not name; undefined when it names none. */
export function keptRows(chunk: ColumnChunk, dropped: (row: number) => boolean): Int32Array | undefined {
  const keep = new Int32Array(chunk.rowCount);
  let kept = 0;
  for (let i = 0; i < chunk.rowCount; i++) if (!dropped(rowAt(chunk, i))) keep[kept++] = i;
  return kept === chunk.rowCount ? undefined : keep.subarray(0, kept);
}

/** The rows at `indices` (ascending) of a column. */
export function takeRows<C extends KeptColumn>(column: C, indices: Int32Array): C {
  return takeAny(column, indices) as C;
}

function takeAny(column: KeptColumn, indices: Int32Array): KeptColumn {
  if (column.type === 'string') return { type: 'string', values: Array.from(indices, (i) => column.values[i] ?? null) };
  const width = rowWidth(column);
  if (width !== 1) {
    const Wide = column.values.constructor as new (length: number) => { set(source: ArrayLike<unknown>, offset: number): void };
    const values = new Wide(indices.length * width);
    indices.forEach((row, i) => values.set(column.values.subarray(row * width, (row + 1) * width) as ArrayLike<unknown>, i * width));
    const nulls = column.nulls === undefined ? undefined : Uint8Array.from(indices, (row) => column.nulls?.[row] ?? 0);
    return { ...column, values, ...(nulls === undefined ? {} : { nulls }) } as KeptColumn;
  }
  const Values = column.values.constructor as new (length: number) => { [i: number]: number | bigint };
  const values = new Values(indices.length);
  const nulls = column.nulls === undefined ? undefined : new Uint8Array(indices.length);
  indices.forEach((row, i) => {
    values[i] = column.values[row] as number | bigint;
    if (nulls !== undefined) nulls[i] = column.nulls?.[row] ?? 0;
  });
  return { ...column, values, ...(nulls === undefined ? {} : { nulls }) } as KeptColumn;
}

/** Joins columns of the same type end to end (used to merge small batches). */
export function concatColumns<C extends KeptColumn>(parts: readonly C[]): C {
  return concatAny(parts) as C;
}

function concatAny(parts: readonly KeptColumn[]): KeptColumn {
  const first = parts[0];
  if (first === undefined) throw new InternalError('concatColumns needs at least one column');
  if (parts.length === 1) return first;
  for (const part of parts) {
    if (part.type !== first.type) throw new InternalError(`cannot join a ${part.type} column to a ${first.type} column`);
  }
  if (first.type === 'string') return { type: 'string', values: parts.flatMap((part) => part.values as readonly (string | null)[]) };
  const numeric = parts as readonly Exclude<KeptColumn, { type: 'string' }>[];
  const width = rowWidth(first);
  const total = numeric.reduce((sum, part) => sum + part.values.length, 0);
  const anyNulls = numeric.some((part) => part.nulls !== undefined);
  const nulls = anyNulls ? new Uint8Array(total / width) : undefined;
  const Values = first.values.constructor as new (length: number) => { set(source: ArrayLike<unknown>, offset: number): void };
  const values = new Values(total);
  let offset = 0;
  for (const part of numeric) {
    values.set(part.values, offset);
    if (nulls !== undefined && part.nulls !== undefined) nulls.set(part.nulls, offset / width);
    offset += part.values.length;
  }
  return { ...first, values, ...(nulls === undefined ? {} : { nulls }) } as KeptColumn;
}

/** Joins consecutive chunks of one input end to end (lines and records too). */
export function concatChunks(parts: readonly ColumnChunk[]): ColumnChunk {
  const first = parts[0];
  if (first === undefined) throw new InternalError('concatChunks needs at least one chunk');
  if (parts.length === 1) return first;
  const columns = mapColumns(first.columns, (_, name) => concatColumns(parts.map((part) => part.columns.get(name) as Column)));
  const passthrough = first.passthrough === undefined ? undefined : mapColumns(first.passthrough, (_, name) => concatColumns(parts.map((part) => part.passthrough?.get(name) as KeptColumn)));
  const lineParts = parts.map((part) => part.origin.lines);
  const lines = lineParts.every((part) => part !== undefined) ? joinLines(lineParts as Uint32Array[]) : undefined;
  const recordParts = parts.map((part) => part.origin.records);
  const records = recordParts.every((part) => part !== undefined) ? recordParts.flat() : undefined;
  const rowCount = parts.reduce((sum, part) => sum + part.rowCount, 0);
  const rowIds = parts.some((part) => part.rowIds !== undefined) ? joinRowIds(parts, rowCount) : undefined;
  return {
    rowOffset: first.rowOffset,
    rowCount,
    ...(rowIds === undefined ? {} : { rowIds }),
    columns,
    ...(passthrough === undefined ? {} : { passthrough }),
    origin: {
      source: first.origin.source,
      firstRowInSource: first.origin.firstRowInSource,
      ...(lines === undefined ? {} : { lines }),
      ...(records === undefined ? {} : { records }),
    },
    ...(first.rejects === undefined ? {} : { rejects: first.rejects }),
  };
}

function mapColumns<C extends KeptColumn>(columns: ReadonlyMap<string, C>, map: (column: C, name: string) => C): Map<string, C> {
  const mapped = new Map<string, C>();
  for (const [name, column] of columns) mapped.set(name, map(column, name));
  return mapped;
}

function joinRowIds(parts: readonly ColumnChunk[], rowCount: number): Float64Array {
  const joined = new Float64Array(rowCount);
  let offset = 0;
  for (const part of parts) for (let i = 0; i < part.rowCount; i++) joined[offset++] = rowAt(part, i);
  return joined;
}

function joinLines(parts: readonly Uint32Array[]): Uint32Array {
  const joined = new Uint32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
