// Pipeline: what a compiled step is, and the context in which steps are compiled.
import { quoteNames, UsageError } from '../../errors.js';
import type { ColumnChunk } from '../../shared/chunk.js';
import type { Columns } from '../columns.js';
import type { Step } from '../spec.js';

/** The options of the step named K, e.g. StepOptions<'impute'>. */
export type StepOptions<K extends string> = Extract<Step, Record<K, unknown>>[K & keyof Extract<Step, Record<K, unknown>>];

/** A step compiled once; `apply` runs per chunk on typed arrays. */
export interface CompiledStep {
  apply(columns: Columns, chunk: ColumnChunk): void;
}

/** Tracks, while compiling, which columns exist after each step, and which raw columns are read as numbers. */
export class StepContext {
  readonly available: Set<string>;
  /** Raw input columns that a numeric step reads before any step has written them. */
  readonly numericInputs = new Set<string>();
  /** Raw input columns read before any step has written them: what every input file must have. */
  readonly rawInputs = new Set<string>();
  /** Columns written by the steps compiled so far. */
  readonly written = new Set<string>();
  path = '';

  /** With `assumeColumns`, a column that no step wrote is taken to be an input column (no sample to check against). */
  constructor(
    inputColumns: readonly string[],
    private readonly assumeColumns = false,
  ) {
    this.available = new Set(inputColumns);
  }

  /** Fails (exit 2, with the spec path) when `name` does not exist at this step. */
  need(name: string, key: string, numeric = false): string {
    if (this.assumeColumns && !this.available.has(name) && !this.written.has(name)) this.available.add(name);
    if (!this.available.has(name)) {
      throw new UsageError('CONFIG_INVALID', `${this.path}.${key}: column '${name}' does not exist at this step`, {
        hint: `available columns: ${quoteNames(this.available)}`,
      });
    }
    if (!this.written.has(name)) {
      this.rawInputs.add(name);
      if (numeric) this.numericInputs.add(name);
    }
    return name;
  }

  /** Fails (exit 2) with the spec path. */
  refuse(key: string, problem: string): never {
    throw new UsageError('CONFIG_INVALID', `${this.path}.${key}: ${problem}`, { hint: 'rename to a new name, or select away the other column first' });
  }

  write(name: string): string {
    this.available.add(name);
    this.written.add(name);
    return name;
  }

  remove(name: string): void {
    this.available.delete(name);
  }
}
