// Pipeline: checks a parsed YAML/JSON value against spec version 1 and returns the typed spec, or one
// error listing every problem with its path ("steps[2].one_hot.categories: expected ..., got ...").
import { UsageError } from '../errors.js';
import { formatFloat64 } from '../shared/values.js';
import type { Category, DatePart, InputSpec, OutputSpec, PipelineSpec, Step } from './spec.js';

const DATE_PARTS: readonly DatePart[] = ['year', 'month', 'day', 'weekday', 'hour', 'minute', 'second', 'epoch'];
const DTYPES = ['float32', 'float64', 'int64', 'int32', 'string', 'bool'] as const;

/** Reads values at a path and records what is wrong instead of stopping at the first problem. */
class Reader {
  constructor(
    readonly problems: string[],
    readonly path: string,
    readonly value: unknown,
  ) {}

  /** The path as printed: the root is 'the spec'. */
  get where(): string {
    return this.path === '' ? 'the spec' : this.path;
  }

  private fail(expected: string): undefined {
    this.problems.push(`${this.where}: expected ${expected}, got ${describe(this.value)}`);
    return undefined;
  }

  get present(): boolean {
    return this.value !== undefined;
  }

  /** A mapping; keys outside `known` are reported (a typo must not be ignored silently). */
  object(known?: readonly string[]): Record<string, unknown> | undefined {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) return this.fail('a mapping');
    const record = this.value as Record<string, unknown>;
    if (known !== undefined) {
      for (const key of Object.keys(record)) {
        if (!known.includes(key)) this.problems.push(`${this.where}: unknown key '${key}' (expected ${known.join(', ')})`);
      }
    }
    return record;
  }

  key(name: string): Reader {
    const record = typeof this.value === 'object' && this.value !== null && !Array.isArray(this.value) ? (this.value as Record<string, unknown>) : {};
    return new Reader(this.problems, `${this.path}.${name}`, record[name]);
  }

  required(): this {
    if (this.value === undefined) this.problems.push(`${this.path}: required, but missing`);
    return this;
  }

  string(): string | undefined {
    if (this.value === undefined) return undefined;
    return typeof this.value === 'string' && this.value !== '' ? this.value : this.fail('a non-empty string');
  }

  number(): number | undefined {
    if (this.value === undefined) return undefined;
    return typeof this.value === 'number' && Number.isFinite(this.value) ? this.value : this.fail('a finite number');
  }

  integer(min: number): number | undefined {
    if (this.value === undefined) return undefined;
    return Number.isInteger(this.value) && (this.value as number) >= min ? (this.value as number) : this.fail(`a whole number of at least ${min}`);
  }

  oneOf<T extends string>(choices: readonly T[]): T | undefined {
    if (this.value === undefined) return undefined;
    return choices.includes(this.value as T) ? (this.value as T) : this.fail(`one of ${choices.join(', ')}`);
  }

  list<T>(item: (reader: Reader) => T | undefined, options: { nonEmpty?: boolean; unique?: boolean } = {}): T[] | undefined {
    if (this.value === undefined) return undefined;
    if (!Array.isArray(this.value)) return this.fail('a list');
    if (options.nonEmpty === true && this.value.length === 0) return this.fail('a non-empty list');
    const items = this.value.map((value, index) => item(new Reader(this.problems, `${this.path}[${index}]`, value)));
    if (items.some((value) => value === undefined)) return undefined;
    if (options.unique === true) {
      const seen = new Set<string>();
      for (const value of items) {
        const text = JSON.stringify(value);
        if (seen.has(text)) this.problems.push(`${this.path}: ${text} appears twice`);
        seen.add(text);
      }
    }
    return items as T[];
  }

  sameLength(other: readonly unknown[] | undefined, otherName: string, length: number | undefined): void {
    if (other !== undefined && length !== undefined && other.length !== length) {
      this.problems.push(`${this.path}: expected ${length} values (one per entry of ${otherName}), got ${other.length}`);
    }
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

const stringItem = (reader: Reader): string | undefined => reader.string();
const numberItem = (reader: Reader): number | undefined => reader.number();
const categoryItem = (reader: Reader): Category | undefined =>
  typeof reader.value === 'string' ? reader.value : typeof reader.value === 'number' && Number.isFinite(reader.value) ? reader.value : (reader.problems.push(`${reader.path}: expected a string or a number, got ${describe(reader.value)}`), undefined);

function columnsWithValues(reader: Reader, valueKeys: readonly string[]): { columns: string[]; lists: (number[] | undefined)[] } | undefined {
  const columns = reader.key('columns').required().list(stringItem, { nonEmpty: true, unique: true });
  const lists = valueKeys.map((key) => {
    const child = reader.key(key).required();
    const values = child.list(numberItem);
    child.sameLength(values, 'columns', columns?.length);
    return values;
  });
  return columns === undefined ? undefined : { columns, lists };
}

/** One-hot columns are named by category text, so '1' and 1 would write the same column. */
function distinctNames(reader: Reader, categories: readonly Category[] | undefined): void {
  const seen = new Map<string, Category>();
  for (const category of categories ?? []) {
    const name = typeof category === 'number' ? formatFloat64(category) : category;
    const previous = seen.get(name);
    if (previous !== undefined && previous !== category) {
      reader.problems.push(`${reader.path}.categories: ${JSON.stringify(previous)} and ${JSON.stringify(category)} would both write the column '${name}'`);
    }
    seen.set(name, category);
  }
}

const STEP_READERS: Readonly<Record<string, (reader: Reader) => Step | undefined>> = {
  select: (r) => {
    r.object(['columns']);
    const columns = r.key('columns').required().list(stringItem, { nonEmpty: true, unique: true });
    return columns && { select: { columns } };
  },
  rename: (r) => {
    r.object(['columns']);
    const mapping = r.key('columns').required().object();
    if (mapping === undefined) return undefined;
    const columns: Record<string, string> = {};
    for (const from of Object.keys(mapping)) {
      const target = r.key('columns').key(from).string();
      if (target !== undefined) columns[from] = target;
    }
    return { rename: { columns } };
  },
  cast: (r) => {
    r.object(['columns', 'to']);
    const columns = r.key('columns').required().list(stringItem, { nonEmpty: true, unique: true });
    const to = r.key('to').required().oneOf(['float64', 'string'] as const);
    return columns && to && { cast: { columns, to } };
  },
  impute: (r) => {
    r.object(['columns', 'values', 'strategy']);
    const strategy = r.key('strategy').oneOf(['constant', 'mean', 'median', 'most_frequent'] as const);
    const read = columnsWithValues(r, ['values']);
    const values = read?.lists[0];
    return read && values && { impute: { columns: read.columns, values, ...(strategy === undefined ? {} : { strategy }) } };
  },
  standardize: (r) => {
    r.object(['columns', 'mean', 'scale']);
    const read = columnsWithValues(r, ['mean', 'scale']);
    const [mean, scale] = read?.lists ?? [];
    scale?.forEach((value, i) => {
      if (value === 0) r.problems.push(`${r.path}.scale[${i}]: expected a non-zero number, got 0`);
    });
    return read && mean && scale && { standardize: { columns: read.columns, mean, scale } };
  },
  min_max: (r) => {
    r.object(['columns', 'min', 'max', 'range']);
    const read = columnsWithValues(r, ['min', 'max']);
    const [min, max] = read?.lists ?? [];
    min?.forEach((value, i) => {
      if (value === max?.[i]) r.problems.push(`${r.path}.max[${i}]: expected a number different from min[${i}], got ${value}`);
    });
    const rangeReader = r.key('range');
    const range = rangeReader.list(numberItem) ?? [0, 1];
    if (range.length !== 2) rangeReader.problems.push(`${rangeReader.path}: expected two numbers [low, high], got a list of ${range.length}`);
    return read && min && max && { min_max: { columns: read.columns, min, max, range: [range[0] ?? 0, range[1] ?? 1] } };
  },
  clip: (r) => {
    r.object(['columns', 'min', 'max']);
    const columns = r.key('columns').required().list(stringItem, { nonEmpty: true, unique: true });
    const min = r.key('min').number();
    const max = r.key('max').number();
    if (min === undefined && max === undefined) r.problems.push(`${r.path}: expected min, max or both, got neither`);
    if (min !== undefined && max !== undefined && min > max) r.problems.push(`${r.path}: expected min <= max, got min ${min} > max ${max}`);
    return columns && { clip: { columns, min, max } };
  },
  log1p: (r) => {
    r.object(['columns']);
    const columns = r.key('columns').required().list(stringItem, { nonEmpty: true, unique: true });
    return columns && { log1p: { columns } };
  },
  one_hot: (r) => {
    r.object(['column', 'categories', 'unknown', 'nulls']);
    const column = r.key('column').required().string();
    const categories = r.key('categories').required().list(categoryItem, { nonEmpty: true, unique: true });
    distinctNames(r, categories);
    const unknown = r.key('unknown').oneOf(['ignore', 'error', 'extra'] as const) ?? 'error';
    const nulls = r.key('nulls').oneOf(['ignore', 'error', 'category'] as const) ?? 'ignore';
    return column === undefined || categories === undefined ? undefined : { one_hot: { column, categories, unknown, nulls } };
  },
  ordinal: (r) => {
    r.object(['column', 'categories', 'unknown_value', 'output']);
    const column = r.key('column').required().string();
    const categories = r.key('categories').required().list(categoryItem, { nonEmpty: true, unique: true });
    const unknownValue = r.key('unknown_value').number();
    const output = r.key('output').string() ?? column;
    return column === undefined || categories === undefined || output === undefined ? undefined : { ordinal: { column, categories, unknown_value: unknownValue, output } };
  },
  bucketize: (r) => {
    r.object(['column', 'edges', 'output']);
    const column = r.key('column').required().string();
    const edgesReader = r.key('edges').required();
    const edges = edgesReader.list(numberItem, { nonEmpty: true });
    edges?.forEach((edge, i) => {
      if (i > 0 && edge <= (edges[i - 1] as number)) edgesReader.problems.push(`${edgesReader.path}[${i}]: expected edges in increasing order, got ${edge} after ${edges[i - 1]}`);
    });
    const output = r.key('output').string() ?? column;
    return column === undefined || edges === undefined || output === undefined ? undefined : { bucketize: { column, edges, output } };
  },
  date_parts: (r) => {
    r.object(['column', 'parts', 'prefix']);
    const column = r.key('column').required().string();
    const parts = r.key('parts').required().list((item) => item.oneOf(DATE_PARTS), { nonEmpty: true, unique: true });
    const prefix = r.key('prefix').string() ?? column;
    return column === undefined || parts === undefined || prefix === undefined ? undefined : { date_parts: { column, parts, prefix } };
  },
};

/** The step names a spec may use, in documentation order. */
export const STEP_NAMES = Object.keys(STEP_READERS);

function readStep(reader: Reader): Step | undefined {
  const record = reader.object();
  if (record === undefined) return undefined;
  const names = Object.keys(record);
  if (names.length !== 1) {
    reader.problems.push(`${reader.path}: expected exactly one step name (${STEP_NAMES.join(', ')}), got ${names.length === 0 ? 'none' : names.join(', ')}`);
    return undefined;
  }
  const name = names[0] as string;
  // Own keys only: 'toString' or 'constructor' are not steps.
  const read = Object.hasOwn(STEP_READERS, name) ? STEP_READERS[name] : undefined;
  if (read === undefined) {
    reader.problems.push(`${reader.path}: unknown step '${name}' (expected one of ${STEP_NAMES.join(', ')})`);
    return undefined;
  }
  return read(reader.key(name));
}

function readInput(reader: Reader): InputSpec | undefined {
  reader.object(['columns', 'dtype', 'shape']);
  const columns = reader.key('columns').required().list(stringItem, { nonEmpty: true });
  const dtype = reader.key('dtype').oneOf(DTYPES);
  const shapeReader = reader.key('shape');
  const shapeText = shapeReader.value === undefined ? undefined : JSON.stringify(shapeReader.value).replaceAll('"', '').replaceAll(' ', '');
  const shapes = new Map<string, InputSpec['shape']>([
    ['[N,K]', 'matrix'],
    ['[N,1]', 'column'],
    ['[N]', 'vector'],
  ]);
  const shape = shapeText === undefined ? undefined : shapes.get(shapeText);
  if (shapeText !== undefined && shape === undefined) reader.problems.push(`${shapeReader.path}: expected [N,K], [N,1] or [N], got ${shapeText}`);
  if (columns !== undefined && columns.length > 1 && (shape === 'column' || shape === 'vector')) {
    reader.problems.push(`${shapeReader.path}: a ${shapeText} input takes one column, got ${columns.length}`);
  }
  return columns && { columns, dtype, shape };
}

function readOutput(reader: Reader): OutputSpec | undefined {
  reader.object(['labels', 'argmax', 'threshold', 'top_k']);
  const labels = reader.key('labels').list(stringItem, { nonEmpty: true, unique: true });
  const argmax = reader.key('argmax').string();
  const thresholdReader = reader.key('threshold');
  let threshold: OutputSpec['threshold'];
  if (thresholdReader.present) {
    thresholdReader.object(['value', 'column', 'positive', 'negative']);
    const value = thresholdReader.key('value').required().number();
    const column = thresholdReader.key('column').required().string();
    // The threshold tests the last column, so its label is the positive one.
    const positive = thresholdReader.key('positive').string() ?? labels?.[labels.length - 1] ?? '1';
    const negative = thresholdReader.key('negative').string() ?? labels?.[0] ?? '0';
    if (value !== undefined && column !== undefined) threshold = { value, column, positive, negative };
  }
  const topReader = reader.key('top_k');
  let topK: OutputSpec['top_k'];
  if (topReader.present) {
    topReader.object(['k', 'prefix']);
    const k = topReader.key('k').required().integer(1);
    const prefix = topReader.key('prefix').string() ?? 'top';
    if (k !== undefined) topK = { k, prefix };
  }
  return { labels, argmax, threshold, top_k: topK };
}

function readMapping<T>(reader: Reader, item: (reader: Reader) => T | undefined): Record<string, T> {
  const record = reader.value === undefined ? {} : (reader.object() ?? {});
  const result: Record<string, T> = {};
  for (const name of Object.keys(record)) {
    const value = item(reader.key(name));
    if (value !== undefined) result[name] = value;
  }
  return result;
}

/** Validates a parsed spec; throws one CONFIG_INVALID error listing every problem. */
export function readSpec(value: unknown, origin: string): PipelineSpec {
  const problems: string[] = [];
  const root = new Reader(problems, '', value);
  root.object(['version', 'steps', 'inputs', 'outputs']);
  const at = (name: string): Reader => new Reader(problems, name, root.key(name).value);
  const version = at('version').required().value;
  if (version !== undefined && version !== 1) problems.push(`version: expected 1, got ${describe(version)}`);
  const steps = at('steps').list(readStep) ?? [];
  const inputs = readMapping(at('inputs').required(), readInput);
  const outputs = readMapping(at('outputs'), readOutput);
  if (problems.length > 0) {
    throw new UsageError('CONFIG_INVALID', `Invalid pipeline spec ${origin}:\n  - ${problems.join('\n  - ')}`, {
      context: { file: origin },
      hint: 'see the README section "Preprocessing" for the step catalogue, or schema/pipeline.schema.json',
    });
  }
  return { version: 1, steps, inputs, outputs };
}
