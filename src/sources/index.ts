// Source registry: which reader opens which input format, chosen by flag or by extension.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { openCsv } from './csv-parse-reader.js';
import { openCsvFast } from './csv-fast.js';
import { alignCsvRange, openCsvParallel, readCsvArea } from './csv-parallel.js';
import { compressionOfName, isCompressedFile, withoutCompressionExtension } from './decompress.js';
import { openJsonl } from './jsonl.js';
import { alignJsonlRange } from './jsonl-boundaries.js';
import type { ParquetLayout } from './parquet.js';
import { partitionKeysOf, withPartitionColumns } from './partitions.js';
import type { InputRange, OpenedSource, SourceRequest } from './source.js';

export type { ChunkOptions, InputRange, OpenedSource, SourceRequest } from './source.js';
export { describeInput, type ColumnView, type InputView } from './describe-input.js';
export type { ParquetLayout } from './parquet.js';
export { DEFAULT_MAX_RECORD_BYTES } from './csv-scan.js';

/** Input formats by name (the values of --input-format): the file extensions each is guessed from, and its reader. */
export const sources = {
  csv: { extensions: ['.csv'], open: (request: SourceRequest, size?: number) => openText(request, size) },
  tsv: { extensions: ['.tsv', '.tab'], open: (request: SourceRequest, size?: number) => openText({ ...request, delimiter: '\t' }, size) },
  // apache-arrow takes about 0.1 s to load: only runs that read Arrow pay for it.
  arrow: { extensions: ['.arrow', '.feather', '.ipc'], open: async (request: SourceRequest) => (await import('./arrow.js')).openArrow(request, 'file') },
  arrows: { extensions: ['.arrows'], open: async (request: SourceRequest) => (await import('./arrow.js')).openArrow(request, 'stream') },
  jsonl: { extensions: ['.jsonl', '.ndjson'], open: (request: SourceRequest) => openJsonl(request) },
  // parquet-wasm compiles its WebAssembly on load (~0.1 s): only runs that read Parquet pay for it.
  parquet: { extensions: ['.parquet', '.pq'], open: async (request: SourceRequest) => (await import('./parquet.js')).openParquet(request) },
} as const;

export type InputFormat = keyof typeof sources;
export const INPUT_FORMATS = Object.keys(sources) as InputFormat[];

const BY_EXTENSION: ReadonlyMap<string, InputFormat> = new Map(
  INPUT_FORMATS.flatMap((format) => sources[format].extensions.map((extension) => [extension, format] as const)),
);

/** Text formats, the ones read from gzip or zstd files (Arrow and Parquet compress their own buffers). */
const TEXT_FORMATS: ReadonlySet<InputFormat> = new Set(['csv', 'tsv', 'jsonl']);

/** The format an extension names, under a compression extension too (data.csv.gz: csv). */
function formatOfName(name: string): InputFormat | undefined {
  const format = BY_EXTENSION.get(extname(withoutCompressionExtension(name)).toLowerCase());
  return compressionOfName(name) === undefined || (format !== undefined && TEXT_FORMATS.has(format)) ? format : undefined;
}

/**
 * Whether a name has a data file's extension, under a compression extension too, even one that is
 * refused compressed (x.parquet.gz): what tells a data file from a model.
 */
export function hasDataExtension(name: string): boolean {
  return BY_EXTENSION.has(extname(withoutCompressionExtension(name)).toLowerCase());
}

/** Whether a file name has an extension that some input format reads (case-insensitive), compressed or not. */
export function isReadableInput(name: string): boolean {
  return formatOfName(name) !== undefined;
}

/** The format of an input: the explicit one, else its extension, else CSV for stdin. */
export function inputFormatOf(path: string, explicit: InputFormat | undefined): InputFormat {
  const compression = compressionOfName(path);
  if (explicit !== undefined) {
    if (compression !== undefined && !TEXT_FORMATS.has(explicit)) throw compressedBinary(path, explicit);
    return explicit;
  }
  if (path === '-') return 'csv';
  const format = formatOfName(path);
  if (format === undefined) {
    const inner = BY_EXTENSION.get(extname(withoutCompressionExtension(path)).toLowerCase());
    if (compression !== undefined && inner !== undefined) throw compressedBinary(path, inner);
    throw new UsageError('USAGE', `Cannot tell the format of input ${path} from its extension`, {
      hint: `pass --input-format (one of ${INPUT_FORMATS.join(', ')})`,
    });
  }
  return format;
}

function compressedBinary(path: string, format: InputFormat): UsageError {
  return new UsageError('USAGE', `Input ${path} is a compressed ${format} file; only CSV, TSV and JSON Lines are read compressed`, {
    hint: `decompress it first; ${format === 'parquet' ? 'Parquet compresses its pages itself (snappy, zstd, ...)' : 'Arrow IPC compresses its buffers itself (zstd, lz4)'}`,
  });
}

/** Size in bytes of an input file (undefined for stdin); fails clearly when it is missing. */
export async function inputSize(path: string): Promise<number | undefined> {
  if (path === '-') return undefined;
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new InputError('INPUT_UNREADABLE', `Input ${path} is a directory`, {
        context: { file: path },
        hint: 'name the files in it, e.g. --input "dir/*.csv"',
      });
    }
    return info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('INPUT_NOT_FOUND', `Input file not found: ${path}`, {
      context: { file: path },
      hint: 'check the path given to --input',
      cause: error,
    });
  }
}

/** CSV readers by name (the values of --csv-parser): the byte scanner, or csv-parse as the reference. */
const csvReaders = {
  fast: async (request: SourceRequest, size: number | undefined): Promise<OpenedSource> => {
    const workers = request.workers === 'auto' ? autoWorkers(size) : (request.workers ?? 0);
    // A shard's byte range is read by the range reader, with one worker at least.
    if (request.range !== undefined) return openCsvParallel({ ...request, workers: Math.max(1, workers) });
    // Workers parse byte ranges of the file as stored: a compressed file has none to split.
    const split = workers > 0 && request.path !== '-' && !(await isCompressedFile(request.path));
    return split ? openCsvParallel({ ...request, workers }) : openCsvFast(request);
  },
  reference: (request: SourceRequest): Promise<OpenedSource> => openCsv(request),
} as const;

export type CsvParser = keyof typeof csvReaders;
export const CSV_PARSERS = Object.keys(csvReaders) as CsvParser[];

/** Below this size a parse worker's start-up (~40 ms, and a cold JIT) costs more than it saves. */
const AUTO_WORKERS_MIN_BYTES = 16 << 20;
/** Parse workers that --workers auto starts at most: a few keep the model and the writer fed. */
const AUTO_WORKERS_MAX = 4;

function openText(request: SourceRequest, size: number | undefined): Promise<OpenedSource> {
  // The scanner takes one-byte delimiters; csv-parse takes any.
  const parser = Buffer.byteLength(request.delimiter) === 1 ? (request.csvParser ?? 'fast') : 'reference';
  return csvReaders[parser](request, size);
}

/**
 * One worker per core but one (at least 1, at most AUTO_WORKERS_MAX): the main thread needs a
 * core to build tensors, run a spec's steps and write. Measured on 2 cores, 1 worker against 2:
 * W1 (1M rows x 32) 2.21-2.27 s against 2.18 s, W4 (5M rows) 9.6 s against 9.7 s at 216 MB peak
 * against 255 MB, W1 with a 10-step spec 3.9-4.35 s against 4.17-4.49 s at 280 MB against 350 MB;
 * only a wide file without a spec (W3, 500 features) gains from the second (1.65 s against 1.9-2.1).
 */
function autoWorkers(size: number | undefined): number {
  if (size === undefined || size < AUTO_WORKERS_MIN_BYTES) return 0;
  return Math.min(AUTO_WORKERS_MAX, Math.max(1, availableParallelism() - 1));
}

/** Opens one input with the reader for its format. */
export async function openSource(format: InputFormat, request: SourceRequest): Promise<OpenedSource> {
  const size = await inputSize(request.path);
  if (size === 0 && (format === 'arrow' || format === 'arrows')) {
    throw new InputError('ARROW_MALFORMED', `Arrow input ${request.path} is empty (0 bytes)`, {
      context: { file: request.path },
      hint: 'check that the file was written completely',
    });
  }
  const source = await sources[format].open(request, size);
  try {
    return withPartitionColumns(source, partitionKeysOf(request.path));
  } catch (error) {
    await source.close();
    throw error;
  }
}

/** Rows per row group of a Parquet file, from its footer: the units a shard can take. */
export async function readParquetLayout(path: string): Promise<ParquetLayout> {
  const source = await (await import('./parquet.js')).openParquet({ path, delimiter: ',' });
  await source.close();
  return source.layout;
}

/**
 * How an input can be cut between shards: whole, into units (Parquet row groups, Arrow record
 * batches) of these byte sizes, or, for a plain CSV or TSV file that the byte scanner reads and a
 * plain JSON Lines file, into byte ranges of its records (between dataStart and size).
 */
export type InputLayout =
  | { readonly unit: 'file'; readonly bytes: number }
  | { readonly unit: 'row-groups' | 'batches'; readonly weights: readonly number[] }
  | { readonly unit: 'bytes'; readonly dataStart: number; readonly size: number };

/** The units a shard can take of an input, read from its size, header or footer. */
export async function inputLayout(format: InputFormat, request: SourceRequest): Promise<InputLayout> {
  const { path } = request;
  if (format === 'parquet') return { unit: 'row-groups', weights: (await readParquetLayout(path)).rowGroupBytes };
  if (format === 'arrow') {
    const weights = await (await import('./arrow.js')).readArrowBatchSizes(path);
    if (weights !== undefined) return { unit: 'batches', weights };
  }
  const delimiter = format === 'tsv' ? '\t' : request.delimiter;
  // A gzip or zstd stream cannot be entered in the middle: a compressed text file goes whole.
  if ((format === 'csv' || format === 'tsv') && scansBytes(request, delimiter) && !(await isCompressedFile(path))) {
    const area = readCsvArea(path, delimiter);
    if (area !== undefined) return { unit: 'bytes', dataStart: area.dataStart, size: area.size };
  }
  const size = (await inputSize(path)) ?? 0;
  if (format === 'jsonl' && size > 0 && !(await isCompressedFile(path))) return { unit: 'bytes', dataStart: 0, size };
  return { unit: 'file', bytes: size };
}

/**
 * A byte range of a CSV or TSV input with both ends moved forward to record boundaries (outside
 * quotes), or of a JSON Lines input to line starts.
 */
export function alignInputRange(format: InputFormat, request: SourceRequest, range: { readonly start: number; readonly end: number }): InputRange {
  if (format === 'jsonl') return alignJsonlRange(request.path, range);
  return alignCsvRange(request.path, format === 'tsv' ? '\t' : request.delimiter, range);
}

/** Whether the byte scanner (which reads ranges) reads this input: csv-parse reads whole files only. */
function scansBytes(request: SourceRequest, delimiter: string): boolean {
  return (request.csvParser ?? 'fast') === 'fast' && Buffer.byteLength(delimiter) === 1;
}
