// Sink registry: which writer produces which output format, chosen by flag or by extension.
import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import { openCsvSink } from './csv.js';
import type { Sink, SinkRequest } from './sink.js';

export type { OutputBatch, Sink, SinkSummary } from './sink.js';
export { removeStalePartials, writeJsonAtomically } from './atomic-file.js';
export { acquireLock, type Lock } from './lock.js';
export { openOutput, type OutputSummary, type OutputWriter, type RunIdentity } from './output.js';

/** Output formats by name (the values of --output-format). */
export const sinks = {
  csv: (request: SinkRequest) => openCsvSink(request),
  // apache-arrow takes about 0.1 s to load: only runs that write Arrow pay for it.
  arrow: async (request: SinkRequest) => (await import('./arrow.js')).openArrowSink(request, 'file'),
  arrows: async (request: SinkRequest) => (await import('./arrow.js')).openArrowSink(request, 'stream'),
} as const;

export type OutputFormat = keyof typeof sinks;
export const OUTPUT_FORMATS = Object.keys(sinks) as OutputFormat[];

const BY_EXTENSION: Readonly<Record<string, OutputFormat>> = {
  '.csv': 'csv',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
  '.arrows': 'arrows',
};

/** The format of the output: the explicit one, else its extension; stdout defaults to CSV. */
export function outputFormatOf(path: string, explicit: OutputFormat | undefined): OutputFormat {
  if (explicit !== undefined) return explicit;
  if (path === '-') return 'csv';
  const format = BY_EXTENSION[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new UsageError('USAGE', `Cannot tell the format of output ${path} from its extension`, {
      hint: `pass --output-format (one of ${OUTPUT_FORMATS.join(', ')}) or use .csv, .arrow or .arrows`,
    });
  }
  return format;
}

/** Opens the writer for an output format. */
export function openSink(format: OutputFormat, request: SinkRequest): Promise<Sink> {
  return sinks[format](request);
}
