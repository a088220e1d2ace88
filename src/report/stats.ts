// Report: counters that run.ts updates while the data flows, turned into a RunReport at the end.
import type { Column } from '../shared/chunk.js';

/** Mutable tallies of one run. */
export interface RunStats {
  rowsRead: number;
  rowsScored: number;
  rowsRejected: number;
  /** Rejected rows by reason. */
  readonly rejectReasons: Map<string, number>;
  /** The first rejects, for the report. */
  readonly firstRejects: { row: number; source: string; line: number | null; column: string | null; reason: string; value: string }[];
  batches: number;
  loadModelMs: number;
  readMs: number;
  preprocessMs: number;
  inferMs: number;
  writeMs: number;
  readonly nanCounts: Map<string, number>;
  readonly warnings: string[];
}

export function createRunStats(): RunStats {
  return { rowsRead: 0, rowsScored: 0, rowsRejected: 0, rejectReasons: new Map(), firstRejects: [], batches: 0, loadModelMs: 0, readMs: 0, preprocessMs: 0, inferMs: 0, writeMs: 0, nanCounts: new Map(), warnings: [] };
}

/** Counts NaN values in floating-point prediction columns (a model can emit them without failing). */
export function countNaNs(stats: RunStats, predictions: ReadonlyMap<string, Column>): void {
  for (const [name, column] of predictions) {
    if (column.type !== 'float32' && column.type !== 'float64') continue;
    let count = 0;
    for (const value of column.values) if (Number.isNaN(value)) count++;
    if (count > 0) stats.nanCounts.set(name, (stats.nanCounts.get(name) ?? 0) + count);
  }
}
