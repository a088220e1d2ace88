// Builders of model inputs, columns, chunks and feed plans for the feed tests, and matchers of their errors.
import assert from 'node:assert/strict';
import { InputError, ModelError } from '../../src/errors.js';
import type { Column, ColumnChunk } from '../../src/shared/chunk.js';
import type { FeedPlan, InputFeed } from '../../src/model/feed-plan.js';
import type { ElementType, TensorSignature } from '../../src/model/session.js';

export function input(name: string, type: ElementType, shape: readonly (number | string)[]): TensorSignature {
  return { name, isTensor: true, type, shape };
}

export function chunk(columns: Record<string, Column>, rowCount: number, extra: { lines?: number[]; firstRowInSource?: number; rowOffset?: number } = {}): ColumnChunk {
  return {
    rowOffset: extra.rowOffset ?? 0,
    rowCount,
    columns: new Map(Object.entries(columns)),
    origin: {
      source: 'in.csv',
      firstRowInSource: extra.firstRowInSource ?? 0,
      ...(extra.lines === undefined ? {} : { lines: Uint32Array.from(extra.lines) }),
    },
  };
}

export function f64(values: number[], nulls?: number[]): Column {
  return { type: 'float64', values: Float64Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) };
}

export function i64(values: bigint[], nulls?: number[]): Column {
  return { type: 'int64', values: BigInt64Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) };
}

export function str(values: (string | null)[]): Column {
  return { type: 'string', values };
}

/** A plan feeding one input from the given columns. */
export function plan(type: ElementType, columns: string[], rank: 1 | 2 = 2, name = 'x'): FeedPlan {
  const feed: InputFeed = { input: name, type, columns, rank };
  return { feeds: [feed], fixedBatch: undefined, numericColumns: new Set(columns), mapping: 'features', missing: {} };
}

export function modelError(code: string, ...patterns: RegExp[]): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  };
}

export function inputError(code: string, ...patterns: RegExp[]): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const pattern of patterns) assert.match(`${error.message}\n${error.hint ?? ''}`, pattern);
    return true;
  };
}
