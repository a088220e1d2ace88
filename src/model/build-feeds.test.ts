import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import { RejectList } from '../shared/chunk.js';
import type { FeedPlan } from './feed-plan.js';
import { chunk, f64, i64, inputError, plan, str } from '../../test/helpers/feeds.js';
import { buildFeeds } from './build-feeds.js';
import { TensorBuffers } from './tensor-buffers.js';

describe('buildFeeds conversions', () => {
  it('converts a float64 column to a float32 [N,1] tensor', () => {
    const feeds = buildFeeds(plan('float32', ['a']), chunk({ a: f64([1.5, -2, 0.1]) }, 3), 3);
    const x = feeds['x'];
    assert.equal(x?.type, 'float32');
    assert.deepEqual(x?.dims, [3, 1]);
    assert.ok(x?.data instanceof Float32Array);
    assert.deepEqual([...x.data], [1.5, -2, Math.fround(0.1)]);
  });

  it('interleaves several columns row by row into an [N,K] tensor', () => {
    const feeds = buildFeeds(plan('float64', ['b', 'a']), chunk({ a: f64([1, 2]), b: f64([10, 20]) }, 2), 2);
    assert.deepEqual(feeds['x']?.dims, [2, 2]);
    assert.ok(feeds['x']?.data instanceof Float64Array);
    assert.deepEqual([...feeds['x'].data], [10, 1, 20, 2]);
  });

  it('builds an [N] tensor for a rank-1 feed', () => {
    const feeds = buildFeeds(plan('float64', ['a'], 1), chunk({ a: f64([1, 2, 3]) }, 3), 3);
    assert.deepEqual(feeds['x']?.dims, [3]);
  });

  it('turns missing values into NaN for float32 and float64 inputs', () => {
    const column = f64([1, 0, 3], [0, 1, 0]);
    for (const type of ['float32', 'float64'] as const) {
      const data = buildFeeds(plan(type, ['a']), chunk({ a: column }, 3), 3)['x']?.data as Float32Array | Float64Array;
      assert.equal(data[0], 1);
      assert.ok(Number.isNaN(data[1]), `${type} null -> NaN`);
      assert.equal(data[2], 3);
    }
    const fromText = buildFeeds(plan('float32', ['s']), chunk({ s: str(['2', null]) }, 2), 2)['x']?.data as Float32Array;
    assert.equal(fromText[0], 2);
    assert.ok(Number.isNaN(fromText[1]));
  });

  it('rounds float64, int64 and string columns to float16 bits for a float16 input (ties to even, missing as NaN)', () => {
    // 0.1 -> 0x2e66; 2049 is halfway between 2048 and 2050 and goes to the even 2048 (0x6800); 65519.99 rounds down to 65504 (0x7bff).
    const feeds = buildFeeds(plan('float16', ['a', 'b', 's']), chunk({ a: f64([0.1, 2049, 0], [0, 0, 1]), b: i64([3n, -1n, 7n]), s: str(['65519.99', 'true', '-0']) }, 3), 3);
    assert.equal(feeds['x']?.type, 'float16');
    assert.ok(feeds['x']?.data instanceof Uint16Array);
    assert.deepEqual([...feeds['x'].data], [0x2e66, 0x4200, 0x7bff, 0x6800, 0xbc00, 0x3c00, 0x7e00, 0x4700, 0x8000]);
  });

  it('refuses a value that would round to float16 infinity (65520 and more) with BAD_VALUE naming the value', () => {
    assert.throws(
      () => buildFeeds(plan('float16', ['a']), chunk({ a: f64([1, 65520]) }, 2, { lines: [2, 3] }), 2),
      inputError('BAD_VALUE', /float16 range/, /65520/, /line 3\b/, /'a'/),
    );
    const skipped = { ...chunk({ a: f64([-1e6, 5]) }, 2), rejects: new RejectList() };
    const data = buildFeeds(plan('float16', ['a']), skipped, 2)['x']?.data as Uint16Array;
    assert.deepEqual([skipped.rejects.size, data[0], data[1]], [1, 0, 0x4500]);
  });

  it('converts float64, int64 and string columns to float64', () => {
    const feeds = buildFeeds(
      plan('float64', ['f', 'i', 's']),
      chunk({ f: f64([0.25]), i: i64([-7n]), s: str([' 1e3 ']) }, 1),
      1,
    );
    assert.deepEqual([...(feeds['x']?.data as Float64Array)], [0.25, -7, 1000]);
  });

  it('converts float64, int64 and string columns to int64', () => {
    const feeds = buildFeeds(
      plan('int64', ['f', 'i', 's']),
      chunk({ f: f64([3, -4]), i: i64([2n ** 60n, -1n]), s: str(['12', '-5']) }, 2),
      2,
    );
    assert.ok(feeds['x']?.data instanceof BigInt64Array);
    assert.deepEqual([...feeds['x'].data], [3n, 2n ** 60n, 12n, -4n, -1n, -5n]);
  });

  it('converts float64, int64 and string columns to int32', () => {
    const feeds = buildFeeds(
      plan('int32', ['f', 'i', 's']),
      chunk({ f: f64([3, -(2 ** 31)]), i: i64([7n, 2n ** 31n - 1n]), s: str(['12', '-5']) }, 2),
      2,
    );
    assert.ok(feeds['x']?.data instanceof Int32Array);
    assert.deepEqual([...feeds['x'].data], [3, 7, 12, -(2 ** 31), 2 ** 31 - 1, -5]);
  });

  it('refuses int32 values that are out of range or not whole with BAD_VALUE', () => {
    assert.throws(() => buildFeeds(plan('int32', ['a']), chunk({ a: f64([2 ** 31]) }, 1), 1), inputError('BAD_VALUE', /32-bit integer/));
    assert.throws(() => buildFeeds(plan('int32', ['a']), chunk({ a: f64([1.5]) }, 1), 1), inputError('BAD_VALUE', /32-bit integer/));
  });

  it('converts 0/1 numbers and true/false text to bool', () => {
    const feeds = buildFeeds(
      plan('bool', ['f', 'i', 's']),
      chunk({ f: f64([1, 0]), i: i64([0n, 1n]), s: str(['true', ' FALSE ']) }, 2),
      2,
    );
    assert.ok(feeds['x']?.data instanceof Uint8Array);
    assert.deepEqual([...feeds['x'].data], [1, 0, 1, 0, 1, 0]);
  });

  it('refuses a bool value other than 0/1 with BAD_VALUE', () => {
    assert.throws(() => buildFeeds(plan('bool', ['a']), chunk({ a: f64([2]) }, 1), 1), inputError('BAD_VALUE', /0\/1/));
  });

  it('converts float64, int64 and string columns to string, missing values becoming empty strings', () => {
    const feeds = buildFeeds(
      plan('string', ['f', 'i', 's']),
      chunk({ f: f64([0.1, 0], [0, 1]), i: i64([42n, 0n], [0, 1]), s: str(['red', null]) }, 2),
      2,
    );
    assert.equal(feeds['x']?.type, 'string');
    assert.deepEqual(feeds['x']?.data, ['0.1', '42', 'red', '', '', '']);
  });

  it('converts a bool column to true/false text for a string input', () => {
    const feeds = buildFeeds(plan('string', ['b']), chunk({ b: { type: 'bool', values: Uint8Array.from([1, 0]) } }, 2), 2);
    assert.deepEqual(feeds['x']?.data, ['true', 'false']);
  });

  it('parses text to numbers for a float input and refuses text that is not a number with BAD_VALUE', () => {
    const feeds = buildFeeds(plan('float32', ['s']), chunk({ s: str(['1.5', 'NaN', '-inf']) }, 3), 3);
    const data = feeds['x']?.data as Float32Array;
    assert.equal(data[0], 1.5);
    assert.ok(Number.isNaN(data[1]));
    assert.equal(data[2], Number.NEGATIVE_INFINITY);
    assert.throws(
      () => buildFeeds(plan('float32', ['s']), chunk({ s: str(['1', 'abc']) }, 2, { lines: [2, 3] }), 2),
      inputError('BAD_VALUE', /line 3\b/, /'s'/, /"abc"/),
    );
  });
});

describe('buildFeeds errors', () => {
  it('refuses a missing value for an int64 input with BAD_VALUE, from float64, int64 and string columns', () => {
    for (const column of [f64([1, 0], [0, 1]), i64([1n, 0n], [0, 1]), str(['1', null])]) {
      assert.throws(
        () => buildFeeds(plan('int64', ['a']), chunk({ a: column }, 2, { lines: [5, 6] }), 2),
        inputError('BAD_VALUE', /missing value/, /line 6\b/, /'a'/),
        column.type,
      );
    }
  });

  it('refuses a missing value for an int32 input with BAD_VALUE', () => {
    assert.throws(
      () => buildFeeds(plan('int32', ['a']), chunk({ a: f64([0], [1]) }, 1, { lines: [9] }), 1),
      inputError('BAD_VALUE', /missing value/, /line 9\b/),
    );
  });

  it('refuses a non-integral value for an int64 input with BAD_VALUE naming the line and the column', () => {
    assert.throws(
      () => buildFeeds(plan('int64', ['a', 'count']), chunk({ a: f64([1, 2]), count: f64([3, 2.5]) }, 2, { lines: [2, 7], rowOffset: 100 }), 2),
      (error: unknown) => {
        inputError('BAD_VALUE', /line 7\b/, /'count'/, /2\.5/, /int64/)(error);
        const { context } = error as InputError;
        assert.equal(context.line, 7);
        assert.equal(context.column, 'count');
        assert.equal(context.row, 101);
        assert.equal(context.modelInput, 'x');
        assert.equal(context.file, 'in.csv');
        return true;
      },
    );
  });

  it('names the row within the file when the chunk has no line numbers', () => {
    assert.throws(
      () => buildFeeds(plan('int64', ['a']), chunk({ a: f64([1, 2, 0.5]) }, 3, { firstRowInSource: 10 }), 3),
      inputError('BAD_VALUE', /row 12\b/, /'a'/),
    );
  });

  it('refuses a value beyond the float32 range (1e39) for a float32 input with BAD_VALUE', () => {
    assert.throws(
      () => buildFeeds(plan('float32', ['a']), chunk({ a: f64([1, 1e39]) }, 2, { lines: [2, 3] }), 2),
      inputError('BAD_VALUE', /float32 range/, /line 3\b/, /'a'/),
    );
    assert.throws(() => buildFeeds(plan('float32', ['a']), chunk({ a: f64([-1e39]) }, 1), 1), inputError('BAD_VALUE'));
  });

  it('accepts a value that rounds to the largest float32 (3.4028235e38, its shortest text) for a float32 input', () => {
    // Regression: 3.4028235e38 is how float32's maximum is printed; it must read back as that maximum.
    const feeds = buildFeeds(plan('float32', ['a']), chunk({ a: f64([3.4028235e38, -3.4028235e38]) }, 2), 2);
    assert.deepEqual([...(feeds['x']?.data as Float32Array)], [Math.fround(3.4028235e38), -Math.fround(3.4028235e38)]);
  });

  it('accepts the largest float32 itself and infinities for a float32 input', () => {
    const max = 3.4028234663852886e38;
    const feeds = buildFeeds(plan('float32', ['a']), chunk({ a: f64([max, Number.POSITIVE_INFINITY]) }, 2), 2);
    assert.deepEqual([...(feeds['x']?.data as Float32Array)], [max, Number.POSITIVE_INFINITY]);
  });

  it('refuses a chunk that lacks a planned column with SCHEMA_MISMATCH', () => {
    assert.throws(() => buildFeeds(plan('float32', ['a', 'b']), chunk({ a: f64([1]) }, 1), 1), inputError('SCHEMA_MISMATCH', /'b'/));
  });
});

describe('buildFeeds padding', () => {
  it('pads a float32 [N,K] feed to the fixed batch size with zeros', () => {
    const feeds = buildFeeds(plan('float32', ['a', 'b']), chunk({ a: f64([1, 2]), b: f64([3, 4]) }, 2), 4);
    assert.deepEqual(feeds['x']?.dims, [4, 2]);
    assert.deepEqual([...(feeds['x']?.data as Float32Array)], [1, 3, 2, 4, 0, 0, 0, 0]);
  });

  it('pads int64, int32, bool and float64 feeds with zeros', () => {
    const numeric = chunk({ a: f64([1]) }, 1);
    assert.deepEqual([...(buildFeeds(plan('int64', ['a'], 1), numeric, 3)['x']?.data as BigInt64Array)], [1n, 0n, 0n]);
    assert.deepEqual([...(buildFeeds(plan('int32', ['a'], 1), numeric, 3)['x']?.data as Int32Array)], [1, 0, 0]);
    assert.deepEqual([...(buildFeeds(plan('bool', ['a'], 1), numeric, 3)['x']?.data as Uint8Array)], [1, 0, 0]);
    assert.deepEqual([...(buildFeeds(plan('float64', ['a'], 1), numeric, 3)['x']?.data as Float64Array)], [1, 0, 0]);
    assert.deepEqual(buildFeeds(plan('int64', ['a'], 1), numeric, 3)['x']?.dims, [3]);
  });

  it('pads a string feed with empty strings', () => {
    const feeds = buildFeeds(plan('string', ['s']), chunk({ s: str(['a', 'b']) }, 2), 5);
    assert.deepEqual(feeds['x']?.dims, [5, 1]);
    assert.deepEqual(feeds['x']?.data, ['a', 'b', '', '', '']);
  });

  it('builds one tensor per planned input', () => {
    const twoInputs: FeedPlan = {
      feeds: [
        { input: 'age', type: 'float32', columns: ['age'], rank: 2 },
        { input: 'city', type: 'string', columns: ['city'], rank: 1 },
      ],
      fixedBatch: undefined,
      numericColumns: new Set(['age']),
      mapping: 'by-name',
      missing: {},
    };
    const feeds = buildFeeds(twoInputs, chunk({ age: f64([30]), city: str(['oslo']) }, 1), 1);
    assert.deepEqual(Object.keys(feeds).sort(), ['age', 'city']);
    assert.deepEqual(feeds['age']?.dims, [1, 1]);
    assert.deepEqual(feeds['city']?.dims, [1]);
    assert.deepEqual(feeds['city']?.data, ['oslo']);
  });
});

describe('buildFeeds with buffers handed back', () => {
  /** Buffers full of a value no batch writes, so anything left over shows. */
  function staleBuffers(bytes: number, count = 1): TensorBuffers {
    const buffers = new TensorBuffers();
    buffers.giveBack(Array.from({ length: count }, () => new Float32Array(bytes / 4).fill(-777).buffer));
    return buffers;
  }

  it('reuses a buffer of the right size and writes every value of it, zeros in the padding rows', () => {
    const buffers = staleBuffers(4 * 2 * 4);
    const feeds = buildFeeds(plan('float32', ['a', 'b']), chunk({ a: f64([1, 2]), b: f64([3, 4]) }, 2), 4, buffers);
    assert.deepEqual([...(feeds['x']?.data as Float32Array)], [1, 3, 2, 4, 0, 0, 0, 0]);
    assert.equal(buffers.take(32), undefined, 'the buffer was taken');
  });

  it('writes zeros, not what an earlier batch left, where a rejected value was', () => {
    const buffers = staleBuffers(3 * 4);
    const skipped = { ...chunk({ a: str(['1', 'oops', '3']) }, 3), rejects: new RejectList() };
    const feeds = buildFeeds(plan('float32', ['a']), skipped, 3, buffers);
    assert.deepEqual([...(feeds['x']?.data as Float32Array)], [1, 0, 3]);
    const overflow = { ...chunk({ a: f64([1, 1e300]) }, 2), rejects: new RejectList() };
    const again = buildFeeds(plan('float32', ['a']), overflow, 2, staleBuffers(2 * 4));
    assert.deepEqual([...(again['x']?.data as Float32Array)], [1, 0]);
  });

  it('allocates when no buffer of that size came back, and keeps at most four of a size', () => {
    const buffers = staleBuffers(64, 6);
    const taken = Array.from({ length: 5 }, () => buffers.take(64));
    assert.equal(taken.filter((buffer) => buffer !== undefined).length, 4);
    const feeds = buildFeeds(plan('float64', ['a']), chunk({ a: f64([5]) }, 1), 1, buffers);
    assert.deepEqual([...(feeds['x']?.data as Float64Array)], [5]);
  });
});


describe('buildFeeds and missing values (--missing)', () => {
  const refuse: FeedPlan = { ...plan('float32', ['a']), missing: { x: { mode: 'auto', feedsNaN: false, feedsInfinity: false, reason: 'why' } } };
  const feedNaN: FeedPlan = { ...plan('float32', ['a']), missing: { x: { mode: 'auto', feedsNaN: true, feedsInfinity: false, reason: 'why' } } };

  it('a null, NaN or infinite value makes its row bad where the input refuses them, naming the column and the value', () => {
    for (const [column, got] of [[f64([1, 0], [0, 1]), '""'], [f64([1, Number.NaN]), '"NaN"'], [f64([1, -Infinity]), '"-Infinity"'], [str(['1', 'inf']), '"inf"']] as const) {
      assert.throws(() => buildFeeds(refuse, chunk({ a: column }, 2, { lines: [2, 3] }), 2), (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.match(error.message, new RegExp(`line 3, column 'a' .*which the model does not handle here \\(--missing auto\\), got ${got.replace('+', '\\+')}`));
        assert.match(error.hint ?? '', /^why\. Impute the column/);
        return true;
      });
    }
  });

  it('with a reject list, those rows are rejected and the others fed', () => {
    const rejects = new RejectList();
    const data = buildFeeds(refuse, { ...chunk({ a: f64([1, Number.NaN, 2], [0, 0, 0]) }, 3), rejects }, 3)['x']?.data as Float32Array;
    assert.deepEqual([...data], [1, 0, 2]);
    assert.equal(rejects.size, 1);
  });

  it('an input that takes NaN is fed NaN, but still not an infinite value', () => {
    const data = buildFeeds(feedNaN, chunk({ a: f64([1, 0], [0, 1]) }, 2), 2)['x']?.data as Float32Array;
    assert.ok(Number.isNaN(data[1]));
    assert.throws(() => buildFeeds(feedNaN, chunk({ a: f64([Infinity]) }, 1), 1), inputError('BAD_VALUE', /an infinite value/));
  });
});
