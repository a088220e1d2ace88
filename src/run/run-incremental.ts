// Incremental scoring of a growing history (--state): each input file is scored into its own output in
// the output directory, once; a later run scores only files that are new or changed, or whose model,
// spec or options changed, and says what it skipped. A shard of the job takes the files that
// incrementalOwner gives it and keeps its own state file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { outputOptions, type ScoreJob } from '../config/job.js';
import { OnnxBatchError, UsageError } from '../errors.js';
import { runScore, type RunHooks, type RunResult } from './run-score.js';
import { incrementalOwner } from './shard-plan.js';
import { specPathsBeside } from '../pipeline/index.js';
import { acquireLock, writeJsonAtomically } from '../sinks/index.js';

/** What the state file remembers of one scored input. */
interface StateEntry {
  readonly bytes: number;
  readonly mtimeMs: number;
  readonly sha256: string;
  readonly identity: string;
  readonly output: string;
  readonly rows: number;
  readonly scoredAt: string;
}

interface StateFile {
  readonly stateVersion: 1;
  files: Record<string, StateEntry>;
}

export interface IncrementalResult {
  readonly scored: readonly { readonly input: string; readonly result: RunResult }[];
  readonly skipped: readonly string[];
  /** Inputs that other shards of the job score (with --shard). */
  readonly otherShards: number;
  readonly error: OnnxBatchError | undefined;
}

/** Scores the inputs that the state file has not seen as they are now; stops at the first failure. */
export async function runIncremental(job: ScoreJob, statePath: string, hooks: RunHooks = {}): Promise<IncrementalResult> {
  if (job.inputs.some((input) => input.path === '-')) throw new UsageError('USAGE', '--state cannot track stdin', { hint: 'name the input files' });
  await mkdir(job.output.path, { recursive: true });
  const lock = await acquireLock(`${statePath}.lock`, statePath, (message) => hooks.onWarning?.(message));
  try {
    const state = await readState(statePath);
    const identity = await identityOf(job);
    const scored: { input: string; result: RunResult }[] = [];
    const skipped: string[] = [];
    const { shard } = job;
    const mine = shard === undefined ? job.inputs : job.inputs.filter((input) => incrementalOwner(input.path, shard.count) === shard.index);
    const otherShards = job.inputs.length - mine.length;
    for (const input of mine) {
      const info = await stat(input.path);
      const known = state.files[input.path];
      if (known !== undefined && known.identity === identity && (await unchanged(known, input.path, info))) {
        skipped.push(input.path);
        continue;
      }
      const output = join(job.output.path, `${basename(input.path, extname(input.path))}.${job.output.format}`);
      const result = await runScore(
        { ...job, shard: undefined, inputs: [input], output: { path: output, format: job.output.format }, report: `${output}.report.json`, rejects: job.rejects === undefined ? undefined : `${output}.rejects.csv` },
        hooks,
      );
      scored.push({ input: input.path, result });
      if (result.error !== undefined) return { scored, skipped, otherShards, error: result.error };
      state.files[input.path] = {
        bytes: info.size,
        mtimeMs: info.mtimeMs,
        sha256: await fileSha256(input.path),
        identity,
        output,
        rows: result.report.rows.scored,
        scoredAt: result.report.finishedAt,
      };
      await writeJsonAtomically(statePath, state);
    }
    return { scored, skipped, otherShards, error: undefined };
  } finally {
    await lock.release();
  }
}

async function readState(path: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return { stateVersion: 1, files: {} };
    throw new UsageError('CONFIG_INVALID', `Cannot read state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const damaged = (reason: string, cause?: unknown): UsageError =>
    new UsageError('CONFIG_INVALID', `State file ${path} is damaged: ${reason}`, {
      hint: 'remove it to score every input again, or restore it from a backup',
      cause,
    });
  let state: StateFile;
  try {
    state = JSON.parse(text) as StateFile;
  } catch (error) {
    throw damaged((error as Error).message, error);
  }
  if (typeof state !== 'object' || state === null || state.stateVersion !== 1 || typeof state.files !== 'object' || state.files === null) {
    throw damaged('not an onnx-batch state file (version 1)');
  }
  return state;
}

/** Same size and time: unchanged. Otherwise the content decides (a file copied again with the same bytes is not new). */
async function unchanged(known: StateEntry, path: string, info: { size: number; mtimeMs: number }): Promise<boolean> {
  if (known.bytes === info.size && known.mtimeMs === info.mtimeMs) return true;
  return known.bytes === info.size && known.sha256 === (await fileSha256(path));
}

/** The model, spec and options that shape an output: a change to any of them scores every file again. */
async function identityOf(job: ScoreJob): Promise<string> {
  const hash = createHash('sha256');
  hash.update(await fileSha256(job.model));
  const spec = job.pipeline ?? (await existing(specPathsBeside(job.model)));
  if (spec !== undefined) hash.update(await fileSha256(spec));
  return hash.update(JSON.stringify(outputOptions(job))).digest('hex');
}

async function existing(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) if ((await stat(path).catch(() => undefined))?.isFile() === true) return path;
  return undefined;
}

function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
