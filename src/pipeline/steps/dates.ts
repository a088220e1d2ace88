// Pipeline step: date parts (year, month, day, weekday, hour, minute, second, epoch) from ISO 8601 timestamps.
import { rejectValue } from '../../sources/chunk.js';
import { numbersColumn } from '../columns.js';
import type { DatePart } from '../spec.js';
import type { CompiledStep, StepContext, StepOptions as Of } from './step.js';

// YYYY-MM-DD, optionally followed by T or a space, hh:mm, optional :ss(.fraction), optional Z or ±hh:mm.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds since the epoch (UTC) of an ISO 8601 timestamp; a time without a zone is taken as UTC. */
export function parseTimestamp(text: string): number | undefined {
  const match = ISO.exec(text.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = match;
  const [y, m, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  // setUTCFullYear, unlike Date.UTC, keeps years below 100 as written.
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  // A date that rolls over (2024-02-30 -> March 1) does not exist.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  // The fraction is added last, so 23:59:59.9996 stays on its day.
  const ms = date.getTime() + ((h * 60 + mi) * 60 + s) * 1000 + (fraction === '' ? 0 : Number(fraction) * 1000);
  if (zone === 'Z') return ms;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return ms - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

const PARTS: Readonly<Record<DatePart, (date: Date, ms: number) => number>> = {
  year: (date) => date.getUTCFullYear(),
  month: (date) => date.getUTCMonth() + 1,
  day: (date) => date.getUTCDate(),
  // Monday = 0 ... Sunday = 6, as pandas' dt.weekday.
  weekday: (date) => (date.getUTCDay() + 6) % 7,
  hour: (date) => date.getUTCHours(),
  minute: (date) => date.getUTCMinutes(),
  second: (date) => date.getUTCSeconds(),
  epoch: (_date, ms) => ms / 1000,
};

export function compileDateParts(step: Of<'date_parts'>, context: StepContext): CompiledStep {
  const source = context.need(step.column, 'column');
  const label = context.path;
  const outputs = step.parts.map((part) => ({ part, name: context.write(`${step.prefix}_${part}`) }));
  return {
    apply: (table, chunk) => {
      const rows = chunk.rowCount;
      const column = table.get(source);
      const values = outputs.map(() => new Float64Array(rows));
      let nulls: Uint8Array | undefined;
      for (let i = 0; i < rows; i++) {
        const cell = column?.type === 'string' ? (column.values[i] ?? null) : column?.nulls?.[i] === 1 ? null : String(column?.values[i]);
        if (cell === null) {
          (nulls ??= new Uint8Array(rows))[i] = 1;
          values.forEach((array) => (array[i] = Number.NaN));
          continue;
        }
        const ms = parseTimestamp(cell);
        if (ms === undefined) {
          rejectValue(chunk, i, source, 'expected an ISO 8601 date or timestamp (2024-05-01, 2024-05-01T13:45:00Z)', cell, { label });
          values.forEach((array) => (array[i] = Number.NaN));
          continue;
        }
        const date = new Date(ms);
        outputs.forEach(({ part }, k) => ((values[k] as Float64Array)[i] = PARTS[part](date, ms)));
      }
      outputs.forEach(({ name }, k) => table.set(name, numbersColumn(values[k] as Float64Array, nulls)));
    },
  };
}
