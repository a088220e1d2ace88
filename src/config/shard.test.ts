import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shardOf, shardPartPath, shardStatePath } from './shard.js';

function parse(flags: { shard?: string; shardCount?: string }, env: Record<string, string> = {}): { shard: unknown; problems: string[] } {
  const problems: string[] = [];
  return { shard: shardOf(flags, env, problems, '--shard-count'), problems };
}

describe('shard selection', () => {
  it('reads --shard k/n, 0-based', () => {
    assert.deepEqual(parse({ shard: '2/5' }), { shard: { index: 2, count: 5 }, problems: [] });
    assert.match(parse({ shard: '5/5' }).problems[0] ?? '', /0 <= k < n/);
    assert.match(parse({ shard: '1' }).problems[0] ?? '', /must be k\/n/);
    assert.match(parse({ shard: '0/0' }).problems[0] ?? '', /must be k\/n/);
  });

  it('takes the index from JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX with the count', () => {
    assert.deepEqual(parse({ shardCount: '4' }, { JOB_COMPLETION_INDEX: '3' }).shard, { index: 3, count: 4 });
    assert.deepEqual(parse({ shardCount: '4' }, { AWS_BATCH_JOB_ARRAY_INDEX: '0' }).shard, { index: 0, count: 4 });
    assert.deepEqual(parse({ shard: '1/2', shardCount: '4' }, { JOB_COMPLETION_INDEX: '3' }).shard, { index: 1, count: 2 }, '--shard wins');
  });

  it('ignores an index without a count, and refuses a count without an index or an index out of range', () => {
    assert.deepEqual(parse({}, { JOB_COMPLETION_INDEX: '3' }), { shard: undefined, problems: [] });
    assert.match(parse({ shardCount: '4' }).problems[0] ?? '', /neither JOB_COMPLETION_INDEX nor AWS_BATCH_JOB_ARRAY_INDEX/);
    assert.match(parse({ shardCount: '4' }, { JOB_COMPLETION_INDEX: '4' }).problems[0] ?? '', /JOB_COMPLETION_INDEX="4" is not a shard index below the shard count 4/);
    assert.match(parse({ shardCount: '4' }, { JOB_COMPLETION_INDEX: '1', AWS_BATCH_JOB_ARRAY_INDEX: '2' }).problems[0] ?? '', /disagree/);
    assert.match(parse({ shardCount: 'x' }, { JOB_COMPLETION_INDEX: '1' }).problems[0] ?? '', /whole number/);
  });

  it('names parts so that they sort in shard order', () => {
    assert.equal(shardPartPath('out', { index: 3, count: 12 }, 'csv'), 'out/part-03-of-12.csv');
    assert.equal(shardPartPath('out/', { index: 0, count: 1 }, 'parquet'), 'out/part-0-of-1.parquet');
  });

  it('names a state file per shard beside the one --state gives', () => {
    assert.equal(shardStatePath('/state/scored.state.json', { index: 3, count: 12 }), '/state/scored.state.shard-03-of-12.json');
    assert.equal(shardStatePath('state', { index: 0, count: 2 }), 'state.shard-0-of-2');
  });
});
