// Pipeline: what a compiled step is, and the context in which steps are compiled.
import { InputError, quoteNames, UsageError } from '../../errors.js';
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
  private readonly inputColumns: ReadonlySet<string>;

  /**
   * `files` names the spec and the input in messages. With `assumeColumns`, a column that no step
   * wrote is taken to be an input column (no sample to check against).
   */
  constructor(
    inputColumns: readonly string[],
    private readonly files: { readonly spec: string; readonly input: string },
    private readonly assumeColumns = false,
  ) {
    this.available = new Set(inputColumns);
    this.inputColumns = new Set(inputColumns);
  }

  /**
   * Fails when `name` does not exist at this step: a column the input never had is a missing input
   * column (exit 3, as without a spec); one that a step selected away or renamed is the spec's fault (exit 2).
   */
  need(name: string, key: string, numeric = false): string {
    if (this.assumeColumns && !this.available.has(name) && !this.written.has(name)) this.available.add(name);
    if (!this.available.has(name)) {
      if (!this.inputColumns.has(name) && !this.written.has(name)) {
        throw new InputError('SCHEMA_MISMATCH', `Input ${this.files.input} lacks column '${name}' that pipeline spec ${this.files.spec} reads at ${this.path}.${key}`, {
          context: { file: this.files.input, column: name },
          hint: `the input's columns are: ${quoteNames(this.inputColumns)}; fix the spec or score a file that has the column`,
        });
      }
      throw new UsageError('CONFIG_INVALID', `Pipeline spec ${this.files.spec}: ${this.path}.${key}: column '${name}' does not exist at this step`, {
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
    throw new UsageError('CONFIG_INVALID', `Pipeline spec ${this.files.spec}: ${this.path}.${key}: ${problem}`, { hint: 'rename to a new name, or select away the other column first' });
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
