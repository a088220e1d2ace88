// Run: one type per column across a run's inputs. The model's feeds, the statistics and the Arrow and
// Parquet writers take each column's type from the first rows they see, so an input that delivers
// a column as another type (a Parquet file with `id` as text after one with `id` as int64, numbers
// as text after a CSV file's numbers) is refused naming both files, the column and both types.
// Numbers of another width (int32, int64, float32, float64) pass in a column that is not written
// to the output: the model and the statistics take any number.
import { InputError } from '../errors.js';
import { keptColumn, type ColumnChunk, type KeptColumn } from '../shared/chunk.js';

type ColumnType = KeptColumn['type'];

const NUMBERS: ReadonlySet<ColumnType> = new Set(['float64', 'float32', 'int32', 'int64']);

/** The type each column has had so far in a run, and the input that first gave it. */
export class ColumnTypes {
  private readonly seen = new Map<string, { readonly type: ColumnType; readonly path: string }>();

  /**
   * `read`: the columns the run uses (others are not looked at); `kept`: those written to the
   * output, which need the very same type in every input; `typedOutput`: the output stores types
   * (not CSV), so a kept column's type is the one it is written with (the text of a CSV number).
   */
  constructor(
    private readonly read: ReadonlySet<string>,
    private readonly kept: ReadonlySet<string>,
    private readonly typedOutput: boolean,
  ) {}

  /** The chunks of the input at `path`, failing at the first column whose type differs from an earlier input's. */
  async *check(chunks: AsyncIterable<ColumnChunk>, path: string): AsyncGenerator<ColumnChunk> {
    for await (const chunk of chunks) {
      for (const [name, column] of chunk.columns) if (this.read.has(name)) this.checkColumn(name, this.typedOutput && this.kept.has(name) ? (keptColumn(chunk, name) ?? column).type : column.type, path);
      yield chunk;
    }
  }

  private checkColumn(name: string, type: ColumnType, path: string): void {
    const earlier = this.seen.get(name);
    if (earlier === undefined) {
      this.seen.set(name, { type, path });
      return;
    }
    if (earlier.type === type || (NUMBERS.has(type) && NUMBERS.has(earlier.type) && !this.kept.has(name))) return;
    const where = earlier.path === path ? 'in its earlier rows' : `in ${earlier.path}, an input before it`;
    throw new InputError('SCHEMA_MISMATCH', `Column '${name}' is ${typeName(type)} in ${path} but ${typeName(earlier.type)} ${where}`, {
      context: { file: path, column: name },
      hint: `the inputs of one run need each column as one type${this.kept.has(name) ? ' (it is written to the output)' : ''}: write the files with the same type for '${name}' (e.g. a CAST where they are made), or score them in separate runs`,
    });
  }
}

function typeName(type: ColumnType): string {
  return type === 'string' ? 'text' : type === 'bool' ? 'boolean' : type;
}
