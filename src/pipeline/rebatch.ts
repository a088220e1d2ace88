// Pipeline: regroups one input's chunks into batches of a fixed number of rows (the last may be shorter).
import { concatColumns, sliceChunk, type Column, type ColumnChunk } from '../shared/chunk.js';
import { InternalError } from '../errors.js';

/** Yields chunks of exactly `rows` rows from `chunks` (which must come from one input), the last one shorter. */
export async function* rebatch(chunks: AsyncIterable<ColumnChunk>, rows: number): AsyncGenerator<ColumnChunk> {
  let pending: ColumnChunk[] = [];
  let pendingRows = 0;
  for await (const chunk of chunks) {
    let start = 0;
    while (start < chunk.rowCount) {
      const take = Math.min(rows - pendingRows, chunk.rowCount - start);
      pending.push(start === 0 && take === chunk.rowCount ? chunk : sliceChunk(chunk, start, start + take));
      pendingRows += take;
      start += take;
      if (pendingRows === rows) {
        yield joinChunks(pending);
        pending = [];
        pendingRows = 0;
      }
    }
  }
  if (pendingRows > 0) yield joinChunks(pending);
}

function joinChunks(parts: readonly ColumnChunk[]): ColumnChunk {
  const first = parts[0];
  if (first === undefined) throw new InternalError('joinChunks needs at least one chunk');
  if (parts.length === 1) return first;
  const columns = new Map<string, Column>();
  for (const name of first.columns.keys()) {
    columns.set(name, concatColumns(parts.map((part) => part.columns.get(name) as Column)));
  }
  const lineParts = parts.map((part) => part.origin.lines);
  const lines = lineParts.every((part) => part !== undefined) ? joinLines(lineParts as Uint32Array[]) : undefined;
  const recordParts = parts.map((part) => part.origin.records);
  const records = recordParts.every((part) => part !== undefined) ? recordParts.flat() : undefined;
  return {
    rowOffset: first.rowOffset,
    rowCount: parts.reduce((sum, part) => sum + part.rowCount, 0),
    columns,
    origin: {
      source: first.origin.source,
      firstRowInSource: first.origin.firstRowInSource,
      ...(lines === undefined ? {} : { lines }),
      ...(records === undefined ? {} : { records }),
    },
    ...(first.rejects === undefined ? {} : { rejects: first.rejects }),
  };
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
