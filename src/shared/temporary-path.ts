// Temporary names for files that are renamed into place once complete (outputs, parts, rejects,
// reports, state files): in the target's directory, and unpredictable, so that nobody sharing the
// directory (/tmp) can plant a symlink there in advance; callers create them exclusively ('wx').
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** `.<name>.<pid>.<random>.partial` beside `path`. */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(8).toString('hex')}.partial`);
}
