// Sink: Arrow IPC file or stream, one record batch per output batch.
import {
  AsyncByteQueue,
  Bool,
  DateDay,
  DateMillisecond,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  Timestamp,
  TimeUnit,
  tableToIPC,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import { InputError, InternalError } from '../errors.js';
import type { ExactColumn, KeptColumn, TimeUnitName } from '../shared/chunk.js';
import { openAtomicFile } from '../shared/atomic-file.js';
import type { OutputBatch, Sink, SinkRequest } from './sink.js';

type Layout = 'file' | 'stream';

/** Writes an Arrow IPC file or stream; the schema is taken from the first batch. */
export async function openArrowSink(request: SinkRequest, layout: Layout): Promise<Sink> {
  const file = await openAtomicFile(request.path);
  const writer = layout === 'file' ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
  const bytes = new CollectedBytes();
  writer.reset(bytes);
  // Each batch's bytes go to the file before the next batch is taken: backpressure from the disk.
  const flush = async (): Promise<void> => {
    for (const chunk of bytes.take()) await file.write(chunk);
  };
  const toRecordBatch = recordBatchBuilder();
  let rows = 0;
  let wrote = false;
  const write = (batch: OutputBatch, rowCount: number): void => {
    writer.write(toRecordBatch(batch, rowCount));
    wrote = true;
    rows += rowCount;
  };
  return {
    write: async (batch, rowCount) => {
      write(batch, rowCount);
      await flush();
    },
    commit: async () => {
      if (!wrote) write(new Map(request.columnNames.map((name) => [name, { type: 'string', values: [] }])), 0);
      writer.finish();
      await flush();
      const written = await file.commit();
      return { path: request.path, format: layout === 'file' ? 'arrow' : 'arrows', rows, bytes: written, sha256: file.sha256() };
    },
    abort: async () => {
      bytes.take();
      await file.abort();
    },
  };
}

/**
 * Output batches as Arrow record batches under one schema, taken from the first batch; a later
 * batch whose column types differ fails (an Arrow or Parquet output has one type per column).
 */
function recordBatchBuilder(): (batch: OutputBatch, rowCount: number) => RecordBatch {
  let schema: Schema | undefined;
  return (batch, rowCount) => {
    const children = [...batch.values()].map(toData);
    schema ??= new Schema([...batch.keys()].map((name, i) => new Field(name, (children[i] as Data).type, true)));
    schema.fields.forEach((field, i) => {
      const type = (children[i] as Data).type;
      if (String(type) !== String(field.type)) {
        throw new InputError('SCHEMA_MISMATCH', `Column '${field.name}' is ${String(type)} here but ${String(field.type)} in earlier rows; an Arrow or Parquet output needs one type per column`, {
          context: { column: field.name },
          hint: 'score inputs of different formats into separate outputs, or write CSV',
        });
      }
    });
    const struct = makeData({ type: new Struct(schema.fields), length: rowCount, nullCount: 0, children });
    return new RecordBatch(schema, struct);
  };
}

/** Encodes output batches as Arrow IPC streams (schema and one record batch each), for writers that take Arrow. */
export function ipcStreamEncoder(): (batch: OutputBatch, rowCount: number) => Uint8Array {
  const toRecordBatch = recordBatchBuilder();
  return (batch, rowCount) => tableToIPC(new Table([toRecordBatch(batch, rowCount)]), 'stream');
}

/** The writer's byte sink: keeps what the writer emits until the sink takes it to the file. */
class CollectedBytes extends AsyncByteQueue {
  private chunks: Uint8Array[] = [];

  override write(value: Uint8Array): void {
    if (value.byteLength > 0) this.chunks.push(value);
  }

  take(): Uint8Array[] {
    const taken = this.chunks;
    this.chunks = [];
    return taken;
  }
}

function validity(nulls: Uint8Array | undefined): { nullBitmap?: Uint8Array; nullCount: number } {
  if (nulls === undefined) return { nullCount: 0 };
  const bitmap = new Uint8Array(Math.ceil(nulls.length / 8));
  let nullCount = 0;
  for (let i = 0; i < nulls.length; i++) {
    if (nulls[i] === 1) nullCount++;
    else bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  }
  return nullCount === 0 ? { nullCount: 0 } : { nullBitmap: bitmap, nullCount };
}

/** The Arrow type of each column type that is one typed array (the array is the Arrow data as it is). */
const FIXED_WIDTH = {
  float32: () => new Float32(),
  float64: () => new Float64(),
  int8: () => new Int8(),
  int16: () => new Int16(),
  int32: () => new Int32(),
  int64: () => new Int64(),
  uint8: () => new Uint8(),
  uint16: () => new Uint16(),
  uint32: () => new Uint32(),
  uint64: () => new Uint64(),
} as const;

const TIME_UNITS: Readonly<Record<TimeUnitName, TimeUnit>> = {
  second: TimeUnit.SECOND,
  millisecond: TimeUnit.MILLISECOND,
  microsecond: TimeUnit.MICROSECOND,
  nanosecond: TimeUnit.NANOSECOND,
};

function exactType(column: ExactColumn): DataType {
  switch (column.type) {
    case 'decimal':
      return new Decimal(column.scale, column.precision, column.bitWidth);
    case 'date32':
      return new DateDay();
    case 'date64':
      return new DateMillisecond();
    case 'timestamp':
      return new Timestamp(TIME_UNITS[column.unit], column.timezone);
  }
}

function toData(column: KeptColumn): Data<DataType> {
  switch (column.type) {
    case 'tensor':
      throw new InternalError('a tensor column reached the Arrow writer');
    case 'string':
      return vectorFromArray(column.values as (string | null)[], new Utf8()).data[0] as Data<DataType>;
    case 'bool':
      return vectorFromArray(Array.from(column.values, (v, i) => (column.nulls?.[i] === 1 ? null : v === 1)), new Bool()).data[0] as Data<DataType>;
    case 'decimal':
    case 'date32':
    case 'date64':
    case 'timestamp': {
      // The values are the Arrow data as read, under the type they were read with.
      const length = column.values.length / (column.type === 'decimal' ? column.bitWidth / 32 : 1);
      return makeData({ type: exactType(column) as Float64, length, data: column.values as unknown as Float64Array, ...validity(column.nulls) });
    }
    default:
      // Typed as one of them: makeData's overloads take one Arrow type and its array at a time.
      return makeData({ type: FIXED_WIDTH[column.type]() as Float64, length: column.values.length, data: column.values as Float64Array, ...validity(column.nulls) });
  }
}
