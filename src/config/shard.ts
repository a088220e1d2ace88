// Config: which shard of a job this process scores, from --shard k/n or from the index a scheduler
// sets (Kubernetes Indexed Jobs, AWS Batch array jobs) with the count from --shard-count.
import { basename, dirname, extname, join } from 'node:path';

/** This process scores shard `index` (0-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Environment variables that carry a worker's index (contract): Kubernetes Indexed Job, AWS Batch array job. */
export const SHARD_INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const;

export interface ShardFlags {
  readonly shard?: string | undefined;
  readonly shardCount?: string | undefined;
}

/**
 * The shard of this run, or undefined for the whole job. --shard wins; else an index variable with
 * --shard-count (or ONNX_BATCH_SHARD_COUNT; `countName` says which, for messages). A count without an index, or an index that does not
 * fit the count, is a problem: scoring every row in each of n workers would be wrong, silently.
 */
export function shardOf(flags: ShardFlags, env: Readonly<Record<string, string | undefined>>, problems: string[], countName: string): Shard | undefined {
  if (flags.shard !== undefined) {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(flags.shard);
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (match === null || !Number.isSafeInteger(count) || count < 1 || index >= count) {
      problems.push(`--shard must be k/n with 0 <= k < n (k counts from 0), got ${JSON.stringify(flags.shard)}`);
      return undefined;
    }
    return { index, count };
  }
  if (flags.shardCount === undefined) return undefined;
  const count = Number(flags.shardCount);
  if (!/^\s*\d+\s*$/.test(flags.shardCount) || !Number.isSafeInteger(count) || count < 1) {
    problems.push(`${countName} must be a whole number of at least 1, got ${JSON.stringify(flags.shardCount)}`);
    return undefined;
  }
  const given = SHARD_INDEX_VARIABLES.filter((name) => (env[name] ?? '').trim() !== '');
  const [variable] = given;
  if (variable === undefined) {
    problems.push(`${countName} is set, but neither ${SHARD_INDEX_VARIABLES.join(' nor ')} gives this worker's index: pass --shard k/n`);
    return undefined;
  }
  const values = given.map((name) => (env[name] as string).trim());
  if (values.some((value) => value !== values[0])) {
    problems.push(`${given.join(' and ')} disagree (${values.join(' vs ')}): pass --shard k/n`);
    return undefined;
  }
  const text = values[0] as string;
  const index = Number(text);
  if (!/^\d+$/.test(text) || index >= count) {
    problems.push(`${variable}=${JSON.stringify(text)} is not a shard index below the shard count ${count}`);
    return undefined;
  }
  return { index, count };
}

/** Whether -o names a directory for shard parts: it ends with a slash (or is a directory, `isDirectory`). */
export function isPartsDirectory(output: string, isDirectory: boolean): boolean {
  return output.endsWith('/') || isDirectory;
}

/** `DIR/part-<k>-of-<n>.<ext>`: k zero-padded to n's width, so that the parts sort in shard order. */
export function shardPartPath(directory: string, shard: Shard, extension: string): string {
  const width = String(shard.count - 1).length;
  return join(directory, `part-${String(shard.index).padStart(width, '0')}-of-${shard.count}.${extension}`);
}

/**
 * A shard's own state file for --state: `scored.state.json` becomes `scored.state.shard-<k>-of-<n>.json`
 * beside it. A state file remembers what its writer scored, so n workers sharing one would either
 * wait on its lock or lose each other's entries.
 */
export function shardStatePath(state: string, shard: Shard): string {
  const extension = extname(state);
  const width = String(shard.count - 1).length;
  return join(dirname(state), `${basename(state, extension)}.shard-${String(shard.index).padStart(width, '0')}-of-${shard.count}${extension}`);
}
