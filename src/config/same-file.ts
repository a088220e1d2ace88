// Config: refuses a job that would write over one of the files it reads (`-i data.csv -o data.csv`),
// before anything is opened, so an input is never truncated by its own run.
import { stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/** A file the job reads or writes, and the flag that names it (for the message). */
export interface NamedPath {
  readonly flag: string;
  readonly path: string;
}

/**
 * Fails (exit 2) when a path the job writes is the same file as one it reads. Files are compared by
 * device and inode, so a symlink, a hard link or another spelling of the path is caught too; a
 * path that does not exist yet cannot be an input. Stdin and stdout (`-`) are not files.
 */
export async function refuseWritingInputs(reads: readonly NamedPath[], writes: readonly NamedPath[]): Promise<void> {
  const read = await Promise.all(reads.map(async (named) => ({ named, id: await fileId(named.path) })));
  for (const target of writes) {
    const id = await fileId(target.path);
    if (id === undefined) continue;
    const source = read.find((candidate) => candidate.id === id);
    if (source === undefined) continue;
    const same = source.named.path === target.path ? source.named.path : `${target.path} is ${source.named.path}`;
    throw new UsageError('USAGE', `${target.flag} would overwrite a file this run reads (${source.named.flag}): ${same}`, {
      hint: `write ${target.flag === '--output' ? 'the output' : target.flag} to another path`,
    });
  }
}

async function fileId(path: string): Promise<string | undefined> {
  if (path === '-') return undefined;
  const info = await stat(path).catch(() => undefined);
  return info === undefined || !info.isFile() ? undefined : `${info.dev}:${info.ino}`;
}
