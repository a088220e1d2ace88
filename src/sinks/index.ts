// Sink registry: which writer produces which output format, chosen by flag or by extension.
import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import { openCsvSink } from './csv.js';
import { openJsonlSink } from './jsonl.js';
import type { Sink, SinkRequest } from './sink.js';

export { DEFAULT_PARQUET_OPTIONS, type OutputBatch, type ParquetOptions, type Sink, type SinkSummary } from './sink.js';
export { removeStalePartials, writeJsonAtomically } from '../shared/atomic-file.js';
export { acquireLock, type Lock } from './lock.js';
export { checkRenameSafe } from './rename-safety.js';
export { openOutput, type OutputSummary, type OutputWriter, type RunIdentity } from './output.js';

/** Output formats by name (the values of --output-format): the file extensions each is guessed from, and its writer. */
export const sinks = {
  csv: { extensions: ['.csv'], open: (request: SinkRequest) => openCsvSink(request) },
  // apache-arrow takes about 0.1 s to load: only runs that write Arrow pay for it.
  arrow: { extensions: ['.arrow', '.feather', '.ipc'], open: async (request: SinkRequest) => (await import('./arrow.js')).openArrowSink(request, 'file') },
  arrows: { extensions: ['.arrows'], open: async (request: SinkRequest) => (await import('./arrow.js')).openArrowSink(request, 'stream') },
  jsonl: { extensions: ['.jsonl', '.ndjson'], open: (request: SinkRequest) => openJsonlSink(request) },
  // parquet-wasm compiles its WebAssembly on load: only runs that write Parquet pay for it.
  parquet: { extensions: ['.parquet', '.pq'], open: async (request: SinkRequest) => (await import('./parquet.js')).openParquetSink(request) },
} as const;

export type OutputFormat = keyof typeof sinks;
export const OUTPUT_FORMATS = Object.keys(sinks) as OutputFormat[];

const BY_EXTENSION: ReadonlyMap<string, OutputFormat> = new Map(
  OUTPUT_FORMATS.flatMap((format) => sinks[format].extensions.map((extension) => [extension, format] as const)),
);

/** Each format's first extension, the one the messages suggest. */
const MAIN_EXTENSIONS = OUTPUT_FORMATS.map((format) => sinks[format].extensions[0]);

/** The format of the output: the explicit one, else its extension; stdout defaults to CSV. */
export function outputFormatOf(path: string, explicit: OutputFormat | undefined): OutputFormat {
  if (explicit !== undefined) return explicit;
  if (path === '-') return 'csv';
  const format = BY_EXTENSION.get(extname(path).toLowerCase());
  if (format === undefined) {
    throw new UsageError('USAGE', `Cannot tell the format of output ${path} from its extension`, {
      hint: `pass --output-format (one of ${OUTPUT_FORMATS.join(', ')}) or use ${MAIN_EXTENSIONS.slice(0, -1).join(', ')} or ${MAIN_EXTENSIONS.at(-1) ?? ''}`,
    });
  }
  return format;
}

/** Opens the writer for an output format. */
export function openSink(format: OutputFormat, request: SinkRequest): Promise<Sink> {
  return sinks[format].open(request);
}
