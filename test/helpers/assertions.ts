// Test helpers shared by unit tests: seeded random generators and error matchers.
import assert from 'node:assert/strict';
import { InputError, UsageError } from '../../src/errors.js';

/** Deterministic 32-bit generator (mulberry32), so a failure reproduces from its seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Seeded random choices for generated test inputs. */
export class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return this.next() % n;
  }
  chance(p: number): boolean {
    return this.next() / 4294967296 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** Matches one CONFIG_INVALID UsageError (exit 2) whose message or hint holds every fragment. */
/** An input that lacks a column the spec reads: exit 3, as without a spec (issue 10). */
export function missingColumn(...fragments: string[]): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    assert.equal(error.code, 'SCHEMA_MISMATCH', error.message);
    assert.equal(error.exitCode, 3);
    const text = `${error.message}\n${error.hint ?? ''}`;
    for (const fragment of fragments) assert.ok(text.includes(fragment), `expected ${JSON.stringify(fragment)} in:\n${text}`);
    return true;
  };
}

export function configInvalid(...fragments: string[]): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.code, 'CONFIG_INVALID', error.message);
    assert.equal(error.exitCode, 2);
    const text = `${error.message}\n${error.hint ?? ''}`;
    for (const fragment of fragments) assert.ok(text.includes(fragment), `expected ${JSON.stringify(fragment)} in:\n${text}`);
    return true;
  };
}
