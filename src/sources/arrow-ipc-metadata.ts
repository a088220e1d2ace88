// Arrow IPC metadata: a bounds-checked reader of the Message and Footer flatbuffers, and the checks of
// a record batch's regions against its body. apache-arrow trusts its input (big-endian data is read as
// little-endian; buffer regions past the body are silently cut short), so arrow-ipc.ts runs every
// message through these checks first. No third-party imports: this module only reads bytes.
import { constants as bufferConstants } from 'node:buffer';

/** A reason why the bytes are not a valid Arrow IPC file or stream; arrow.ts adds the file name. */
export class IpcFormatError extends Error {
  constructor(
    message: string,
    readonly kind: 'malformed' | 'big-endian' | 'truncated' | 'not-a-file' = 'malformed',
  ) {
    super(message);
    this.name = 'IpcFormatError';
  }
}

/** Message header types (Message.fbs MessageHeader). */
export const HeaderType = { NONE: 0, Schema: 1, DictionaryBatch: 2, RecordBatch: 3, Tensor: 4, SparseTensor: 5 } as const;
const HEADER_NAMES = ['NONE', 'Schema', 'DictionaryBatch', 'RecordBatch', 'Tensor', 'SparseTensor'];
/** Body compression codecs (Message.fbs CompressionType). */
export const Codec = { LZ4_FRAME: 0, ZSTD: 1 } as const;

/** Metadata versions apache-arrow reads: V4 (Arrow 0.8 to 0.17) and V5 (1.0 on). */
export const MIN_VERSION = 3;
export const MAX_VERSION = 4;
/** Limits that no legitimate file reaches but that stop allocation bombs early. */
export const MAX_METADATA_BYTES = 64 * 1024 * 1024;
export const MAX_BODY_BYTES = Math.min(bufferConstants.MAX_LENGTH, 2 ** 32 - 1);
const MAX_DECOMPRESSED_BUFFER = 2 ** 31 - 1;
const MAX_SCHEMA_FIELDS = 100_000;
const MAX_SCHEMA_DEPTH = 64;
const MAX_ROWS = 2 ** 31 - 1;
export const CONTINUATION = 0xffffffff;
export const MAGIC = 'ARROW1';

// ---------------------------------------------------------------------------------------------
// A flatbuffer reader that checks every offset against the buffer it reads.

export class FlatBuffer {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private check(pos: number, size: number): void {
    if (!Number.isInteger(pos) || pos < 0 || pos + size > this.bytes.byteLength) {
      throw new IpcFormatError(`${this.what} is corrupt: an offset points outside it (${pos} + ${size} > ${this.bytes.byteLength} bytes)`);
    }
  }
  u8(pos: number): number {
    this.check(pos, 1);
    return this.view.getUint8(pos);
  }
  i16(pos: number): number {
    this.check(pos, 2);
    return this.view.getInt16(pos, true);
  }
  u16(pos: number): number {
    this.check(pos, 2);
    return this.view.getUint16(pos, true);
  }
  i32(pos: number): number {
    this.check(pos, 4);
    return this.view.getInt32(pos, true);
  }
  u32(pos: number): number {
    this.check(pos, 4);
    return this.view.getUint32(pos, true);
  }
  /** A 64-bit signed integer; refused when it does not fit a JavaScript number exactly. */
  i64(pos: number, name: string): number {
    this.check(pos, 8);
    const value = this.view.getBigInt64(pos, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new IpcFormatError(`${this.what} is corrupt: ${name} is ${value}, beyond what any real file holds`);
    }
    return Number(value);
  }

  /** Position of the root table. */
  root(): number {
    return this.offsetAt(0);
  }
  private offsetAt(pos: number): number {
    return pos + this.u32(pos);
  }
  /** Absolute position of field `index` of the table at `table`, or undefined when absent. */
  field(table: number, index: number): number | undefined {
    const vtable = table - this.i32(table);
    const vtableSize = this.u16(vtable);
    if (vtableSize < 4 || vtableSize % 2 !== 0) throw new IpcFormatError(`${this.what} is corrupt: a table has an invalid layout`);
    this.check(vtable, vtableSize);
    const entry = 4 + 2 * index;
    if (entry >= vtableSize) return undefined;
    const offset = this.u16(vtable + entry);
    if (offset === 0) return undefined;
    const tableSize = this.u16(vtable + 2);
    if (offset >= tableSize) throw new IpcFormatError(`${this.what} is corrupt: a field lies outside its table`);
    return table + offset;
  }
  /** A child table (an offset field), or undefined. */
  table(table: number, index: number): number | undefined {
    const pos = this.field(table, index);
    return pos === undefined ? undefined : this.offsetAt(pos);
  }
  /** A vector field: position of its first element and its length (0 when absent). */
  vector(table: number, index: number, elementSize: number): { start: number; length: number } {
    const pos = this.field(table, index);
    if (pos === undefined) return { start: 0, length: 0 };
    const at = this.offsetAt(pos);
    const length = this.u32(at);
    const start = at + 4;
    if (length > 0) this.check(start, length * elementSize);
    return { start, length };
  }
  /** Element `i` of a vector of tables. */
  tableAt(start: number, i: number): number {
    return this.offsetAt(start + 4 * i);
  }
}

// ---------------------------------------------------------------------------------------------
// Parsed metadata.

export interface BufferRegion {
  readonly offset: number;
  readonly length: number;
}

export interface RecordBatchMeta {
  readonly length: number;
  readonly nodes: readonly { readonly length: number; readonly nullCount: number }[];
  readonly buffers: readonly BufferRegion[];
  /** Codec of the body buffers, when the body is compressed. */
  readonly codec: number | undefined;
}

export interface SchemaMeta {
  readonly bigEndian: boolean;
  /** Fields in pre-order (top-level fields and all their children): one FieldNode each in a batch. */
  readonly flatFieldCount: number;
  readonly topLevelFieldCount: number;
}

export interface MessageMeta {
  readonly version: number;
  readonly headerType: number;
  readonly bodyLength: number;
  readonly schema?: SchemaMeta;
  readonly batch?: RecordBatchMeta;
}

export function headerName(type: number): string {
  return HEADER_NAMES[type] ?? `unknown (${type})`;
}

export function parseSchema(fb: FlatBuffer, table: number): SchemaMeta {
  const endiannessAt = fb.field(table, 0);
  const endianness = endiannessAt === undefined ? 0 : fb.i16(endiannessAt);
  if (endianness !== 0 && endianness !== 1) throw new IpcFormatError(`the schema is corrupt: unknown endianness ${endianness}`);
  const fields = fb.vector(table, 1, 4);
  let count = 0;
  let nodes = 0;
  // Walk the field tree with a budget: a hostile schema can share or nest children so that a naive
  // decoder visits billions of fields. A record batch has one field node per field in pre-order,
  // except below a dictionary-encoded field, whose children describe the dictionary's values.
  const walk = (start: number, length: number, depth: number, inBatch: boolean): void => {
    if (depth > MAX_SCHEMA_DEPTH) throw new IpcFormatError(`the schema nests fields more than ${MAX_SCHEMA_DEPTH} levels deep`);
    for (let i = 0; i < length; i++) {
      count += 1;
      if (count > MAX_SCHEMA_FIELDS) throw new IpcFormatError(`the schema has more than ${MAX_SCHEMA_FIELDS} fields`);
      if (inBatch) nodes += 1;
      const field = fb.tableAt(start, i);
      const children = fb.vector(field, 5, 4);
      const dictionaryEncoded = fb.table(field, 4) !== undefined;
      walk(children.start, children.length, depth + 1, inBatch && !dictionaryEncoded);
    }
  };
  walk(fields.start, fields.length, 0, true);
  return { bigEndian: endianness === 1, flatFieldCount: nodes, topLevelFieldCount: fields.length };
}

function parseRecordBatch(fb: FlatBuffer, table: number): RecordBatchMeta {
  const lengthAt = fb.field(table, 0);
  const length = lengthAt === undefined ? 0 : fb.i64(lengthAt, 'the row count');
  const nodesVector = fb.vector(table, 1, 16);
  const buffersVector = fb.vector(table, 2, 16);
  const nodes: { length: number; nullCount: number }[] = [];
  for (let i = 0; i < nodesVector.length; i++) {
    const at = nodesVector.start + 16 * i;
    nodes.push({ length: fb.i64(at, 'a column length'), nullCount: fb.i64(at + 8, 'a null count') });
  }
  const buffers: BufferRegion[] = [];
  for (let i = 0; i < buffersVector.length; i++) {
    const at = buffersVector.start + 16 * i;
    buffers.push({ offset: fb.i64(at, 'a buffer offset'), length: fb.i64(at + 8, 'a buffer length') });
  }
  let codec: number | undefined;
  const compression = fb.table(table, 3);
  if (compression !== undefined) {
    const codecAt = fb.field(compression, 0);
    codec = codecAt === undefined ? 0 : fb.u8(codecAt);
    const methodAt = fb.field(compression, 1);
    const method = methodAt === undefined ? 0 : fb.u8(methodAt);
    if (method !== 0) throw new IpcFormatError(`a record batch uses body compression method ${method}; only BUFFER (0) exists`);
  }
  return { length, nodes, buffers, codec };
}

/** Parses the Message flatbuffer of one IPC message (its metadata bytes, without the length prefix). */
export function parseMessage(metadata: Uint8Array): MessageMeta {
  const fb = new FlatBuffer(metadata, 'the message metadata');
  const root = fb.root();
  const versionAt = fb.field(root, 0);
  const version = versionAt === undefined ? 0 : fb.i16(versionAt);
  const typeAt = fb.field(root, 1);
  const headerType = typeAt === undefined ? HeaderType.NONE : fb.u8(typeAt);
  const bodyAt = fb.field(root, 3);
  const bodyLength = bodyAt === undefined ? 0 : fb.i64(bodyAt, 'the body length');
  if (version < MIN_VERSION || version > MAX_VERSION) {
    throw new IpcFormatError(`a message has metadata version ${version + 1}; only V4 and V5 (Arrow 0.8 and later) are supported`);
  }
  if (bodyLength < 0 || bodyLength > MAX_BODY_BYTES) throw new IpcFormatError(`a message declares a body of ${bodyLength} bytes`);
  const header = fb.table(root, 2);
  if (headerType === HeaderType.Schema) {
    if (header === undefined) throw new IpcFormatError('the schema message has no schema');
    return { version, headerType, bodyLength, schema: parseSchema(fb, header) };
  }
  if (headerType === HeaderType.RecordBatch) {
    if (header === undefined) throw new IpcFormatError('a record batch message has no header');
    return { version, headerType, bodyLength, batch: parseRecordBatch(fb, header) };
  }
  if (headerType === HeaderType.DictionaryBatch) {
    if (header === undefined) throw new IpcFormatError('a dictionary batch message has no header');
    const data = fb.table(header, 1);
    if (data === undefined) throw new IpcFormatError('a dictionary batch message has no data');
    return { version, headerType, bodyLength, batch: parseRecordBatch(fb, data) };
  }
  return { version, headerType, bodyLength };
}

/** Checks a record or dictionary batch against its body: regions inside it, counts sane, compression prefixes sane. */
export function checkBatch(batch: RecordBatchMeta, body: Uint8Array, what: string, flatFieldCount: number | undefined): void {
  if (batch.length < 0 || batch.length > MAX_ROWS) throw new IpcFormatError(`${what} declares ${batch.length} rows`);
  if (flatFieldCount !== undefined && batch.nodes.length !== flatFieldCount) {
    throw new IpcFormatError(`${what} describes ${batch.nodes.length} columns (field nodes), but the schema has ${flatFieldCount}`);
  }
  for (const node of batch.nodes) {
    if (node.length < 0 || node.length > MAX_ROWS || node.nullCount < 0 || node.nullCount > node.length) {
      throw new IpcFormatError(`${what} has a column of ${node.length} values with ${node.nullCount} nulls`);
    }
  }
  for (const region of batch.buffers) {
    if (region.offset < 0 || region.length < 0 || region.offset + region.length > body.byteLength) {
      throw new IpcFormatError(
        `${what} has a buffer at bytes ${region.offset}..${region.offset + region.length} of a body of ${body.byteLength} bytes`,
      );
    }
  }
  if (batch.codec === undefined) return;
  if (batch.codec !== Codec.LZ4_FRAME && batch.codec !== Codec.ZSTD) {
    throw new IpcFormatError(`${what} is compressed with unknown codec ${batch.codec} (known: LZ4_FRAME, ZSTD)`);
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let total = 0;
  for (const region of batch.buffers) {
    if (region.length === 0) continue;
    if (region.length < 8) throw new IpcFormatError(`${what} has a compressed buffer of ${region.length} bytes, too short for its length prefix`);
    const declared = view.getBigInt64(region.offset, true);
    if (declared === -1n) continue;
    if (declared < 0n || declared > BigInt(MAX_DECOMPRESSED_BUFFER)) {
      throw new IpcFormatError(`${what} has a compressed buffer that claims ${declared} bytes uncompressed`);
    }
    total += Number(declared);
    if (total > MAX_BODY_BYTES) throw new IpcFormatError(`${what} would decompress to more than ${MAX_BODY_BYTES} bytes`);
  }
}
