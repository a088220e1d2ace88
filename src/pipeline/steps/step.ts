// Pipeline: what a compiled step is, and the context in which steps are compiled.
import { isAbsolute, resolve } from 'node:path';
import { InputError, quoteNames, UsageError } from '../../errors.js';
import type { ColumnChunk } from '../../shared/chunk.js';
import type { Columns } from '../columns.js';
import type { Step } from '../spec.js';

/** The options of the step named K, e.g. StepOptions<'impute'>. */
export type StepOptions<K extends string> = Extract<Step, Record<K, unknown>>[K & keyof Extract<Step, Record<K, unknown>>];

/** A step compiled once; `apply` runs per chunk on typed arrays (a promise: its work runs off this thread). */
export interface CompiledStep {
  apply(columns: Columns, chunk: ColumnChunk): void | Promise<void>;
  /** Set when `apply` works in worker threads and returns a promise. */
  readonly offThread?: true;
  /** Stops what the step started (worker threads). */
  close?(): Promise<void>;
}

/** What one row of a tensor column holds: the element type and the per-row shape ([3,32,32], [64]). */
export interface TensorInfo {
  readonly dtype: 'float32' | 'float16' | 'int64';
  readonly shape: readonly number[];
}

/** How a spec is compiled. */
export interface CompileOptions {
  /** A column that no step wrote is taken to be an input column (checking a spec without a sample). */
  readonly assumeColumns?: boolean;
  /** Where relative paths in the spec (a tokenizer, an image root) point: the spec file's folder. */
  readonly specFolder?: string;
  /** Worker threads that decode images (image steps). */
  readonly decodeWorkers?: number;
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
  /** Tensor columns (one tensor per row) among the available ones. */
  readonly tensors = new Map<string, TensorInfo>();
  path = '';
  private readonly inputColumns: ReadonlySet<string>;

  readonly specFolder: string;
  readonly decodeWorkers: number;
  private readonly assumeColumns: boolean;

  /** `files` names the spec and the input in messages. */
  constructor(
    inputColumns: readonly string[],
    private readonly files: { readonly spec: string; readonly input: string },
    options: CompileOptions = {},
  ) {
    this.available = new Set(inputColumns);
    this.inputColumns = new Set(inputColumns);
    this.assumeColumns = options.assumeColumns === true;
    this.specFolder = options.specFolder ?? '.';
    this.decodeWorkers = options.decodeWorkers ?? 1;
  }

  /** A path from the spec: relative ones are taken from the spec file's folder. */
  resolveSpecPath(path: string): string {
    return isAbsolute(path) ? path : resolve(this.specFolder, path);
  }

  /** Fails when `name` does not exist at this step, or holds tensors, which only model inputs take. */
  need(name: string, key: string, numeric = false): string {
    this.needAny(name, key, numeric);
    if (this.tensors.has(name)) this.refuse(key, `column '${name}' holds a tensor per row; only a model input (or select, rename) can take it`, 'apply the step to the column before it is made into a tensor');
    return name;
  }

  /**
   * Like `need`, for uses that take tensor columns too (model inputs, select, rename). A column the
   * input never had is a missing input column (exit 3, as without a spec); one that a step selected
   * away or renamed is the spec's fault (exit 2).
   */
  needAny(name: string, key: string, numeric = false): string {
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
  refuse(key: string, problem: string, hint = 'rename to a new name, or select away the other column first'): never {
    throw new UsageError('CONFIG_INVALID', `Pipeline spec ${this.files.spec}: ${this.path}.${key}: ${problem}`, { hint });
  }

  write(name: string): string {
    this.available.add(name);
    this.written.add(name);
    this.tensors.delete(name);
    return name;
  }

  /** Writes a tensor column. */
  writeTensor(name: string, info: TensorInfo): string {
    this.write(name);
    this.tensors.set(name, info);
    return name;
  }

  remove(name: string): void {
    this.available.delete(name);
    this.tensors.delete(name);
  }
}
