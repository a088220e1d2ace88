// Source helper: Thrift's compact protocol, which Parquet's footer and page headers are written in,
// read into plain values keyed by field id. Every read is bounds-checked, since the bytes come from a
// file: a short or malformed structure throws ParquetFormatError, never reads past its buffer.

/** Why Parquet bytes cannot be decoded (the decoder thread reports it with the file's name). */
export class ParquetFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParquetFormatError';
  }
}

/** A decoded struct: field id -> value (numbers for integers, Uint8Array for binary, arrays for lists). */
export type ThriftStruct = ReadonlyMap<number, ThriftValue>;
export type ThriftValue = number | boolean | Uint8Array | ThriftStruct | readonly ThriftValue[];

const MAX_DEPTH = 32;

const enum Type {
  Stop = 0,
  True = 1,
  False = 2,
  Byte = 3,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  Double = 7,
  Binary = 8,
  List = 9,
  Set = 10,
  Map = 11,
  Struct = 12,
}

/** Reads structs from `bytes`, starting at `offset`; `offset` is where the last one ended. */
export class ThriftReader {
  constructor(
    private readonly bytes: Uint8Array,
    public offset = 0,
  ) {}

  readStruct(depth = 0): ThriftStruct {
    if (depth > MAX_DEPTH) throw new ParquetFormatError('a Thrift structure is nested too deeply');
    const fields = new Map<number, ThriftValue>();
    let id = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === Type.Stop) return fields;
      const delta = header >> 4;
      id = delta === 0 ? this.zigzag() : id + delta;
      fields.set(id, this.value(type, depth));
    }
  }

  private value(type: number, depth: number): ThriftValue {
    switch (type) {
      case Type.True:
        return true;
      case Type.False:
        return false;
      case Type.Byte:
        return (this.byte() << 24) >> 24;
      case Type.I16:
      case Type.I32:
      case Type.I64:
        return this.zigzag();
      case Type.Double:
        this.need(8);
        this.offset += 8;
        return new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset - 8, 8).getFloat64(0, true);
      case Type.Binary: {
        const length = this.varint();
        this.need(length);
        this.offset += length;
        return this.bytes.subarray(this.offset - length, this.offset);
      }
      case Type.List:
      case Type.Set: {
        const header = this.byte();
        const size = header >> 4 === 15 ? this.varint() : header >> 4;
        const element = header & 0x0f;
        // Each element takes at least a byte: a larger count is a lie, refused before the loop.
        this.need(size);
        const values: ThriftValue[] = [];
        for (let i = 0; i < size; i++) values.push(element === Type.True || element === Type.False ? this.byte() === 1 : this.value(element, depth + 1));
        return values;
      }
      case Type.Map: {
        const size = this.varint();
        if (size === 0) return [];
        const kinds = this.byte();
        this.need(size);
        const entries: ThriftValue[] = [];
        for (let i = 0; i < size; i++) entries.push([this.value(kinds >> 4, depth + 1), this.value(kinds & 0x0f, depth + 1)]);
        return entries;
      }
      case Type.Struct:
        return this.readStruct(depth + 1);
      default:
        throw new ParquetFormatError(`unknown Thrift type ${type} at byte ${this.offset}`);
    }
  }

  private need(count: number): void {
    if (this.offset + count > this.bytes.length) throw new ParquetFormatError(`a Thrift structure runs past its ${this.bytes.length} bytes`);
  }

  private byte(): number {
    this.need(1);
    return this.bytes[this.offset++] as number;
  }

  /** An unsigned varint, exact up to 2^53 (larger values only occur in statistics, which are skipped). */
  private varint(): number {
    let value = 0;
    let scale = 1;
    for (let shift = 0; shift < 70; shift += 7) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new ParquetFormatError(`a Thrift varint at byte ${this.offset} is longer than 10 bytes`);
  }

  private zigzag(): number {
    const value = this.varint();
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }
}

/** Field `id` of a struct as a number, or undefined when absent or not a number. */
export function numberField(struct: ThriftStruct, id: number): number | undefined {
  const value = struct.get(id);
  return typeof value === 'number' ? value : undefined;
}

/** Field `id` of a struct as a struct, or undefined. */
export function structField(struct: ThriftStruct, id: number): ThriftStruct | undefined {
  const value = struct.get(id);
  return value instanceof Map ? value : undefined;
}

/** Field `id` of a struct as a list, or an empty list. */
export function listField(struct: ThriftStruct, id: number): readonly ThriftValue[] {
  const value = struct.get(id);
  return Array.isArray(value) ? value : [];
}
