// Sources: Hive-style partition keys. A directory named key=value in an input's path (as Spark, Hive,
// DuckDB and pyarrow write partitioned data: date=2024-01-01/region=eu/part-0.parquet) gives every
// row of the files below it a column `key` holding `value`, as text like a CSV cell.
import { dirname, sep } from 'node:path';
import { InputError } from '../errors.js';
import type { Column, ColumnChunk } from '../shared/chunk.js';
import { parseNumber } from '../shared/values.js';
import type { ChunkOptions, OpenedSource } from './source.js';

/** One key=value directory of an input's path. */
export interface PartitionKey {
  readonly name: string;
  /** The value, %-escapes decoded; null for Hive's __HIVE_DEFAULT_PARTITION__ (a null key). */
  readonly value: string | null;
}

const NULL_PARTITION = '__HIVE_DEFAULT_PARTITION__';

/** The key=value directories of a file's path, outermost first (none for stdin). */
export function partitionKeysOf(path: string): PartitionKey[] {
  if (path === '-') return [];
  const keys: PartitionKey[] = [];
  for (const segment of dirname(path).split(sep)) {
    const at = segment.indexOf('=');
    if (at <= 0) continue;
    const name = unescape(segment.slice(0, at));
    const raw = segment.slice(at + 1);
    const value = raw === NULL_PARTITION ? null : unescape(raw);
    const previous = keys.findIndex((key) => key.name === name);
    // The innermost directory of a name wins, as in Spark.
    if (previous >= 0) keys.splice(previous, 1);
    keys.push({ name, value });
  }
  return keys;
}

/** Hive escapes characters such as / and = in a value as %XX; a malformed escape is kept as written. */
function unescape(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The source with one more column per partition key; a key that is also a column of the file is an error. */
export function withPartitionColumns(source: OpenedSource, keys: readonly PartitionKey[]): OpenedSource {
  if (keys.length === 0) return source;
  const clash = keys.find((key) => source.columnNames.includes(key.name));
  if (clash !== undefined) {
    throw new InputError('SCHEMA_MISMATCH', `Input ${source.path} has a column '${clash.name}' and sits in a partition directory ${clash.name}=... of the same name`, {
      context: { file: source.path, column: clash.name },
      hint: 'rename the column or the directory: the two would give one column two values',
    });
  }
  return {
    ...source,
    columnNames: [...source.columnNames, ...keys.map((key) => key.name)],
    chunks: (options) => addKeys(source, keys, options),
    bytesRead: () => source.bytesRead(),
    warnings: () => source.warnings(),
    close: () => source.close(),
  };
}

async function* addKeys(source: OpenedSource, keys: readonly PartitionKey[], options: ChunkOptions): AsyncGenerator<ColumnChunk> {
  const columns = keys.map((key) => [key, keyColumn(source.path, key, options.numericColumns.has(key.name))] as const);
  // A kept key the model reads as a number is written as the directory names it.
  const texts = keys.filter((key) => options.numericColumns.has(key.name) && options.keptColumns?.has(key.name) === true).map((key) => [key, keyColumn(source.path, key, false)] as const);
  for await (const chunk of source.chunks(options)) {
    const withKeys = new Map(chunk.columns);
    for (const [key, column] of columns) {
      if (options.columns === undefined || options.columns.has(key.name)) withKeys.set(key.name, column(chunk.rowCount));
    }
    if (texts.length === 0) {
      yield { ...chunk, columns: withKeys };
      continue;
    }
    const passthrough = new Map(chunk.passthrough);
    for (const [key, column] of texts) passthrough.set(key.name, column(chunk.rowCount));
    yield { ...chunk, columns: withKeys, passthrough };
  }
}

/** A maker of the key's column for n rows: text, or a number for a column the model reads as numbers. */
function keyColumn(path: string, key: PartitionKey, numeric: boolean): (rows: number) => Column {
  if (!numeric) return (rows) => ({ type: 'string', values: new Array<string | null>(rows).fill(key.value) });
  const value = key.value === null ? undefined : parseNumber(key.value);
  if (key.value !== null && value === undefined) {
    throw new InputError('BAD_VALUE', `Bad value in partition key '${key.name}' of ${path}: expected a number, got ${JSON.stringify(key.value)}`, {
      context: { file: path, column: key.name },
      hint: 'the model reads this key as a number; map it in a preprocessing spec (e.g. one_hot or ordinal), or leave it out of the features',
    });
  }
  return (rows) => ({ type: 'float64', values: new Float64Array(rows).fill(value ?? 0), nulls: new Uint8Array(rows).fill(value === undefined ? 1 : 0) });
}
