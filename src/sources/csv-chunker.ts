// Re-cuts the parsed parts of consecutive ranges into chunks of exactly chunkRows rows, in file order,
// raising each bad field where its chunk is reached so that no later row comes out before it.
import { InternalError } from '../errors.js';
import type { Column, ColumnChunk } from '../shared/chunk.js';
import type { RangePart, WireColumn } from './csv-range-worker.js';
import { badNumber, fieldCountError, fieldCountReason, NOT_A_NUMBER, STRAY_QUOTE, strayQuote } from './csv-errors.js';
import type { Utf8Check } from './csv-text.js';
import { decodeCodes } from './field-dictionary.js';
import type { ChunkOptions } from './source.js';

/** A part with absolute lines, and how much of it was cut into chunks. */
interface QueuedPart {
  readonly part: RangePart;
  /** Rows already taken. */
  taken: number;
  /** Problems already taken (they are in row order). */
  problemsTaken: number;
}

/** Re-cuts parts into chunks of exactly chunkRows rows, built and checked as csv-fast.ts's toChunk. */
export class Chunker {
  private readonly parts: QueuedPart[] = [];
  private available = 0;
  private firstRowInSource = 0;

  constructor(
    private readonly columnNames: readonly string[],
    private readonly options: ChunkOptions,
    private readonly path: string,
    private readonly utf8: Utf8Check,
  ) {}

  /** Queues parts whose lines count from `lineAtStart`. */
  add(parts: readonly RangePart[], lineAtStart: number): void {
    for (const part of parts) {
      const { lines } = part;
      for (let r = 0; r < lines.length; r++) lines[r] = (lines[r] as number) + lineAtStart;
      this.parts.push({ part, taken: 0, problemsTaken: 0 });
      this.available += part.rowCount;
    }
  }

  /** A full chunk; with `last`, also a shorter one. */
  next(last: boolean): ColumnChunk | undefined {
    const { chunkRows } = this.options;
    if (this.available === 0 || (this.available < chunkRows && !last)) return undefined;
    const count = Math.min(chunkRows, this.available);
    const pieces: { readonly queued: QueuedPart; readonly from: number; readonly to: number }[] = [];
    for (let need = count; need > 0; ) {
      const queued = this.parts[0] as QueuedPart;
      const from = queued.taken;
      const to = Math.min(queued.part.rowCount, from + need);
      pieces.push({ queued, from, to });
      queued.taken = to;
      need -= to - from;
      if (to === queued.part.rowCount) this.parts.shift();
    }
    this.available -= count;
    const firstRowInSource = this.firstRowInSource;
    this.firstRowInSource += count;
    return this.build(pieces, count, firstRowInSource);
  }

  private build(pieces: readonly { readonly queued: QueuedPart; readonly from: number; readonly to: number }[], count: number, firstRowInSource: number): ColumnChunk {
    const { path, columnNames } = this;
    const { rejects } = this.options;
    const rowOffset = this.options.rowOffset + firstRowInSource;
    const width = columnNames.length;
    const whole = pieces.length === 1 && pieces[0]?.from === 0 && pieces[0].to === pieces[0].queued.part.rowCount;
    const lines = whole ? (pieces[0]?.queued.part.lines as Uint32Array) : new Uint32Array(count);
    const problems: (RangePart['problems'][number] & { readonly row: number })[] = [];
    let at = 0;
    for (const { queued, from, to } of pieces) {
      if (!whole) lines.set(queued.part.lines.subarray(from, to), at);
      const list = queued.part.problems;
      while (queued.problemsTaken < list.length && (list[queued.problemsTaken]?.row as number) < to) {
        const problem = list[queued.problemsTaken++] as (typeof list)[number];
        problems.push({ ...problem, row: at + problem.row - from });
      }
      at += to - from;
    }
    for (const problem of problems) {
      const line = lines[problem.row] as number;
      const name = problem.column < 0 ? undefined : (columnNames[problem.column] as string);
      if (rejects === undefined) throw problem.strayQuote === true ? strayQuote(path, line) : name === undefined ? fieldCountError(path, line, width, problem.fields) : badNumber(path, line, name, problem.value);
      const reason = problem.strayQuote === true ? STRAY_QUOTE : name === undefined ? fieldCountReason(width, problem.fields) : NOT_A_NUMBER;
      rejects.add({ row: rowOffset + problem.row, source: path, line, column: name, reason, value: problem.value });
    }
    const columns = new Map<string, Column>();
    const passthrough = new Map<string, Column>();
    columnNames.forEach((name, c) => {
      const columnPieces = pieces.map(({ queued, from, to }) => ({ column: queued.part.columns[c] as WireColumn, from, to, rows: queued.part.rowCount }));
      const column = joinColumn(columnPieces, count);
      if (column === undefined) return;
      if (column.type === 'string' && this.utf8.invalid) this.utf8.replacedCells += column.values.filter((text) => text?.includes('\uFFFD') === true).length;
      columns.set(name, column);
      const first = columnPieces[0]?.column;
      if (first?.type === 'float64' && first.text !== undefined) {
        passthrough.set(name, joinText(columnPieces.map((piece) => ({ ...piece, column: piece.column.type === 'float64' ? piece.column.text : undefined })), count));
      }
    });
    const records = pieces[0]?.queued.part.records === undefined ? undefined : pieces.flatMap(({ queued, from, to }) => (queued.part.records as string[]).slice(from, to));
    return {
      rowOffset,
      rowCount: count,
      columns,
      ...(passthrough.size === 0 ? {} : { passthrough }),
      origin: { source: path, lines, firstRowInSource, ...(records === undefined ? {} : { records }) },
      ...(rejects === undefined ? {} : { rejects }),
    };
  }
}

interface Piece<C> {
  readonly column: C;
  readonly from: number;
  readonly to: number;
  readonly rows: number;
}

/** Rows [from, to) of each piece, end to end: the piece's own arrays when it is one whole float part; undefined for a skipped column. */
function joinColumn(pieces: readonly Piece<WireColumn>[], count: number): Column | undefined {
  const first = pieces[0];
  if (first === undefined) throw new InternalError('joinColumn needs a piece');
  if (first.column.type === 'string' || first.column.type === 'dictionary') return joinText(pieces, count);
  if (first.column.type === 'skipped') return undefined;
  if (pieces.length === 1 && first.from === 0 && first.to === first.rows) return { type: 'float64', values: first.column.values, nulls: first.column.nulls };
  const values = new Float64Array(count);
  const nulls = new Uint8Array(count);
  let at = 0;
  for (const { column, from, to } of pieces) {
    if (column.type !== 'float64') throw new InternalError('a CSV column changed type between ranges');
    values.set(column.values.subarray(from, to), at);
    nulls.set(column.nulls.subarray(from, to), at);
    at += to - from;
  }
  return { type: 'float64', values, nulls };
}

/** Rows [from, to) of each piece's text, end to end. */
function joinText(pieces: readonly Piece<WireColumn | undefined>[], count: number): Column {
  const values = new Array<string | null>(count);
  let at = 0;
  for (const { column, from, to } of pieces) {
    if (column?.type === 'dictionary') {
      decodeCodes(column.codes, column.texts, from, to, values, at);
      at += to - from;
      continue;
    }
    if (column?.type !== 'string') throw new InternalError('a CSV column changed type between ranges');
    const { text, offsets } = column;
    for (let r = from; r < to; r++) {
      const start = offsets[r] as number;
      const end = offsets[r + 1] as number;
      values[at++] = start === end ? null : text.slice(start, end);
    }
  }
  return { type: 'string', values };
}
