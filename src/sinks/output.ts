// Sinks: where a run's rows go: one file, or numbered parts in a directory with a manifest that
// lets a later run resume after the last committed part.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { OutputError, UsageError } from '../errors.js';
import { writeJsonAtomically, writeTextAtomically } from '../shared/atomic-file.js';
import { openRejectsSink, type RejectRow, type RejectsSink } from './rejects.js';
import type { OutputBatch, ParquetOptions, Sink, SinkRequest, SinkSummary } from './sink.js';

/** What the runner writes through, whatever the layout. */
export interface OutputWriter {
  /** Input rows committed by an earlier run (--resume): the runner skips them. */
  readonly skipRows: number;
  /** With parts: batches must not cross a multiple of this many input rows. */
  readonly partRows: number | undefined;
  write(batch: OutputBatch, rows: number, rejects: readonly RejectRow[]): Promise<void>;
  /** Every input row before `row` is written: a full part can be committed. */
  rowsDone(row: number, position: InputPosition): Promise<void>;
  /** Commits what is left, then (parts) the final manifest and _SUCCESS. */
  commit(): Promise<OutputSummary>;
  /** Drops uncommitted data; with `keepRejects`, the rejects so far are committed. */
  abort(keepRejects: boolean): Promise<void>;
}

/** Where in the inputs a part ends. */
export interface InputPosition {
  readonly input: number;
  readonly rowInInput: number;
}

export interface OutputSummary {
  readonly files: readonly SinkSummary[];
  readonly rejects: string | undefined;
}

export interface OutputRequest {
  readonly path: string;
  readonly openSink: (request: SinkRequest) => Promise<Sink>;
  readonly extension: string;
  readonly columnNames: readonly string[];
  readonly csvSafe: boolean;
  readonly parquet: ParquetOptions;
  /** Rejects file (single-file layout) or the wish for per-part rejects files. */
  readonly rejects: string | undefined;
  /** Present for the parts layout. */
  readonly parts: { readonly rowsPerPart: number; readonly resume: boolean; readonly identity: RunIdentity } | undefined;
}

/** What a resumed run must share with the run that wrote the parts. */
export interface RunIdentity {
  readonly modelSha256: string;
  readonly pipelineSha256: string | null;
  /** Hash of every option that changes the output's bytes. */
  readonly optionsSha256: string;
  readonly inputs: readonly { readonly path: string; readonly bytes: number | null; readonly mtimeMs: number | null }[];
}

interface PartEntry {
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
  /** Input rows [from, to) (global) that this part covers. */
  readonly inputRows: readonly [number, number];
  /** Where the part ends in the inputs. */
  readonly end: InputPosition;
  readonly rejects: string | null;
}

interface Manifest {
  readonly manifestVersion: 1;
  readonly identity: RunIdentity;
  readonly rowsPerPart: number;
  readonly parts: PartEntry[];
  complete: boolean;
}

export const MANIFEST = '_manifest.json';
export const SUCCESS = '_SUCCESS';

/** Opens the output for a run in its layout. */
export function openOutput(request: OutputRequest): Promise<OutputWriter> {
  return request.parts === undefined ? openSingle(request) : openParts(request, request.parts);
}

async function openSingle(request: OutputRequest): Promise<OutputWriter> {
  const sink = await request.openSink({ path: request.path, columnNames: request.columnNames, csvSafe: request.csvSafe, parquet: request.parquet });
  const rejects = request.rejects === undefined ? undefined : await openRejectsSink(request.rejects).catch(async (error: unknown) => {
    await sink.abort();
    throw error;
  });
  return {
    skipRows: 0,
    partRows: undefined,
    write: async (batch, rows, rejected) => {
      if (rejected.length > 0) await rejects?.write(rejected);
      // A batch whose rows were all rejected has nothing for the output.
      if (rows > 0) await sink.write(batch, rows);
    },
    rowsDone: async () => undefined,
    commit: async () => {
      await rejects?.commit();
      return { files: [await sink.commit()], rejects: request.rejects };
    },
    abort: async (keepRejects) => {
      await sink.abort();
      if (keepRejects) await rejects?.commit();
      else await rejects?.abort();
    },
  };
}

function partName(index: number, suffix: string): string {
  return `part-${String(index).padStart(5, '0')}${suffix}`;
}

async function openParts(request: OutputRequest, options: NonNullable<OutputRequest['parts']>): Promise<OutputWriter> {
  const dir = request.path;
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw new OutputError('OUTPUT_FAILED', `Cannot create output directory ${dir}: ${(error as Error).message}`, { cause: error });
  });
  const manifest = options.resume ? await resumable(dir, options) : await fresh(dir, options);
  const last = manifest.parts.at(-1);
  let start = last?.inputRows[1] ?? 0;
  let current: { sink: Sink; rejects: RejectsSink | undefined; index: number } | undefined;
  const open = async (): Promise<NonNullable<typeof current>> => {
    const index = manifest.parts.length;
    const sink = await request.openSink({ path: join(dir, partName(index, request.extension)), columnNames: request.columnNames, csvSafe: request.csvSafe, parquet: request.parquet });
    const rejects = request.rejects === undefined ? undefined : await openRejectsSink(join(dir, partName(index, '.rejects.csv')));
    current = { sink, rejects, index };
    return current;
  };
  const commitPart = async (end: number, position: InputPosition): Promise<void> => {
    const part = current ?? (await open());
    const rejects = (await part.rejects?.commit())?.path;
    const summary = await part.sink.commit();
    manifest.parts.push({
      file: partName(part.index, request.extension),
      rows: summary.rows,
      bytes: summary.bytes,
      sha256: summary.sha256,
      inputRows: [start, end],
      end: position,
      rejects: rejects === undefined ? null : partName(part.index, '.rejects.csv'),
    });
    await writeManifest(dir, manifest);
    start = end;
    current = undefined;
  };
  let lastPosition: InputPosition = last?.end ?? { input: 0, rowInInput: 0 };
  let lastRow = start;
  return {
    skipRows: start,
    partRows: options.rowsPerPart,
    write: async (batch, rows, rejected) => {
      const part = current ?? (await open());
      if (rejected.length > 0) await part.rejects?.write(rejected);
      if (rows > 0) await part.sink.write(batch, rows);
    },
    rowsDone: async (row, position) => {
      lastRow = row;
      lastPosition = position;
      if (row > start && row % options.rowsPerPart === 0) await commitPart(row, position);
    },
    commit: async () => {
      if (lastRow > start || manifest.parts.length === 0) await commitPart(lastRow, lastPosition);
      manifest.complete = true;
      await writeManifest(dir, manifest);
      await writeTextAtomically(join(dir, SUCCESS), '');
      return {
        files: manifest.parts.map((part) => ({ path: join(dir, part.file), format: request.extension.slice(1), rows: part.rows, bytes: part.bytes, sha256: part.sha256 })),
        rejects: request.rejects === undefined ? undefined : dir,
      };
    },
    abort: async (keepRejects) => {
      await current?.sink.abort();
      if (keepRejects) await current?.rejects?.commit();
      else await current?.rejects?.abort();
    },
  };
}

function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  return writeJsonAtomically(join(dir, MANIFEST), manifest);
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new OutputError('OUTPUT_FAILED', `Cannot read ${join(dir, MANIFEST)}: ${(error as Error).message}`, {
      hint: 'the manifest is damaged: score again into a new directory',
      cause: error,
    });
  }
}

/** A new run: the directory must not hold an earlier run's parts. */
async function fresh(dir: string, options: NonNullable<OutputRequest['parts']>): Promise<Manifest> {
  const existing = await readManifest(dir);
  if (existing !== undefined) {
    throw new UsageError('USAGE', `${dir} already holds the parts of ${existing.complete ? 'a finished' : 'an unfinished'} run`, {
      hint: existing.complete ? 'write to a new directory, or remove this one' : 'add --resume to continue it, or remove the directory to start again',
    });
  }
  await rm(join(dir, SUCCESS), { force: true });
  return { manifestVersion: 1, identity: options.identity, rowsPerPart: options.rowsPerPart, parts: [], complete: false };
}

/** A resumed run: same model, spec, options and inputs as the run that wrote the parts. */
async function resumable(dir: string, options: NonNullable<OutputRequest['parts']>): Promise<Manifest> {
  const manifest = await readManifest(dir);
  if (manifest === undefined) return fresh(dir, options);
  const refuse = (what: string): never => {
    throw new UsageError('USAGE', `Cannot resume ${dir}: ${what} differs from the run that wrote its parts`, {
      hint: 'resume with the same model, spec, options and inputs, or score into a new directory',
    });
  };
  const before = manifest.identity;
  const now = options.identity;
  if (manifest.complete) throw new UsageError('USAGE', `${dir} is already complete (${SUCCESS} is there); nothing to resume`, { hint: 'score into a new directory' });
  if (before.modelSha256 !== now.modelSha256) refuse('the model (sha256)');
  if (before.pipelineSha256 !== now.pipelineSha256) refuse('the pipeline spec (sha256)');
  if (before.optionsSha256 !== now.optionsSha256 || manifest.rowsPerPart !== options.rowsPerPart) refuse('an option that changes the output');
  if (JSON.stringify(before.inputs) !== JSON.stringify(now.inputs)) refuse('the inputs (paths, sizes or modification times)');
  return manifest;
}
