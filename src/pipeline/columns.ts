// Pipeline: reading columns the way steps need them (numbers, category keys) and building step outputs.
import { rejectValue, type Column, type ColumnChunk } from '../shared/chunk.js';
import { formatFloat64, parseNumber } from '../shared/values.js';

/**
 * The columns the steps of one transform see and change. Steps replace entries; an array behind
 * one is changed in place only when a step of this same transform made it (see writableValues):
 * never one of the input chunk's, nor one that another transform made.
 */
export class Columns extends Map<string, Column> {
  /** Arrays that this transform's steps allocated: no chunk holds them, and no other entry shares them. */
  private readonly made = new WeakSet<Float64Array>();

  /** A new array for a step's output. */
  newValues(length: number): Float64Array {
    const values = new Float64Array(length);
    this.made.add(values);
    return values;
  }

  /**
   * Where a step may write the new values of a column it read: over the old ones when a step of
   * this transform made them (saves an allocation per step and column), else in a new array.
   */
  writableValues(values: Float64Array): Float64Array {
    return this.made.has(values) ? values : this.newValues(values.length);
  }
}

/** A column as float64 values; a missing value is NaN with its `nulls` flag set. */
export interface Numbers {
  readonly values: Float64Array;
  readonly nulls: Uint8Array | undefined;
}

/** Reads a column as numbers; text is parsed strictly, and a cell that is not a number is a BAD_VALUE. */
export function readNumbers(columns: Columns, name: string, chunk: ColumnChunk, step: string): Numbers {
  const column = columns.get(name) as Column;
  const rows = chunk.rowCount;
  if (column.type === 'float64') {
    // Arrow leaves arbitrary values under nulls; steps rely on NaN there.
    if (column.nulls === undefined) return { values: column.values, nulls: undefined };
    const values = columns.newValues(column.values.length);
    values.set(column.values);
    column.nulls.forEach((isNull, i) => {
      if (isNull === 1) values[i] = Number.NaN;
    });
    return { values, nulls: column.nulls };
  }
  const values = columns.newValues(rows);
  if (column.type === 'string') {
    let nulls: Uint8Array | undefined;
    for (let i = 0; i < rows; i++) {
      const text = column.values[i] ?? null;
      if (text === null) {
        (nulls ??= new Uint8Array(rows))[i] = 1;
        values[i] = Number.NaN;
        continue;
      }
      const value = parseNumber(text);
      if (value === undefined) rejectValue(chunk, i, name, 'expected a number', text, { label: step });
      values[i] = value ?? Number.NaN;
    }
    return { values, nulls };
  }
  for (let i = 0; i < rows; i++) values[i] = column.nulls?.[i] === 1 ? Number.NaN : Number(column.values[i]);
  return { values, nulls: column.nulls };
}

/** Row i of a column as a category key: its text, or for numeric categories its number. */
export function categoryKeys(column: Column, rows: number, numeric: boolean): (string | number | null)[] {
  const keys = new Array<string | number | null>(rows);
  for (let i = 0; i < rows; i++) {
    if (column.type === 'string') {
      const text = column.values[i] ?? null;
      keys[i] = text === null ? null : numeric ? (parseNumber(text) ?? text) : text;
    } else if (column.nulls?.[i] === 1) {
      keys[i] = null;
    } else {
      const value = column.type === 'bool' ? column.values[i] : Number(column.values[i]);
      keys[i] = numeric ? (value as number) : formatFloat64(value as number);
    }
  }
  return keys;
}

/** A float64 output column, with a null flag where `nulls` says so. */
export function numbersColumn(values: Float64Array, nulls: Uint8Array | undefined): Column {
  return nulls === undefined ? { type: 'float64', values } : { type: 'float64', values, nulls };
}
