// Test helper: reads prediction tables (CSV or Arrow) and compares them with golden predictions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { parse } from 'csv-parse/sync';

/** A table as column name -> cell texts (numbers as the shortest text of their value). */
export type TextTable = ReadonlyMap<string, readonly string[]>;

export function readCsvTable(path: string): TextTable {
  const rows = parse(readFileSync(path), { bom: true }) as string[][];
  const [header, ...body] = rows;
  assert.ok(header !== undefined, `${path} has no header`);
  return new Map(header.map((name, index) => [name, body.map((row) => row[index] ?? '')]));
}

export function readArrowTable(path: string): TextTable {
  const table = tableFromIPC(readFileSync(path));
  return new Map(
    table.schema.fields.map((field) => {
      const vector = table.getChild(field.name);
      const values: string[] = [];
      for (let i = 0; i < table.numRows; i++) {
        const value: unknown = vector?.get(i);
        values.push(value === null || value === undefined ? '' : String(value));
      }
      return [field.name, values];
    }),
  );
}

/** Tolerances in the style of ONNX Runtime's assertFloatEqual. */
const ATOL = 1e-5;
const RTOL = 1e-6;

/** Every column of `expected` must be in `actual` with equal labels and floats within tolerance. */
export function assertPredictionsMatch(actual: TextTable, expected: TextTable, what: string): void {
  for (const [name, want] of expected) {
    const have = actual.get(name);
    assert.ok(have !== undefined, `${what}: output lacks column '${name}' (has ${[...actual.keys()].join(', ')})`);
    assert.equal(have.length, want.length, `${what}: column '${name}' has ${have.length} rows, expected ${want.length}`);
    for (let i = 0; i < want.length; i++) {
      const expectedText = want[i] as string;
      const actualText = have[i] as string;
      const expectedNumber = Number(expectedText);
      if (expectedText === '' || Number.isNaN(expectedNumber)) {
        assert.equal(actualText, expectedText, `${what}: row ${i}, column '${name}'`);
      } else {
        const diff = Math.abs(Number(actualText) - expectedNumber);
        assert.ok(diff <= ATOL + RTOL * Math.abs(expectedNumber), `${what}: row ${i}, column '${name}': ${actualText} != ${expectedText} (diff ${diff})`);
      }
    }
  }
}
