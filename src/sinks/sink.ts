// The contract every sink implements: ordered batches of output columns in, one committed file out.
import type { KeptColumn } from '../shared/chunk.js';

/** Output columns of one batch, in output order. */
export type OutputBatch = ReadonlyMap<string, KeptColumn>;

/** What a sink wrote. */
export interface SinkSummary {
  readonly path: string;
  readonly format: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

export interface SinkRequest {
  readonly path: string;
  /** Column names expected, used for the header when no batch arrives. */
  readonly columnNames: readonly string[];
  /** CSV only: neutralise text cells that spreadsheets would run as formulas. */
  readonly csvSafe?: boolean;
  /** Parquet only: page compression and rows per row group. */
  readonly parquet?: ParquetOptions;
}

/** How a Parquet output is encoded (--compression, --row-group-rows). */
export interface ParquetOptions {
  readonly compression: 'snappy' | 'zstd' | 'gzip' | 'none';
  readonly rowGroupRows: number;
}

export interface Sink {
  write(batch: OutputBatch, rowCount: number): Promise<void>;
  /** Finishes the file and publishes it under its final name. */
  commit(): Promise<SinkSummary>;
  /** Drops everything written. */
  abort(): Promise<void>;
}

/** Snappy, as pyarrow and Spark write by default; 131072 rows per group (pyarrow's default is 1M) keeps a reader's memory low. */
export const DEFAULT_PARQUET_OPTIONS: ParquetOptions = { compression: 'snappy', rowGroupRows: 131_072 };
