// Source helper: a Parquet footer read in JavaScript: the row groups' sizes, the columns' Arrow types
// where every column is of a plain type (so that parquet-wasm need not be loaded just to read the
// footer), and what the JavaScript page decoder (parquet-pages.ts) needs: for each top-level column,
// its physical type and whether it may hold nulls, and for each row group where its pages are. A
// column chunk qualifies for the JavaScript decoder only when it is a flat number column (double,
// float, int32, int64) that the Arrow reader also reads as that plain type, compressed with snappy,
// gzip or not at all, and encoded with plain or dictionary pages; every other column stays with
// parquet-wasm.
import type { ArrowField } from './arrow-batches.js';
import { listField, numberField, ParquetFormatError, structField, ThriftReader, type ThriftStruct, type ThriftValue } from './thrift-compact.js';

/** The physical types decoded in JavaScript, with the Arrow type the Arrow reader gives each. */
export const PLAIN_TYPES = { 1: 'Int32', 2: 'Int64', 4: 'Float32', 5: 'Float64' } as const;
export type PhysicalType = keyof typeof PLAIN_TYPES;

/** Page compressions decoded in JavaScript: UNCOMPRESSED, SNAPPY, GZIP. */
export type Codec = 0 | 1 | 2;
const CODECS: readonly number[] = [0, 1, 2];
/** PLAIN, PLAIN_DICTIONARY, RLE (levels), RLE_DICTIONARY. */
const ENCODINGS: readonly number[] = [0, 2, 3, 8];
const REPEATED = 2;

/** One column's pages in one row group, ready for the JavaScript decoder. */
export interface ChunkPlan {
  readonly name: string;
  readonly type: PhysicalType;
  /** OPTIONAL (one definition level) rather than REQUIRED. */
  readonly optional: boolean;
  readonly codec: Codec;
  /** Byte range of the column chunk (its dictionary page, if any, then its data pages). */
  readonly start: number;
  readonly length: number;
  /** Values in the chunk, nulls included: the row group's rows for a flat column. */
  readonly values: number;
}

/** Per row group, the columns (by name) that the JavaScript decoder reads. */
export type FooterPlan = readonly ReadonlyMap<string, ChunkPlan>[];

interface Leaf {
  readonly name: string;
  readonly topLevel: boolean;
  readonly schema: ThriftStruct;
}

/** A footer's FileMetaData, decoded. */
export interface FileFooter {
  readonly leaves: readonly Leaf[];
  /** Whether every column of the schema is a top-level leaf. */
  readonly flat: boolean;
  readonly rowGroups: readonly ThriftStruct[];
  /** Key-value metadata keys (an `ARROW:schema` there can give columns other Arrow types). */
  readonly keys: readonly string[];
  /** Where the footer starts: no column chunk may reach past it. */
  readonly dataEnd: number;
}

const text = (bytes: ThriftValue | undefined): string => (bytes instanceof Uint8Array ? new TextDecoder().decode(bytes) : '');

/** The leaf columns of the schema, in column chunk order, each with whether it is a top-level field. */
function leavesOf(schema: readonly ThriftStruct[]): Leaf[] {
  const leaves: Leaf[] = [];
  let at = 1;
  const walk = (depth: number): void => {
    const element = schema[at++];
    if (element === undefined) throw new ParquetFormatError('its schema lists fewer elements than its groups declare');
    const children = numberField(element, 5) ?? 0;
    if (children === 0) leaves.push({ name: text(element.get(4)), topLevel: depth === 1, schema: element });
    for (let i = 0; i < children; i++) walk(depth + 1);
  };
  const root = schema[0];
  for (let i = 0; i < (root === undefined ? 0 : (numberField(root, 5) ?? 0)); i++) walk(1);
  return leaves;
}

const structs = (values: readonly ThriftValue[]): ThriftStruct[] => values.filter((value): value is ThriftStruct => value instanceof Map);

/** Decodes a footer's bytes (the FileMetaData struct) that start at byte `dataEnd` of the file. */
export function readFooter(bytes: Uint8Array, dataEnd: number): FileFooter {
  const metadata = new ThriftReader(bytes).readStruct();
  const schema = structs(listField(metadata, 2));
  const leaves = leavesOf(schema);
  const keys = structs(listField(metadata, 5)).map((pair) => text(pair.get(1)));
  return { leaves, flat: leaves.length === schema.length - 1, rowGroups: structs(listField(metadata, 4)), keys, dataEnd };
}

/** Rows and compressed bytes (the sum of its column chunks') of each row group. */
export function rowGroupSizes(footer: FileFooter): { rows: number[]; bytes: number[] } {
  const rows = footer.rowGroups.map((group) => numberField(group, 3) ?? Number.NaN);
  const bytes = footer.rowGroups.map((group) => structs(listField(group, 1)).reduce((sum, chunk) => sum + (numberField(structField(chunk, 3) ?? new Map(), 7) ?? Number.NaN), 0));
  if (![...rows, ...bytes].every((size) => Number.isSafeInteger(size) && size >= 0)) throw new ParquetFormatError('a row group does not declare its rows and sizes');
  return { rows, bytes };
}

/** ConvertedType INT_32 and INT_64; logical type STRING and INTEGER. */
const INT_32 = 17;
const INT_64 = 18;
const UTF8 = 0;

/**
 * The Arrow field of a top-level column of a plain type, as the Arrow reader names its type: a
 * signed integer, a float, a boolean or a UTF-8 string; undefined for any other type.
 */
function plainField(leaf: Leaf): ArrowField | undefined {
  const { schema } = leaf;
  const type = numberField(schema, 1);
  const converted = numberField(schema, 6);
  const logical = structField(schema, 10);
  const integer = logical === undefined ? undefined : structField(logical, 10);
  const bits = integer === undefined ? undefined : numberField(integer, 1);
  const signedInteger = (width: number, convertedType: number): boolean =>
    (converted === undefined || converted === convertedType) && (logical === undefined || (logical.size === 1 && bits === width && integer?.get(2) === true));
  let arrowType: string | undefined;
  if (type === 1 && signedInteger(32, INT_32)) arrowType = 'Int32';
  else if (type === 2 && signedInteger(64, INT_64)) arrowType = 'Int64';
  else if ((type === 4 || type === 5 || type === 0) && converted === undefined && logical === undefined) arrowType = type === 0 ? 'Bool' : type === 4 ? 'Float32' : 'Float64';
  else if (type === 6 && (converted === undefined || converted === UTF8) && (logical === undefined ? converted === UTF8 : logical.size === 1 && logical.has(1))) arrowType = 'Utf8';
  return arrowType === undefined ? undefined : { name: leaf.name, type: arrowType };
}

/**
 * The columns' Arrow fields when the schema is flat, every column is of a plain type and no
 * ARROW:schema says otherwise; undefined when only the Arrow reader can tell.
 */
export function plainFields(footer: FileFooter): ArrowField[] | undefined {
  if (!footer.flat || footer.keys.includes('ARROW:schema')) return undefined;
  const fields = footer.leaves.map(plainField);
  return fields.every((field) => field !== undefined) ? (fields as ArrowField[]) : undefined;
}

/** The column chunks the JavaScript decoder reads, given the Arrow fields the Arrow reader gives (or plainFields). */
export function planFooter(footer: FileFooter, fields: readonly ArrowField[]): FooterPlan {
  const arrowTypes = new Map(fields.map((field) => [field.name, field.type]));
  return footer.rowGroups.map((group, number) => {
    const plans = new Map<string, ChunkPlan>();
    const rows = numberField(group, 3);
    const chunks = listField(group, 1);
    // Checks that readers make (DuckDB does): a chunk per column, of the column's physical type.
    if (chunks.length !== footer.leaves.length) throw new ParquetFormatError(`row group ${number} has ${chunks.length} column chunks for ${footer.leaves.length} columns`);
    chunks.forEach((chunk, index) => {
      const leaf = footer.leaves[index] as Leaf;
      const meta = chunk instanceof Map ? structField(chunk, 3) : undefined;
      const type = meta === undefined ? undefined : numberField(meta, 1);
      if (type !== undefined && type !== numberField(leaf.schema, 1)) throw new ParquetFormatError(`column '${leaf.name}' has physical type ${numberField(leaf.schema, 1)} in the schema but ${type} in row group ${number}`);
      const path = meta === undefined ? [] : listField(meta, 3);
      if (leaf.topLevel && path.length > 0 && (path.length !== 1 || text(path[0]) !== leaf.name)) throw new ParquetFormatError(`row group ${number} names column ${index + 1} '${path.map(text).join('.')}', not '${leaf.name}'`);
      if (!(chunk instanceof Map) || !leaf.topLevel) return;
      const plan = planChunk(chunk, leaf, arrowTypes.get(leaf.name), footer.dataEnd);
      // A flat column holds one value per row; a chunk that says otherwise stays with parquet-wasm.
      if (plan !== undefined && plan.values === rows) plans.set(leaf.name, plan);
    });
    return plans;
  });
}

function planChunk(chunk: ThriftStruct, leaf: Leaf, arrowType: string | undefined, dataEnd: number): ChunkPlan | undefined {
  const meta = structField(chunk, 3);
  // A chunk in another file, or encrypted, stays with parquet-wasm.
  if (meta === undefined || chunk.has(1) || chunk.has(8) || chunk.has(9)) return undefined;
  const type = numberField(meta, 1);
  const path = listField(meta, 3);
  if (type === undefined || !(type in PLAIN_TYPES) || numberField(leaf.schema, 1) !== type || path.length !== 1 || text(path[0]) !== leaf.name) return undefined;
  // The Arrow reader's type decides (logical types, and an ARROW:schema that says otherwise, keep it out).
  if (arrowType !== PLAIN_TYPES[type as PhysicalType]) return undefined;
  const repetition = numberField(leaf.schema, 3) ?? 0;
  const codec = numberField(meta, 4);
  const encodings = listField(meta, 2);
  if (repetition === REPEATED || codec === undefined || !CODECS.includes(codec) || !encodings.every((encoding) => typeof encoding === 'number' && ENCODINGS.includes(encoding))) return undefined;
  const dataOffset = numberField(meta, 9);
  const dictionaryOffset = numberField(meta, 11);
  const length = numberField(meta, 7);
  const values = numberField(meta, 5);
  if (dataOffset === undefined || length === undefined || values === undefined) return undefined;
  const start = dictionaryOffset !== undefined && dictionaryOffset > 0 && dictionaryOffset < dataOffset ? dictionaryOffset : dataOffset;
  if (!(start >= 4 && length >= 0 && start + length <= dataEnd)) throw new ParquetFormatError(`column '${leaf.name}' declares its pages at bytes ${start} to ${start + length}, outside the file's data`);
  return { name: leaf.name, type: type as PhysicalType, optional: repetition !== 0, codec: codec as Codec, start, length, values };
}
