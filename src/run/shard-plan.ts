// The runner's share of a sharded job: which inputs, or which parts of them, shard k of n scores.
// Every shard computes the whole split from the inputs alone (names, sizes, footers, record
// boundaries), so n processes that see the same files agree on it without talking to each other:
// each row is scored by exactly one shard, and the shards' outputs in shard order are the
// single run's output in row order.
import { createHash } from 'node:crypto';
import type { JobInput } from '../config/job.js';
import type { Shard } from '../config/shard.js';
import { alignInputRange, inputLayout, inputSize, type InputLayout, type InputRange, type SourceRequest } from '../sources/index.js';

/** One input of a shard's share: the whole file, or a range of it. */
export interface ShareItem {
  readonly input: JobInput;
  readonly range: InputRange | undefined;
}

/** An input's layout, as the split sees it. */
export interface LaidOutInput {
  readonly input: JobInput;
  readonly layout: InputLayout;
}

/** A share item as the split decides it, before CSV cuts are moved forward to record boundaries. */
export interface SpanItem {
  readonly input: JobInput;
  readonly range: Exclude<InputRange, { unit: 'bytes' }> | { readonly unit: 'bytes'; readonly start: number; readonly end: number } | undefined;
}

/**
 * Shard `shard.index`'s share of the inputs, in input order.
 *
 * With at least n inputs, whole files: the list is cut into n runs of consecutive files whose
 * sizes are as even as the files allow, and none is empty. With fewer, the files are laid end to
 * end and cut into n equal spans of their bytes: a Parquet row group or an Arrow record batch goes
 * to the span holding its middle; a CSV, TSV or JSON Lines file is cut at the spans' ends, each cut
 * moved forward to the next record boundary (outside quotes; a line start in JSON Lines), so a
 * shard reads the records that start in its span; other files (Arrow streams, compressed text) go
 * whole to the span holding their middle.
 */
export async function planShare(inputs: readonly JobInput[], shard: Shard, request: Omit<SourceRequest, 'path'>): Promise<ShareItem[]> {
  if (inputs.length >= shard.count) {
    const sizes = await Promise.all(inputs.map(async (input) => (await inputSize(input.path)) ?? 0));
    const cuts = balancedCuts(sizes, shard.count);
    return inputs.slice(cuts[shard.index], cuts[shard.index + 1]).map((input) => ({ input, range: undefined }));
  }
  const laidOut = await Promise.all(inputs.map(async (input) => ({ input, layout: await inputLayout(input.format, { ...request, path: input.path }) })));
  return splitSpans(laidOut, shard).flatMap(({ input, range }): ShareItem[] => {
    if (range?.unit !== 'bytes') return [{ input, range }];
    const aligned = alignInputRange(input.format, { ...request, path: input.path }, range);
    // A span in which no record starts (one long record covers it) has nothing to read.
    return aligned.start < aligned.end ? [{ input, range: aligned }] : [];
  });
}

/**
 * The shard that scores an input file in an incremental run (--state): one fixed by the file's path
 * alone (a hash), so that it stays the same as new files arrive night after night and each shard's
 * state file keeps seeing the files it scored. Balanced over many files, not over a few.
 */
export function incrementalOwner(path: string, count: number): number {
  return createHash('sha256').update(path).digest().readUInt32BE(0) % count;
}

/**
 * Indexes cutting `sizes` into `count` non-empty runs (cuts[k] to cuts[k + 1]): each cut is the
 * file boundary nearest to k/count of the total bytes that leaves every run a file.
 */
export function balancedCuts(sizes: readonly number[], count: number): number[] {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const before = [0];
  for (const size of sizes) before.push((before.at(-1) as number) + size);
  const cuts = [0];
  for (let k = 1; k < count; k++) {
    const target = (k * total) / count;
    let best = (cuts[k - 1] as number) + 1;
    for (let i = best + 1; i <= sizes.length - (count - k); i++) {
      if (Math.abs((before[i] as number) - target) < Math.abs((before[best] as number) - target)) best = i;
    }
    cuts.push(best);
  }
  cuts.push(sizes.length);
  return cuts;
}

/** The ranges of shard k when there are fewer inputs than shards; CSV cuts are not yet at record boundaries. */
export function splitSpans(inputs: readonly LaidOutInput[], shard: Shard): SpanItem[] {
  const weights = inputs.map(({ layout }) => weightOf(layout));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  /** The shard whose span holds global position `at`. */
  const owner = (at: number): number => (total === 0 ? 0 : Math.min(shard.count - 1, Math.floor((at * shard.count) / total)));
  const spanStart = Math.floor((shard.index * total) / shard.count);
  const spanEnd = shard.index === shard.count - 1 ? total : Math.floor(((shard.index + 1) * total) / shard.count);
  const items: SpanItem[] = [];
  let offset = 0;
  inputs.forEach(({ input, layout }, i) => {
    const weight = weights[i] as number;
    if (layout.unit === 'file') {
      if (owner(offset + weight / 2) === shard.index) items.push({ input, range: undefined });
    } else if (layout.unit === 'bytes') {
      const start = Math.max(spanStart, offset) - offset;
      const end = Math.min(spanEnd, offset + weight) - offset;
      if (start < end) items.push({ input, range: { unit: 'bytes', start: layout.dataStart + start, end: layout.dataStart + end } });
    } else {
      let at = offset;
      let first: number | undefined;
      let last = -1;
      layout.weights.forEach((unitWeight, u) => {
        if (owner(at + unitWeight / 2) === shard.index) {
          first ??= u;
          last = u;
        }
        at += unitWeight;
      });
      if (first !== undefined) items.push({ input, range: { unit: layout.unit, start: first, end: last + 1 } });
    }
    offset += weight;
  });
  return items;
}

function weightOf(layout: InputLayout): number {
  if (layout.unit === 'file') return layout.bytes;
  if (layout.unit === 'bytes') return layout.size - layout.dataStart;
  return layout.weights.reduce((sum, weight) => sum + weight, 0);
}
