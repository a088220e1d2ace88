import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { balancedCuts, incrementalOwner, splitSpans, type LaidOutInput } from './shard-plan.js';

describe('shard plan', () => {
  it('cuts files into consecutive non-empty runs balanced by size', () => {
    assert.deepEqual(balancedCuts([10, 10, 10, 10], 2), [0, 2, 4]);
    assert.deepEqual(balancedCuts([100, 1, 1, 1], 2), [0, 1, 4]);
    assert.deepEqual(balancedCuts([100, 1, 1, 1], 4), [0, 1, 2, 3, 4], 'every shard gets a file');
    assert.deepEqual(balancedCuts([1, 1, 1, 100], 3), [0, 2, 3, 4]);
    assert.deepEqual(balancedCuts([0, 0, 0], 3), [0, 1, 2, 3]);
  });

  it('gives each row group to the shard whose span holds its middle, every one exactly once', () => {
    const inputs: LaidOutInput[] = [
      { input: { path: 'a.parquet', format: 'parquet' }, layout: { unit: 'row-groups', weights: [10, 10, 10, 10, 10, 10] } },
      { input: { path: 'b.parquet', format: 'parquet' }, layout: { unit: 'row-groups', weights: [30] } },
    ];
    const shares = [0, 1, 2].map((index) => splitSpans(inputs, { index, count: 3 }));
    assert.deepEqual(shares[0]?.map((item) => [item.input.path, item.range]), [['a.parquet', { unit: 'row-groups', start: 0, end: 3 }]]);
    assert.deepEqual(shares[1]?.map((item) => [item.input.path, item.range]), [['a.parquet', { unit: 'row-groups', start: 3, end: 6 }]]);
    assert.deepEqual(shares[2]?.map((item) => [item.input.path, item.range]), [['b.parquet', { unit: 'row-groups', start: 0, end: 1 }]]);
  });

  it('gives a file that cannot be cut to one shard, and none to a shard whose span holds no middle', () => {
    const inputs: LaidOutInput[] = [{ input: { path: 'a.arrows', format: 'arrows' }, layout: { unit: 'file', bytes: 100 } }];
    assert.deepEqual(
      [0, 1, 2].map((index) => splitSpans(inputs, { index, count: 3 }).length),
      [0, 1, 0],
    );
  });

  it('gives an incremental run\'s file to one shard by its path alone, the same whatever else arrives', () => {
    const paths = Array.from({ length: 400 }, (_, i) => `landing/day-${i}.csv`);
    const owners = paths.map((path) => incrementalOwner(path, 4));
    assert.deepEqual(owners, paths.map((path) => incrementalOwner(path, 4)), 'deterministic');
    const counts = [0, 1, 2, 3].map((k) => owners.filter((owner) => owner === k).length);
    for (const count of counts) assert.ok(count > 70 && count < 130, `about a quarter each: ${counts.join(', ')}`);
    assert.equal(incrementalOwner('landing/a.csv', 1), 0);
  });
});
