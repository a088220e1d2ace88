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

/** Report fields that change from run to run or machine to machine, and what the goldens hold instead. */
const VOLATILE_FIELDS: Readonly<Record<string, string>> = {
  startedAt: '<time>',
  finishedAt: '<time>',
  durationMs: '<ms>',
  rowsPerSec: '<rate>',
  host: '<host>',
  pid: '<pid>',
  // Summaries for `report merge` (every sampled value, per-bin counts): checked by monitoring-stats.test.ts;
  // here they would be most of the file and unreadable in a diff.
  sketch: '<sketch>',
  tally: '<tally>',
};

/**
 * A report as the goldens keep it: times, rates, versions, hosts and merge state replaced by
 * placeholders, the repository and the run's folder by <root> and <out>, and the hashes and sizes of
 * prediction files (their last float bits may differ on other CPUs) by placeholders.
 */
export function normalizeReport(report: unknown, paths: { root: string; out: string }): unknown {
  const walk = (value: unknown, key: string, parent: string): unknown => {
    if (Object.hasOwn(VOLATILE_FIELDS, key) && value !== null) return VOLATILE_FIELDS[key];
    if (parent === 'timings' || (parent === 'tool' && key !== 'name')) return typeof value === 'number' ? '<ms>' : '<version>';
    if (parent === 'outputs[]' && (key === 'sha256' || key === 'bytes')) return `<${key}>`;
    if (typeof value === 'string') return normalizeText(value, paths);
    if (Array.isArray(value)) return value.map((item) => walk(item, '', `${key}[]`));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, walk(item, name, key)]));
    return value;
  };
  return walk(report, '', '');
}

/** stderr (or a report's text) with <root>, <out> and the run's time and rate as placeholders. */
export function normalizeText(text: string, paths: { root: string; out: string }): string {
  return text
    .replaceAll(paths.out, '<out>')
    .replaceAll(paths.root.replace(/\/$/, ''), '<root>')
    .replace(/\d+(?:\.\d+)? s \([\d.,]+ rows\/s\)/g, '<seconds> s (<rate> rows/s)');
}

/** JSON with two-space indents, but lists of plain values on one line, so that a golden diff reads well. */
export function formatJson(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((item) => item === null || typeof item !== 'object')) return JSON.stringify(value);
    return `[\n${value.map((item) => inner + formatJson(item, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${formatJson(item, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** Equal JSON values, numbers within the prediction tolerances (other CPUs may change the last bits). */
export function assertJsonClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const diff = Math.abs(actual - expected);
    assert.ok(diff <= ATOL + RTOL * Math.abs(expected), `${path}: ${actual} != ${expected} (diff ${diff})`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${path}: ${JSON.stringify(actual)?.slice(0, 200)} is not a list of ${expected.length}`);
    expected.forEach((item, i) => assertJsonClose(actual[i], item, `${path}[${i}]`));
    return;
  }
  if (typeof expected === 'object' && expected !== null) {
    assert.ok(typeof actual === 'object' && actual !== null && !Array.isArray(actual), `${path}: expected a mapping, got ${JSON.stringify(actual)?.slice(0, 200)}`);
    assert.deepEqual(Object.keys(actual), Object.keys(expected), `${path}: keys`);
    for (const [key, item] of Object.entries(expected)) assertJsonClose((actual as Record<string, unknown>)[key], item, `${path}.${key}`);
    return;
  }
  assert.deepEqual(actual, expected, path);
}
