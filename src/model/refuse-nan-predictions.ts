// Model stage: a prediction the model returned as NaN or ±Inf is never written with a label next to
// it: its row becomes a bad row (rejected with --on-error skip, else the run stops).
import { InputError } from '../errors.js';
import { lineOf, placeOf, rejectRow, rowAt, type Column, type ColumnChunk } from '../shared/chunk.js';

/** The reason bad rows of this kind are counted under. */
export function nanPredictionReason(value: number): string {
  return `the model returned ${Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'}`;
}

/** Marks every row of `chunk` with a NaN or infinite value in a float prediction column as bad. */
export function refuseNaNPredictions(chunk: ColumnChunk, predictions: ReadonlyMap<string, Column>, modelPath: string): void {
  for (const [name, column] of predictions) {
    if (column.type !== 'float32' && column.type !== 'float64') continue;
    for (let i = 0; i < chunk.rowCount; i++) {
      const value = column.values[i] as number;
      if (Number.isFinite(value) || column.nulls?.[i] === 1) continue;
      const reason = nanPredictionReason(value);
      rejectRow(chunk, i, { column: name, reason, value: String(value) }, () => {
        const line = lineOf(chunk, i);
        return new InputError('BAD_VALUE', `Model ${modelPath}: ${reason} in column '${name}' for ${chunk.origin.source} ${placeOf(chunk, i)}`, {
          context: { file: chunk.origin.source, ...(line === undefined ? {} : { line }), column: name, row: rowAt(chunk, i) },
          hint: "the row's values are outside what the model handles (a missing or extreme value?); --on-error skip sends such rows to the rejects file",
        });
      });
    }
  }
}
