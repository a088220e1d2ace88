// The contract every source implements: open (read the header or schema), then stream chunks.
import type { ColumnChunk, RejectList } from '../shared/chunk.js';
import type { CsvParser } from './index.js';

/** What the runner asks a source to open. */
export interface SourceRequest {
  /** A file path, or '-' for stdin. */
  readonly path: string;
  /** Field delimiter for CSV/TSV. */
  readonly delimiter: string;
  /** Keep each row's original text (for the rejects file when bad rows are skipped). */
  readonly keepRecords?: boolean;
  /** The CSV reader: the byte scanner (default) or csv-parse. */
  readonly csvParser?: CsvParser;
  /** Worker threads parsing byte ranges of a CSV file on disk; 0 or undefined: this thread; auto: by size and cores. */
  readonly workers?: number | 'auto';
  /** Read only this part of the file (one shard's share); undefined: all of it. */
  readonly range?: InputRange;
  /**
   * The most bytes one CSV record (or JSON line) may hold (--max-record-size; default
   * DEFAULT_MAX_RECORD_BYTES): a longer one is an error, and no reader buffers much more of it.
   */
  readonly maxRecordBytes?: number;
  /**
   * Bad rows are skipped (--on-error skip): a CSV record with a quote in the middle of an unquoted
   * field is read on to its line break as one bad row, rather than stopping the read.
   */
  readonly skipMalformed?: boolean;
}

/**
 * A part of one input file, in the units its format can be cut into without reading what lies
 * before: row groups of Parquet, record batches of an Arrow IPC file, and for CSV a byte range
 * that starts and ends at record boundaries (`line`: the physical line at `start`). [start, end).
 */
export type InputRange =
  | { readonly unit: 'row-groups'; readonly start: number; readonly end: number }
  | { readonly unit: 'batches'; readonly start: number; readonly end: number }
  | { readonly unit: 'bytes'; readonly start: number; readonly end: number; readonly line: number };

/** How the runner wants rows delivered. */
export interface ChunkOptions {
  /** Rows per chunk (the last one may be shorter). */
  readonly chunkRows: number;
  /** Global row index of this input's first row. */
  readonly rowOffset: number;
  /** Columns the model reads as numbers: text sources parse these into typed arrays. */
  readonly numericColumns: ReadonlySet<string>;
  /**
   * The columns later stages read. When given, a source may leave the others out of its chunks,
   * and not decode them at all (input files often hold many more columns than a model reads).
   */
  readonly columns?: ReadonlySet<string>;
  /**
   * The columns the output copies as read. A text source that parses one of them into numbers
   * (numericColumns) keeps its text too, in the chunk's `passthrough`; only these pay for that.
   */
  readonly keptColumns?: ReadonlySet<string>;
  /** Where bad rows go when they are skipped; without it a bad row stops the run. */
  readonly rejects?: RejectList;
}

/** An input whose columns are known and whose rows can be streamed once. */
export interface OpenedSource {
  readonly path: string;
  readonly format: string;
  readonly columnNames: readonly string[];
  /** The file's own column types, where its format declares them (Parquet's schema). */
  readonly fields?: readonly { readonly name: string; readonly type: string }[];
  /** Rows in the input, where known without reading it (Parquet's footer). */
  readonly rowCount?: number;
  chunks(options: ChunkOptions): AsyncIterable<ColumnChunk>;
  /** Bytes consumed so far (for progress and the report). */
  bytesRead(): number;
  /** Things the user should know about what was read (e.g. invalid UTF-8 replaced), once reading is done. */
  warnings(): string[];
  close(): Promise<void>;
}
