// Sink: JSON Lines, one object per row with the same columns as a CSV output, in column order.
import { InternalError } from '../errors.js';
import type { KeptColumn } from '../shared/chunk.js';
import { exactText } from '../shared/exact-text.js';
import { formatFloat32, formatFloat64 } from '../shared/values.js';
import { openAtomicFile } from '../shared/atomic-file.js';
import type { Sink, SinkRequest } from './sink.js';

/**
 * Writes JSON Lines. Numbers are printed in their shortest form that reads back as the same
 * float32/float64; a missing value, NaN and infinities (which JSON cannot hold) are null; int64
 * values are written as exact integer literals.
 */
export async function openJsonlSink(request: SinkRequest): Promise<Sink> {
  const file = await openAtomicFile(request.path);
  let rows = 0;
  return {
    write: async (batch, rowCount) => {
      const cells = [...batch].map(([name, column]) => ({ key: `${JSON.stringify(name)}:`, text: cellText(column) }));
      const lines: string[] = new Array<string>(rowCount);
      for (let i = 0; i < rowCount; i++) lines[i] = `{${cells.map((cell) => cell.key + cell.text(i)).join(',')}}\n`;
      rows += rowCount;
      await file.write(lines.join(''));
    },
    commit: async () => {
      const bytes = await file.commit();
      return { path: request.path, format: 'jsonl', rows, bytes, sha256: file.sha256() };
    },
    abort: () => file.abort(),
  };
}

function cellText(column: KeptColumn): (i: number) => string {
  const missing = (i: number): boolean => column.type !== 'string' && column.nulls?.[i] === 1;
  switch (column.type) {
    case 'string':
      return (i) => JSON.stringify(column.values[i] ?? null);
    case 'float32':
      return (i) => finite(missing(i) ? Number.NaN : (column.values[i] as number), formatFloat32);
    case 'float64':
      return (i) => finite(missing(i) ? Number.NaN : (column.values[i] as number), formatFloat64);
    case 'bool':
      return (i) => (missing(i) ? 'null' : column.values[i] === 1 ? 'true' : 'false');
    case 'tensor':
      throw new InternalError('a tensor column reached the JSON Lines writer');
    case 'decimal': {
      // A JSON number of the decimal's exact digits.
      const text = exactText(column);
      return (i) => (missing(i) ? 'null' : text(i));
    }
    case 'date32':
    case 'date64':
    case 'timestamp': {
      const text = exactText(column);
      return (i) => (missing(i) ? 'null' : JSON.stringify(text(i)));
    }
    default:
      // Integers of every width, int64 and uint64 too, as JSON numbers.
      return (i) => (missing(i) ? 'null' : String(column.values[i]));
  }
}

function finite(value: number, format: (value: number) => string): string {
  return Number.isFinite(value) ? format(value) : 'null';
}
