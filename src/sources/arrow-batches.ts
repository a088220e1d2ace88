// Source helper: Arrow IPC stream bytes made by another library (the Parquet reader) -> columns.
// The bytes come from a library that decoded and checked the data itself, but every column is still
// checked against its buffers before it is converted, as the Arrow source does.
import { RecordBatchReader, Schema, type DataType } from 'apache-arrow';
import { checkData, exactColumn, toColumn } from './arrow-columns.js';
import type { Column, KeptColumn } from '../shared/chunk.js';
import { IpcFormatError } from './arrow-ipc-metadata.js';

/** A column's name and the Arrow type it has, as text (`Float32`, `Utf8`, `Timestamp<MICROSECOND>`). */
export interface ArrowField {
  readonly name: string;
  readonly type: string;
}

/** The fields of an IPC stream that holds only a schema message. */
export function fieldsOfIpcSchema(bytes: Uint8Array): ArrowField[] {
  const reader = RecordBatchReader.from(bytes);
  const schema: Schema = reader.open().schema;
  return schema.fields.map((field) => ({ name: field.name, type: String(field.type as DataType) }));
}

/** One decoded record batch: its row count and columns, in schema order, and the kept columns as they are in the file where `columns` reads them in another form (see exactColumn). */
export interface DecodedBatch {
  readonly rowCount: number;
  readonly columns: ReadonlyMap<string, Column>;
  readonly passthrough: ReadonlyMap<string, KeptColumn>;
}

/**
 * Decodes every record batch of an IPC stream. A column that fails its buffer check is named in
 * the thrown message, which the caller wraps with the file it came from.
 */
export function decodeIpcBatches(bytes: Uint8Array, kept: ReadonlySet<string> = new Set()): DecodedBatch[] {
  const batches: DecodedBatch[] = [];
  for (const batch of RecordBatchReader.from(bytes)) {
    const columns = new Map<string, Column>();
    const passthrough = new Map<string, KeptColumn>();
    batch.schema.fields.forEach((field, index) => {
      const vector = batch.getChildAt(index);
      if (vector === null || vector.length !== batch.numRows) throw new IpcFormatError(`column '${field.name}' does not have ${batch.numRows} values`);
      for (const data of vector.data) {
        const problem = checkData(data, 0);
        if (problem !== undefined) throw new IpcFormatError(`column '${field.name}' is corrupt: ${problem}`);
      }
      columns.set(field.name, toColumn(vector));
      const exact = kept.has(field.name) ? exactColumn(vector) : undefined;
      if (exact !== undefined) passthrough.set(field.name, exact);
    });
    batches.push({ rowCount: batch.numRows, columns, passthrough });
  }
  return batches;
}
