// Sinks: an exclusive lock beside an output (or state file), so two runs never write the same place.
import { readFileSync, rmSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { OutputError } from '../errors.js';

// A run that exits at once (a second Ctrl-C) still gives its locks back.
const heldLocks = new Set<string>();
process.on('exit', () => {
  for (const path of heldLocks) rmSync(path, { force: true });
});

/** Who holds a lock. */
interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

export interface Lock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Takes the lock file `path` (for `target`) with O_EXCL. A lock left by a dead process on this host is taken over
 * (and `onStale` is told); a live holder, or one on another host, makes this fail with exit 5.
 */
export async function acquireLock(path: string, target: string, onStale: (message: string) => void): Promise<Lock> {
  const me: Holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      heldLocks.add(path);
      return {
        path,
        release: async () => {
          heldLocks.delete(path);
          await releaseIfOurs(path);
        },
      };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT') {
        throw new OutputError('OUTPUT_FAILED', `Cannot write output ${target}: the directory does not exist`, { hint: 'create the directory first', cause: error });
      }
      if (code !== 'EEXIST') {
        throw new OutputError('OUTPUT_FAILED', `Cannot create lock ${path} for ${target}: ${(error as Error).message}`, { hint: 'check that the output directory is writable', cause: error });
      }
    }
    const holder = await readHolder(path);
    if (holder !== undefined && (holder.host !== me.host || isAlive(holder.pid))) {
      throw new OutputError('LOCKED', `${target} is in use by another onnx-batch run: pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}`, {
        hint: `wait for it to finish; if that run is gone (another host, or a reused pid), remove ${path}`,
      });
    }
    onStale(`took over the lock ${path} left by ${holder === undefined ? 'an unreadable lock file' : `pid ${holder.pid}, which is no longer running`}`);
    await rm(path, { force: true });
  }
  throw new OutputError('LOCKED', `Cannot take the lock ${path}: another run took it first`, { hint: 'run again once the other run has finished' });
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    const holder = JSON.parse(await readFile(path, 'utf8')) as Partial<Holder>;
    return typeof holder.pid === 'number' && typeof holder.host === 'string' ? { pid: holder.pid, host: holder.host, startedAt: String(holder.startedAt) } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as { code?: unknown }).code === 'EPERM';
  }
  // A killed process that nobody has reaped yet (common in containers without an init) is a zombie: dead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

async function releaseIfOurs(path: string): Promise<void> {
  const holder = await readHolder(path);
  if (holder?.pid === process.pid && holder.host === hostname()) await rm(path, { force: true });
}
