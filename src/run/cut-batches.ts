// The one place where an input's rows are cut into the batches the model scores: whatever sizes the
// reader's chunks come in (Arrow record batches, Parquet row groups, CSV ranges), batches hold `rows`
// rows each, never cross a part boundary (a part holds exactly the input rows [k * partRows,
// (k + 1) * partRows)), and skip the rows an earlier run committed (--resume). Restarting at every part
// boundary makes a resumed run cut exactly the batches the first run cut after that boundary.
import { concatChunks, sliceChunk, type ColumnChunk, type RejectList } from '../shared/chunk.js';

export interface BatchCut {
  /** Rows per batch. */
  readonly rows: number;
  /** Global rows before this one were committed by an earlier run. */
  readonly skipRows: number;
  /** Rows per output part, when the output is a parts directory. */
  readonly partRows: number | undefined;
  /** The run's bad rows: those of skipped rows were written with their part, and are dropped. */
  readonly rejects: RejectList | undefined;
}

/** Yields the batches of one input's chunks; returns the global row after the input's last row. */
export async function* cutBatches(chunks: AsyncIterable<ColumnChunk>, cut: BatchCut): AsyncGenerator<ColumnChunk, number> {
  const { rows, skipRows, partRows, rejects } = cut;
  let pending: ColumnChunk[] = [];
  let pendingRows = 0;
  let end = 0;
  const flush = (): ColumnChunk => {
    const batch = concatChunks(pending);
    pending = [];
    pendingRows = 0;
    return batch;
  };
  for await (const chunk of chunks) {
    end = chunk.rowOffset + chunk.rowCount;
    const from = Math.max(chunk.rowOffset, skipRows);
    rejects?.take(chunk.rowOffset, from);
    let start = from - chunk.rowOffset;
    while (start < chunk.rowCount) {
      const row = chunk.rowOffset + start;
      const partEnd = partRows === undefined ? Number.POSITIVE_INFINITY : (Math.floor(row / partRows) + 1) * partRows;
      const take = Math.min(rows - pendingRows, chunk.rowCount - start, partEnd - row);
      pending.push(start === 0 && take === chunk.rowCount ? chunk : sliceChunk(chunk, start, start + take));
      pendingRows += take;
      start += take;
      if (pendingRows === rows || row + take === partEnd) yield flush();
    }
  }
  if (pendingRows > 0) yield flush();
  return end;
}
