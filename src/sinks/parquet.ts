// Sink: Parquet file. Output batches become Arrow record batches (arrow.ts), which parquet-wasm's
// streaming writer (arrow-rs) encodes into row groups of a set size; its bytes go to the atomic file
// as they come, so memory holds about one row group.
import { Compression, Table, WriterPropertiesBuilder, transformParquetStream, type RecordBatch } from 'parquet-wasm';
import { OutputError } from '../errors.js';
import { ipcStreamEncoder } from './arrow.js';
import { openAtomicFile } from '../shared/atomic-file.js';
import { DEFAULT_PARQUET_OPTIONS, type OutputBatch, type ParquetOptions, type Sink, type SinkRequest } from './sink.js';

/** Parquet page compressions offered by --compression. */
const PARQUET_COMPRESSIONS: Readonly<Record<ParquetOptions['compression'], Compression>> = { snappy: Compression.SNAPPY, zstd: Compression.ZSTD, gzip: Compression.GZIP, none: Compression.UNCOMPRESSED };

/** Writes a Parquet file; the schema is taken from the first batch. */
export async function openParquetSink(request: SinkRequest): Promise<Sink> {
  const file = await openAtomicFile(request.path);
  const options = request.parquet ?? DEFAULT_PARQUET_OPTIONS;
  const properties = new WriterPropertiesBuilder()
    .setCompression(PARQUET_COMPRESSIONS[options.compression])
    .setMaxRowGroupSize(options.rowGroupRows)
    .setCreatedBy('onnx-batch')
    .build();
  const encode = ipcStreamEncoder();
  // The writer pulls batches from `input`; write() waits until it has taken the last one.
  let controller!: ReadableStreamDefaultController<RecordBatch>;
  let taken: (() => void) | undefined;
  const input = new ReadableStream<RecordBatch>(
    {
      start: (c) => {
        controller = c;
      },
      pull: () => {
        taken?.();
        taken = undefined;
      },
    },
    { highWaterMark: 1 },
  );
  // The writer reads the first batch (for the schema) before it returns its output: not awaited here.
  const pump = wrapWriter(request.path, async () => {
    const output = await transformParquetStream(input, properties);
    const reader = (output as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const next = await reader.read();
      if (next.done) return;
      await file.write(next.value);
    }
  });
  pump.catch(() => undefined); // awaited in write() and commit()
  let rows = 0;
  let wrote = false;
  const write = async (batch: OutputBatch, rowCount: number): Promise<void> => {
    for (const recordBatch of Table.fromIPCStream(encode(batch, rowCount)).recordBatches()) {
      controller.enqueue(recordBatch);
      if ((controller.desiredSize ?? 1) <= 0) await Promise.race([new Promise<void>((resolve) => (taken = resolve)), pump]);
    }
    wrote = true;
    rows += rowCount;
  };
  return {
    write,
    commit: async () => {
      if (!wrote) await write(new Map(request.columnNames.map((name) => [name, { type: 'string', values: [] }])), 0);
      controller.close();
      await pump;
      const written = await file.commit();
      return { path: request.path, format: 'parquet', rows, bytes: written, sha256: file.sha256() };
    },
    abort: async () => {
      controller.error(new OutputError('OUTPUT_FAILED', `the Parquet output ${request.path} was abandoned`));
      await pump.catch(() => undefined);
      await file.abort();
    },
  };
}

async function wrapWriter<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof OutputError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new OutputError('OUTPUT_FAILED', `Cannot write Parquet output ${path}: ${message}`, { context: { file: path }, hint: 'check the output path and free space', cause: error });
  }
}
