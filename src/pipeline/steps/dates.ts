// Pipeline step: date parts (year, month, day, weekday, hour, minute, second, epoch) from ISO 8601 timestamps.
import { rejectValue } from '../../shared/chunk.js';
import { numbersColumn } from '../columns.js';
import type { DatePart } from '../spec.js';
import type { CompiledStep, StepContext, StepOptions as Of } from './step.js';

const DAY_MS = 86_400_000;

/**
 * Milliseconds since the epoch (UTC) of an ISO 8601 timestamp: YYYY-MM-DD, optionally followed by
 * T or a space, hh:mm, optional :ss(.fraction), optional Z or ±hh[:]mm; a time without a zone is
 * taken as UTC. Read byte by byte with calendar arithmetic: no regular expression and no Date per
 * row (this step was the slowest of the pipeline).
 */
export function parseTimestamp(text: string): number | undefined {
  const value = text.trim();
  const n = value.length;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  if (n < 10 || value.charCodeAt(4) !== DASH || value.charCodeAt(7) !== DASH || year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const date = daysFromCivil(year, month, day) * DAY_MS;
  if (n === 10) return date;
  const separator = value.charCodeAt(10);
  const hour = digitsAt(value, 11, 2);
  const minute = digitsAt(value, 14, 2);
  if ((separator !== 0x54 && separator !== 0x20) || n < 16 || value.charCodeAt(13) !== COLON || hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  let at = 16;
  let second = 0;
  let fraction = 0;
  if (value.charCodeAt(at) === COLON) {
    second = digitsAt(value, at + 1, 2);
    if (second < 0 || second > 59) return undefined;
    at += 3;
    if (value.charCodeAt(at) === 0x2e) {
      let end = at + 1;
      while (end < n && isDigit(value.charCodeAt(end))) end++;
      if (end === at + 1) return undefined;
      fraction = Number(value.slice(at, end)) * 1000;
      at = end;
    }
  }
  // The fraction is added last, so 23:59:59.9996 stays on its day.
  const ms = date + ((hour * 60 + minute) * 60 + second) * 1000 + fraction;
  if (at === n) return ms;
  if (value.charCodeAt(at) === 0x5a) return at + 1 === n ? ms : undefined;
  const sign = value.charCodeAt(at) === DASH ? -1 : value.charCodeAt(at) === 0x2b ? 1 : 0;
  const offsetHours = digitsAt(value, at + 1, 2);
  const colon = value.charCodeAt(at + 3) === COLON ? 1 : 0;
  const offsetMinutes = digitsAt(value, at + 3 + colon, 2);
  if (sign === 0 || offsetHours < 0 || offsetMinutes < 0 || at + 5 + colon !== n) return undefined;
  return ms - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
}

const DASH = 0x2d;
const COLON = 0x3a;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The number in `count` ASCII digits at `at`, or -1. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + code - 0x30;
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719468;
}

/** The civil date of a day since 1970-01-01 (civil_from_days), into `civil` as [year, month, day]. */
function civilFromDays(days: number, civil: Float64Array): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  civil[0] = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  civil[1] = month;
  civil[2] = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
}

/** A timestamp taken apart once per row; the parts read from it. */
class TimeParts {
  readonly civil = new Float64Array(3);
  days = 0;
  msOfDay = 0;
  ms = 0;

  set(ms: number): void {
    // As a Date would hold it: whole milliseconds, cut toward zero.
    const whole = Math.trunc(ms);
    this.ms = ms;
    this.days = Math.floor(whole / DAY_MS);
    this.msOfDay = whole - this.days * DAY_MS;
    civilFromDays(this.days, this.civil);
  }
}

const PARTS: Readonly<Record<DatePart, (time: TimeParts) => number>> = {
  year: (time) => time.civil[0] as number,
  month: (time) => time.civil[1] as number,
  day: (time) => time.civil[2] as number,
  // Monday = 0 ... Sunday = 6, as pandas' dt.weekday (1970-01-01 was a Thursday).
  weekday: (time) => (((time.days + 3) % 7) + 7) % 7,
  hour: (time) => Math.floor(time.msOfDay / 3_600_000),
  minute: (time) => Math.floor(time.msOfDay / 60_000) % 60,
  second: (time) => Math.floor(time.msOfDay / 1000) % 60,
  epoch: (time) => time.ms / 1000,
};

export function compileDateParts(step: Of<'date_parts'>, context: StepContext): CompiledStep {
  const source = context.need(step.column, 'column');
  const label = context.path;
  const outputs = step.parts.map((part) => ({ part, name: context.write(`${step.prefix}_${part}`) }));
  return {
    apply: (table, chunk) => {
      const rows = chunk.rowCount;
      const column = table.get(source);
      const values = outputs.map(() => table.newValues(rows));
      let nulls: Uint8Array | undefined;
      const time = new TimeParts();
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
        time.set(ms);
        outputs.forEach(({ part }, k) => ((values[k] as Float64Array)[i] = PARTS[part](time)));
      }
      outputs.forEach(({ name }, k) => table.set(name, numbersColumn(values[k] as Float64Array, nulls)));
    },
  };
}
