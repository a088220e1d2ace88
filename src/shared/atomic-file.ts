// A file that appears under its final name only when complete (unpredictable temp name created with 'wx',
// fsync, rename, fsync of the directory): every output, part, rejects file, report and state file goes through it.
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { OutputError } from '../errors.js';
import { temporaryPath } from './temporary-path.js';

/** A byte destination that is either committed whole or not at all. */
export interface AtomicFile {
  /** Writes bytes, waiting when the OS buffer is full. */
  write(data: string | Uint8Array): Promise<void>;
  /** Flushes, fsyncs and renames to the final name; returns the bytes written. */
  commit(): Promise<number>;
  /** SHA-256 of the bytes written so far (hex). */
  sha256(): string;
  /** Removes the temporary file. */
  abort(): Promise<void>;
}

// Temporary files still open when the process exits (a second Ctrl-C exits at once) are removed.
const openTemporaries = new Set<string>();
process.on('exit', () => {
  for (const path of openTemporaries) rmSync(path, { force: true });
});

/**
 * Removes temporaries that earlier runs left beside `path` (killed with -9), or in its directory
 * when the name is '*'; call it holding the output's lock.
 */
export async function removeStalePartials(path: string): Promise<void> {
  const prefix = basename(path) === '*' ? '.' : `.${basename(path)}.`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith('.partial') && !name.includes(`.${process.pid}.`)) await rm(join(dirname(path), name), { force: true });
  }
}

/** Opens `path` for writing; '-' writes to stdout, which cannot be atomic. */
export async function openAtomicFile(path: string): Promise<AtomicFile> {
  if (path === '-') return stdoutFile();
  const temporary = temporaryPath(path);
  let stream: WriteStream;
  try {
    // 'wx': fails on an existing file or symlink rather than writing through it.
    const handle = await open(temporary, 'wx');
    openTemporaries.add(temporary);
    stream = createWriteStream('', { fd: handle.fd, autoClose: false, highWaterMark: 1 << 20 });
    let bytes = 0;
    const hash = createHash('sha256');
    let failure: Error | undefined;
    // Once committed, the file is the user's: commit again is a no-op and abort must not remove it.
    let state: 'open' | 'committed' | 'aborted' = 'open';
    stream.on('error', (error) => (failure = error));
    const fail = (error: unknown): never => {
      throw outputError(path, error);
    };
    return {
      write: async (data) => {
        if (failure !== undefined) fail(failure);
        bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
        hash.update(data);
        if (!stream.write(data)) await waitForDrain(stream).catch(fail);
      },
      commit: async () => {
        if (state === 'committed') return bytes;
        state = 'committed';
        try {
          await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
          if (failure !== undefined) throw failure;
          await handle.sync();
          await handle.close();
          await rename(temporary, path);
          openTemporaries.delete(temporary);
          await syncDirectory(dirname(path));
        } catch (error) {
          await rm(temporary, { force: true });
          fail(error);
        }
        return bytes;
      },
      sha256: () => hash.copy().digest('hex'),
      abort: async () => {
        if (state !== 'open') return;
        state = 'aborted';
        stream.destroy();
        await handle.close().catch(() => undefined);
        await rm(temporary, { force: true });
        openTemporaries.delete(temporary);
      },
    };
  } catch (error) {
    throw outputError(path, error);
  }
}

function waitForDrain(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      stream.off('drain', onDrain);
      reject(error);
    };
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

async function syncDirectory(directory: string): Promise<void> {
  // Makes the rename itself durable; some filesystems refuse fsync on a directory, which is harmless.
  const handle = await open(directory, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}

function stdoutFile(): AtomicFile {
  let bytes = 0;
  const hash = createHash('sha256');
  let failure: Error | undefined;
  // EPIPE (the reader stopped: `| head`) or ENOSPC (`> /dev/full`) arrive as 'error' events.
  process.stdout.on('error', (error) => (failure ??= error));
  const fail = (error: unknown): never => {
    throw outputError('stdout', error);
  };
  return {
    sha256: () => hash.copy().digest('hex'),
    write: async (data) => {
      if (failure !== undefined) fail(failure);
      bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      hash.update(data);
      let accepted: boolean;
      try {
        accepted = process.stdout.write(data);
      } catch (error) {
        // stdout redirected to a file writes synchronously, and throws.
        failure ??= error as Error;
        return fail(failure);
      }
      if (!accepted) await waitForDrain(process.stdout).catch(fail);
    },
    commit: async () => {
      // Every byte handed over and accepted: only then is the run a success.
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
      if (failure !== undefined) fail(failure);
      return bytes;
    },
    abort: async () => undefined,
  };
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'the directory does not exist',
  EACCES: 'permission denied',
  ENOSPC: 'no space left on the device',
  EFBIG: 'the file is larger than this file system or `ulimit -f` allows',
  EDQUOT: 'the disk quota is exceeded',
  EPIPE: 'the reader closed the pipe before all rows were written',
};

function outputError(path: string, error: unknown): OutputError {
  const code = (error as { code?: unknown }).code;
  const reason = (typeof code === 'string' ? REASONS[code] : undefined) ?? (error as Error).message;
  return new OutputError('OUTPUT_FAILED', `Cannot write output ${path}: ${reason}`, {
    context: { file: path },
    hint: code === 'ENOENT' ? 'create the directory first' : code === 'EPIPE' ? 'the command reading the output stopped early; the rows after it were not scored' : 'choose another --output path, or free space / fix permissions',
    cause: error,
  });
}

/** Writes a text file under its final name only once it is complete and on disk. */
export async function writeTextAtomically(path: string, text: string): Promise<void> {
  const file = await openAtomicFile(path);
  try {
    await file.write(text);
    await file.commit();
  } finally {
    await file.abort();
  }
}

/** Writes a JSON document under its final name only once it is complete and on disk. */
export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  await writeTextAtomically(path, `${JSON.stringify(value, null, 2)}\n`);
}
