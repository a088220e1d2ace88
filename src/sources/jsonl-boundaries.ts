// Where JSON Lines records start, for cutting a file between shards. A JSON text cannot hold a raw
// line break (inside a string it is written \n), so every LF ends a record and a cut moves forward
// to just after the next one. A shard reads from the start of the file up to its cuts, counting line
// breaks, so that its records keep their real line numbers.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { InputRange } from './source.js';

const LF = 0x0a;

/** A byte range of a JSON Lines file with both ends moved forward to the start of a line (or the end of the file). */
export function alignJsonlRange(path: string, range: { readonly start: number; readonly end: number }): Extract<InputRange, { unit: 'bytes' }> {
  const fd = openSync(path, 'r');
  try {
    const [start, end] = lineStarts(fd, fstatSync(fd).size, [range.start, range.end]);
    return { unit: 'bytes', start: start?.byte ?? 0, end: end?.byte ?? 0, line: start?.line ?? 1 };
  } finally {
    closeSync(fd);
  }
}

/** For each target (ascending), the first line start at or after it (0, a position right after an LF, or the end) and its 1-based line. */
function lineStarts(fd: number, size: number, targets: readonly number[]): { byte: number; line: number }[] {
  const found: { byte: number; line: number }[] = [];
  let next = 0;
  while (next < targets.length && (targets[next] as number) <= 0) found.push({ byte: 0, line: 1 }), next++;
  const block = Buffer.allocUnsafe(1 << 20);
  let breaks = 0;
  for (let at = 0; at < size && next < targets.length; ) {
    const n = readSync(fd, block, 0, Math.min(block.length, size - at), at);
    if (n === 0) break;
    const bytes = block.subarray(0, n);
    for (let i = bytes.indexOf(LF); i !== -1 && next < targets.length; i = bytes.indexOf(LF, i + 1)) {
      breaks += 1;
      const position = at + i + 1;
      while (next < targets.length && (targets[next] as number) <= position) found.push({ byte: position, line: breaks + 1 }), next++;
    }
    at += n;
  }
  while (next < targets.length) found.push({ byte: size, line: breaks + 1 }), next++;
  return found;
}
