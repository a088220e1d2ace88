// Sinks: refuses output folders on mounts of object storage, where a rename is a copy and a delete
// (or not supported): there the temporary-name-then-rename rule cannot keep half a file from
// showing under its final name. Read from the mount table (Linux /proc/self/mountinfo).
import { readFile, realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { OutputError } from '../errors.js';

/**
 * File system types of object-storage mounts, as the mount table names them. Mountpoint for S3 says
 * plain `fuse` and names itself as the mount's source, hence the source names.
 */
const OBJECT_STORAGE = {
  types: new Map([
    ['fuse.gcsfuse', 'gcsfuse (Cloud Storage)'],
    ['fuse.s3fs', 's3fs (S3)'],
    ['fuse.goofys', 'goofys (S3)'],
    ['fuse.blobfuse', 'blobfuse (Azure Blob Storage)'],
    ['fuse.blobfuse2', 'blobfuse2 (Azure Blob Storage)'],
    ['fuse.rclone', 'rclone mount'],
  ]),
  sources: new Map([['mountpoint-s3', 'Mountpoint for Amazon S3']]),
} as const;

/** One line of /proc/self/mountinfo that matters here. */
interface Mount {
  readonly mountPoint: string;
  readonly type: string;
  readonly source: string;
}

/** Mounts from mountinfo text (`man 5 proc`): the mount point is field 5, type and source follow the ' - ' separator. */
export function parseMountinfo(text: string): Mount[] {
  return text.split('\n').flatMap((line) => {
    const [before, after] = line.split(' - ');
    const mountPoint = before?.split(' ')[4];
    const [type, source] = after?.split(' ') ?? [];
    if (mountPoint === undefined || type === undefined) return [];
    return [{ mountPoint: unescapeOctal(mountPoint), type, source: unescapeOctal(source ?? '') }];
  });
}

function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, code: string) => String.fromCharCode(parseInt(code, 8)));
}

/** The object-storage mount that holds `path` (the deepest mount point above it), or undefined. */
export function objectStorageMount(mounts: readonly Mount[], path: string): { readonly mountPoint: string; readonly what: string } | undefined {
  const inside = mounts.filter((mount) => path === mount.mountPoint || path.startsWith(mount.mountPoint.endsWith('/') ? mount.mountPoint : `${mount.mountPoint}/`));
  const deepest = inside.reduce<Mount | undefined>((best, mount) => (best === undefined || mount.mountPoint.length >= best.mountPoint.length ? mount : best), undefined);
  if (deepest === undefined) return undefined;
  const what = OBJECT_STORAGE.types.get(deepest.type) ?? (deepest.type === 'fuse' ? OBJECT_STORAGE.sources.get(deepest.source) : undefined);
  return what === undefined ? undefined : { mountPoint: deepest.mountPoint, what };
}

/**
 * Fails when an output file would be written on an object-storage mount. Where there is no mount
 * table (not Linux), nothing can be told and nothing is refused.
 */
export async function checkRenameSafe(paths: readonly string[], mountinfo = '/proc/self/mountinfo'): Promise<void> {
  const text = await readFile(mountinfo, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const mounts = parseMountinfo(text);
  for (const path of paths) {
    if (path === '-') continue;
    // Through symbolic links, to where the file would really be.
    const directory = dirname(resolve(path));
    const found = objectStorageMount(mounts, await realpath(directory).catch(() => directory));
    if (found !== undefined) {
      throw new OutputError('OUTPUT_FAILED', `Output ${path} is on ${found.mountPoint}, a ${found.what} mount: object storage cannot rename a file atomically, so a half-written file could show under its final name`, {
        context: { file: path },
        hint: 'write to a local disk or a file system with atomic renames (a persistent volume, EFS, Filestore) and copy the finished files to the bucket; inputs may stay on the mount',
      });
    }
  }
}
