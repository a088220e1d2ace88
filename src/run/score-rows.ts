// One input's rows from source to sink, in order: read and cut into batches; rows the reader could
// not parse leave; the pipeline prepares the rest and the rows it refuses leave; the model scores
// what is left (rows it cannot take leave before it runs, rows it returns NaN for after); the
// output gets the scored rows and the rejects file the rows that left, each with its reason.
import { performance } from 'node:perf_hooks';
import type { ScoreJob } from '../config/job.js';
import { InterruptedError } from '../errors.js';
import { scoreChunk, type ScoredRows } from '../model/index.js';
import { countNaNs, type Monitor, type RunStats } from '../report/index.js';
import { keptRows, takeChunkRows, takeRows, withoutRejected, withoutRows, type Column, type ColumnChunk, type RejectList } from '../shared/chunk.js';
import type { OutputWriter } from '../sinks/index.js';
import type { OpenedSource } from '../sources/index.js';
import type { ColumnTypes } from './column-types.js';
import { cutBatches } from './cut-batches.js';
import type { ScoringPlan } from './plan-scoring.js';
import { checkBudget, noteRejects, outputBatch, recordOf } from './route-rows.js';

/** What every input of a run shares. */
export interface RowRun {
  readonly job: ScoreJob;
  readonly stats: RunStats;
  readonly monitor: Monitor | undefined;
  readonly signal: AbortSignal | undefined;
  /** Called after each batch is written, with the bytes of the input read so far. */
  readonly onBatch: (bytesRead: number) => void;
}

/** Where one input's rows go. */
export interface SourceRun {
  readonly plan: ScoringPlan;
  readonly source: OpenedSource;
  readonly output: OutputWriter;
  /** Present with --on-error skip. */
  readonly rejects: RejectList | undefined;
  readonly entry: { rows: number };
  /** Index of this input among the job's inputs. */
  readonly index: number;
  /** Global row of this input's first row. */
  readonly firstRow: number;
  /** The type each column had in the inputs before (one type per column in a run). */
  readonly columnTypes: ColumnTypes;
}

/** Batches sent to the model ahead of the one being written: it scores one while this thread writes another. */
const MODEL_DEPTH = 2;

interface InFlight {
  /** The batch as cut: rows [rowOffset, rowOffset + rowCount), bad ones included (their records go to the rejects file). */
  readonly batch: ColumnChunk;
  /** Its rows as read, without those the reader rejected. */
  readonly read: ColumnChunk;
  /** The rows the model scored (as it was fed them, after the pipeline) and their predictions. */
  readonly scoring: Promise<ScoredRows>;
}

/** Scores one input; returns the global row after its last row. */
export async function scoreSource(run: RowRun, input: SourceRun): Promise<number> {
  const { job, stats } = run;
  const { plan, source, output, rejects } = input;
  const fixed = plan.feeds.fixedBatch;
  const chunkRows = fixed === undefined ? plan.batchRows : Math.max(fixed, Math.floor(plan.batchRows / fixed) * fixed);
  const chunkOptions = { chunkRows, rowOffset: input.firstRow, numericColumns: plan.numericColumns, columns: new Set(plan.requiredColumns), keptColumns: new Set(plan.kept), ...(rejects === undefined ? {} : { rejects }) };
  const iterator = cutBatches(input.columnTypes.check(source.chunks(chunkOptions), source.path), { rows: chunkRows, skipRows: output.skipRows, partRows: output.partRows, rejects })[Symbol.asyncIterator]();
  // A batch's --batch-timeout clock starts when it is sent: with a limit, batches go one at a time.
  const depth = job.batchTimeoutMs === undefined ? MODEL_DEPTH : 1;
  const inFlight: InFlight[] = [];
  let nextRow = input.firstRow;
  let endRow: number | undefined;
  // A batch that cannot be read or prepared fails the run only after the batches before it are
  // written, as when batches go one at a time: the report then counts the same rows.
  let failure: { readonly error: unknown } | undefined;
  let reading = readAhead(iterator);
  for (;;) {
    if (run.signal?.aborted === true) throw InterruptedError.after(run.signal);
    while (endRow === undefined && failure === undefined && inFlight.length < depth) {
      try {
        const readStarted = performance.now();
        const next = await reading;
        stats.readMs += performance.now() - readStarted;
        if (next.done === true) {
          endRow = next.value;
          break;
        }
        const batch = next.value;
        const read = withoutRejected(batch);
        inFlight.push({ batch, read, scoring: prepareAndScore(run, plan, read) });
        // While the model scores, the next batch is read.
        reading = readAhead(iterator);
      } catch (error) {
        if (inFlight.length === 0) throw error;
        failure = { error };
      }
    }
    const head = inFlight.shift();
    if (head === undefined) {
      if (failure !== undefined) throw failure.error;
      return Math.max(nextRow, endRow ?? nextRow);
    }
    nextRow = await writeScored(run, input, head.batch, head.read, await head.scoring);
    run.onBatch(source.bytesRead());
  }
}

/** The pipeline, then the model, on the rows that are left after each. */
function prepareAndScore(run: RowRun, plan: ScoringPlan, read: ColumnChunk): Promise<ScoredRows> {
  const { stats } = run;
  const started = performance.now();
  // Image steps decode in worker threads: meanwhile the model scores the batch before.
  const preparing = plan.pipeline === undefined || read.rowCount === 0 ? Promise.resolve(read) : plan.pipeline.transformAsync(read);
  const scoring = preparing.then((prepared) => {
    stats.preprocessMs += performance.now() - started;
    const features = withoutRejected(prepared);
    if (features.rowCount === 0) return { rows: features, predictions: new Map<string, Column>() };
    return scoreChunk(plan.model, plan.feeds, features, stats, { timeoutMs: run.job.batchTimeoutMs, signal: run.signal });
  });
  scoring.catch(() => undefined); // awaited in order by the writer
  return scoring;
}

/** Writes a scored batch and its rejects, and counts it; returns the global row after it. */
async function writeScored(run: RowRun, input: SourceRun, batch: ColumnChunk, read: ColumnChunk, scored: ScoredRows): Promise<number> {
  const { job, stats } = run;
  const { plan, output, rejects, entry } = input;
  const rejected = rejects?.take(batch.rowOffset, batch.rowOffset + batch.rowCount) ?? [];
  // Rows whose predictions the model returned as NaN are found last, so they leave here. Every
  // rejected row is in `rejected`, so `read` without them is the scored rows, row for row.
  const refused = new Set(rejected.map((reject) => reject.row));
  const keep = refused.size === 0 ? undefined : keptRows(scored.rows, (row) => refused.has(row));
  const features = keep === undefined ? scored.rows : takeChunkRows(scored.rows, keep);
  const predictions = keep === undefined ? scored.predictions : new Map([...scored.predictions].map(([name, column]) => [name, takeRows(column, keep)]));
  const readRows = refused.size === 0 ? read : withoutRows(read, (row) => refused.has(row));
  const rows = features.rowCount;
  plan.postProcess?.apply(predictions, rows);
  noteRejects(stats, rejected);
  countNaNs(stats, predictions);
  run.monitor?.observe({ features: features.columns, read: readRows.columns, predictions, rows });
  const writeStarted = performance.now();
  await output.write(outputBatch(readRows, plan.kept, predictions), rows, rejected.map((reject) => ({ ...reject, record: recordOf(batch, reject.row - batch.rowOffset) })));
  const nextRow = batch.rowOffset + batch.rowCount;
  await output.rowsDone(nextRow, { input: input.index, rowInInput: batch.origin.firstRowInSource + batch.rowCount });
  stats.writeMs += performance.now() - writeStarted;
  // Counted once the batch is through, so read = scored + rejected holds at every point.
  stats.rowsRead += batch.rowCount;
  stats.rowsScored += rows;
  entry.rows += batch.rowCount;
  stats.batches++;
  checkBudget(job, stats, false);
  return nextRow;
}

/** The next batch, started now; a failure surfaces when it is awaited, not as an unhandled rejection. */
function readAhead<T, R>(iterator: AsyncIterator<T, R>): Promise<IteratorResult<T, R>> {
  const next = iterator.next();
  next.catch(() => undefined);
  return next;
}
