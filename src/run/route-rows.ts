// The runner's rows: what a rejected row looks like in the rejects file and the report, what goes
// to the output beside the predictions, and when too many bad rows stop a run.
import type { ScoreJob } from '../config/job.js';
import { InputError } from '../errors.js';
import type { RunStats } from '../report/index.js';
import type { OutputBatch } from '../sinks/index.js';
import { keptColumn, type Column, type ColumnChunk, type KeptColumn, type Reject } from '../shared/chunk.js';

/** A row as read: the CSV record's text, else the row as a JSON object. */
export function recordOf(chunk: ColumnChunk, i: number): string {
  const text = chunk.origin.records?.[i];
  if (text !== undefined) return text;
  const row: Record<string, unknown> = {};
  for (const [name, column] of chunk.columns) {
    const value = column.type === 'string' ? column.values[i] : column.nulls?.[i] === 1 ? null : column.values[i];
    row[name] = typeof value === 'bigint' ? value.toString() : value === undefined ? null : value;
  }
  return JSON.stringify(row);
}

/** Rejects the report lists one by one; the rest are counted by reason. */
const FIRST_REJECTS = 10;

export function noteRejects(stats: RunStats, rejected: readonly Reject[]): void {
  stats.rowsRejected += rejected.length;
  for (const reject of rejected) {
    stats.rejectReasons.set(reject.reason, (stats.rejectReasons.get(reject.reason) ?? 0) + 1);
    if (stats.firstRejects.length < FIRST_REJECTS) {
      stats.firstRejects.push({ row: reject.row, source: reject.source, line: reject.line ?? null, column: reject.column ?? null, reason: reject.reason, value: reject.value });
    }
  }
}

/** A count budget is checked as rows are read; a share of rows read, at the end. */
export function checkBudget(job: ScoreJob, stats: RunStats, atEnd: boolean): void {
  if (job.rejects === undefined) return;
  const budget = job.maxErrors;
  const over = 'count' in budget ? stats.rowsRejected > budget.count : atEnd && stats.rowsRejected > (budget.percent / 100) * stats.rowsRead;
  if (!over) return;
  const allowed = 'count' in budget ? `${budget.count} rows` : `${budget.percent}% of ${stats.rowsRead} rows read`;
  const reasons = [...stats.rejectReasons].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([reason, count]) => `${count} × ${reason}`);
  const inputs = job.inputs.map((input) => input.path);
  const where = inputs.length > 3 ? `${inputs.slice(0, 3).join(', ')} and ${inputs.length - 3} more` : inputs.join(', ');
  throw new InputError('TOO_MANY_BAD_ROWS', `${stats.rowsRejected} bad rows in ${where}${atEnd ? '' : ' so far'}, more than --max-errors allows (${allowed}); most common: ${reasons.join('; ')}`, {
    hint: `see the rejects file ${job.rejects} for each row, its line and reason; fix the input or raise --max-errors`,
  });
}

/** Kept columns come from the chunk as read, not as parsed for the model or preprocessed. */
export function outputBatch(chunk: ColumnChunk, kept: readonly string[], predictions: ReadonlyMap<string, Column>): OutputBatch {
  const batch = new Map<string, KeptColumn>();
  for (const name of kept) batch.set(name, keptColumn(chunk, name) as KeptColumn);
  for (const [name, column] of predictions) batch.set(name, column);
  return batch;
}
