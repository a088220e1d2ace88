// Config: the input files that -i names: files, stdin, directories (with their Hive key=value
// subdirectories) and wildcards, in a stable order.
import { readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { InputError } from '../errors.js';
import { inputFormatOf, isReadableInput, type InputFormat } from '../sources/index.js';
import type { JobInput } from './job.js';

/**
 * Expands directories and wildcards. A directory gives its readable files and those of its
 * key=value subdirectories (a Hive-partitioned layout), depth first with the names of each
 * directory in byte order; a wildcard (`*`, `?`) may stand in any part of the path, and its matches
 * come in the same order. Hidden files and directories are skipped unless the pattern names them.
 * A pattern or directory that finds no file is a missing input (exit 3, as a missing file is)
 * unless `allowEmpty`.
 */
export async function expandInputs(paths: readonly string[], explicit: InputFormat | undefined, allowEmpty: boolean): Promise<JobInput[]> {
  const expanded: string[] = [];
  for (const path of paths) {
    if (path === '-') {
      expanded.push(path);
    } else if (/[*?]/.test(path)) {
      const matches = await matchWildcard(path);
      if (matches.length === 0 && !allowEmpty) {
        throw new InputError('INPUT_NOT_FOUND', `No input file matches ${path}`, {
          context: { file: path },
          hint: 'check the pattern (quote it, so that the shell leaves it to onnx-batch); --allow-empty makes no match a run with nothing to score (exit 0)',
        });
      }
      expanded.push(...matches);
    } else if (await isDirectory(path)) {
      const files = await filesBelow(path);
      if (files.length === 0 && !allowEmpty) {
        throw new InputError('INPUT_NOT_FOUND', `Input directory ${path} holds no CSV, Arrow, Parquet or JSON Lines files (also in key=value subdirectories)`, {
          context: { file: path },
          hint: 'name the files, or pass another directory; --allow-empty makes an empty directory a run with nothing to score (exit 0)',
        });
      }
      expanded.push(...files);
    } else {
      expanded.push(path);
    }
  }
  return expanded.map((path) => ({ path, format: inputFormatOf(path, explicit) }));
}

/** Whether `path` is an existing directory. */
export async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

/** Readable files of a directory and of its key=value subdirectories, depth first, names in byte order. */
async function filesBelow(directory: string): Promise<string[]> {
  const entries = (await readdir(directory, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.')).sort((a, b) => byteOrder(a.name, b.name));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isFile() && isReadableInput(entry.name)) files.push(path);
    else if (entry.isDirectory() && entry.name.indexOf('=') > 0) files.push(...(await filesBelow(path)));
  }
  return files;
}

/** Files matching a pattern whose parts may hold `*` and `?` (never across a `/`). */
async function matchWildcard(pattern: string): Promise<string[]> {
  const parts = pattern.split(sep);
  let found = [parts[0] === '' ? sep : ''];
  for (const [index, part] of parts.entries()) {
    if (index === 0 && part === '') continue;
    const last = index === parts.length - 1;
    if (!/[*?]/.test(part)) {
      found = found.map((base) => join(base, part));
      continue;
    }
    const regex = new RegExp(`^${[...part].map(wildcardPart).join('')}$`);
    // As in the shell, a wildcard does not match hidden names unless the pattern part starts with a dot.
    const hidden = part.startsWith('.');
    const next: string[] = [];
    for (const base of found) {
      const entries = await readdir(base === '' ? '.' : base, { withFileTypes: true }).catch(() => []);
      const names = entries
        .filter((entry) => (last ? entry.isFile() : entry.isDirectory()) && regex.test(entry.name) && (hidden || !entry.name.startsWith('.')))
        .map((entry) => entry.name)
        .sort(byteOrder);
      next.push(...names.map((name) => join(base, name)));
    }
    found = next;
  }
  const files: string[] = [];
  for (const path of found) if ((await stat(path).catch(() => undefined))?.isFile() === true) files.push(path);
  return files;
}

function wildcardPart(char: string): string {
  if (char === '*') return '[^/]*';
  if (char === '?') return '[^/]';
  return char.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** Names in the order of their UTF-16 code units (the same order on every machine and locale). */
function byteOrder(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
