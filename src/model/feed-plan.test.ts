import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { input, inputError, modelError } from '../../test/helpers/feeds.js';
import { ModelError } from '../errors.js';
import { planFeeds } from './feed-plan.js';

describe('planFeeds', () => {
  it('feeds inputs named like columns by name, [N,1] as rank 2 and [N] as rank 1', () => {
    const result = planFeeds({
      inputs: [input('age', 'float32', ['N', 1]), input('city', 'string', ['N']), input('count', 'int64', ['batch', 1])],
      columnNames: ['id', 'city', 'age', 'count'],
      features: undefined,
    });
    assert.equal(result.mapping, 'by-name');
    assert.deepEqual(result.feeds, [
      { input: 'age', type: 'float32', columns: ['age'], rank: 2 },
      { input: 'city', type: 'string', columns: ['city'], rank: 1 },
      { input: 'count', type: 'int64', columns: ['count'], rank: 2 },
    ]);
    assert.equal(result.fixedBatch, undefined);
  });

  it('marks only the columns of numeric inputs as numeric', () => {
    const result = planFeeds({
      inputs: [input('age', 'float32', ['N', 1]), input('city', 'string', ['N', 1]), input('flag', 'bool', ['N'])],
      columnNames: ['age', 'city', 'flag'],
      features: undefined,
    });
    assert.deepEqual([...result.numericColumns].sort(), ['age', 'flag']);
  });

  it('refuses an input named like a column whose second dimension is not 1', () => {
    assert.throws(
      () => planFeeds({ inputs: [input('a', 'float32', ['N', 3]), input('b', 'float32', ['N', 1])], columnNames: ['a', 'b'], features: undefined }),
      modelError('MODEL_SIGNATURE', /'a'/),
    );
  });

  it('feeds a single [N,K] input from --features, keeping their order', () => {
    const result = planFeeds({
      inputs: [input('X', 'float32', ['N', 3])],
      columnNames: ['a', 'b', 'c', 'd'],
      features: ['c', 'a', 'd'],
    });
    assert.equal(result.mapping, 'features');
    assert.deepEqual(result.feeds, [{ input: 'X', type: 'float32', columns: ['c', 'a', 'd'], rank: 2 }]);
    assert.deepEqual([...result.numericColumns], ['c', 'a', 'd']);
  });

  it('accepts --features for an input with a symbolic second dimension', () => {
    const result = planFeeds({ inputs: [input('X', 'float64', ['N', 'K'])], columnNames: ['a', 'b'], features: ['b'] });
    assert.deepEqual(result.feeds[0]?.columns, ['b']);
  });

  it('refuses --features naming a different number of columns than K with MODEL_SIGNATURE', () => {
    assert.throws(
      () => planFeeds({ inputs: [input('X', 'float32', ['N', 3])], columnNames: ['a', 'b', 'c', 'd'], features: ['a', 'b'] }),
      modelError('MODEL_SIGNATURE', /'X'/, /\[N,3\]/, /2 columns/),
    );
  });

  it('refuses --features naming a column the input lacks with SCHEMA_MISMATCH', () => {
    assert.throws(
      () => planFeeds({ inputs: [input('X', 'float32', ['N', 2])], columnNames: ['a', 'b'], features: ['a', 'zz'] }),
      inputError('SCHEMA_MISMATCH', /'zz'/),
    );
  });

  it('refuses --features for a model with several inputs with MODEL_SIGNATURE', () => {
    assert.throws(
      () => planFeeds({ inputs: [input('a', 'float32', ['N', 1]), input('b', 'float32', ['N', 1])], columnNames: ['a', 'b'], features: ['a', 'b'] }),
      modelError('MODEL_SIGNATURE', /2 inputs/),
    );
  });

  it('refuses --features for a rank-1 input with MODEL_SIGNATURE', () => {
    assert.throws(
      () => planFeeds({ inputs: [input('X', 'float32', ['N'])], columnNames: ['a'], features: ['a'] }),
      modelError('MODEL_SIGNATURE'),
    );
  });

  it('feeds every column, in file order, to a single [N,K] input when the file has exactly K columns', () => {
    const result = planFeeds({ inputs: [input('float_input', 'float32', ['N', 3])], columnNames: ['c', 'a', 'b'], features: undefined });
    assert.equal(result.mapping, 'all-columns');
    assert.deepEqual(result.feeds, [{ input: 'float_input', type: 'float32', columns: ['c', 'a', 'b'], rank: 2 }]);
  });

  it('treats an empty --features list as no --features', () => {
    const result = planFeeds({ inputs: [input('X', 'float32', ['N', 2])], columnNames: ['a', 'b'], features: [] });
    assert.equal(result.mapping, 'all-columns');
  });

  it('refuses an ambiguous mapping with SCHEMA_MISMATCH listing the model inputs and the input columns', () => {
    assert.throws(
      () => planFeeds({ inputs: [input('float_input', 'float32', ['N', 4])], columnNames: ['id', 'a', 'b'], features: undefined }),
      inputError('SCHEMA_MISMATCH', /'float_input'/, /float32/, /\[N,4\]/, /'id'/, /'a'/, /'b'/, /--features/),
    );
  });

  it('refuses several inputs when one is not named like a column with SCHEMA_MISMATCH naming it', () => {
    assert.throws(
      () => planFeeds({ inputs: [input('a', 'float32', ['N', 1]), input('q', 'float32', ['N', 1])], columnNames: ['a', 'b'], features: undefined }),
      inputError('SCHEMA_MISMATCH', /'q'/, /'b'/),
    );
  });

  it('detects a fixed batch size from the first dimension', () => {
    const result = planFeeds({ inputs: [input('X', 'float32', [8, 2])], columnNames: ['a', 'b'], features: undefined });
    assert.equal(result.fixedBatch, 8);
  });

  it('detects a fixed batch size shared by several inputs, ignoring symbolic ones', () => {
    const result = planFeeds({
      inputs: [input('a', 'float32', [16, 1]), input('b', 'float32', ['N', 1]), input('c', 'int64', [16])],
      columnNames: ['a', 'b', 'c'],
      features: undefined,
    });
    assert.equal(result.fixedBatch, 16);
  });

  it('refuses inputs that disagree on a fixed batch size', () => {
    assert.throws(
      () => planFeeds({ inputs: [input('a', 'float32', [4, 1]), input('b', 'float32', [8, 1])], columnNames: ['a', 'b'], features: undefined }),
      modelError('MODEL_SIGNATURE', /batch size/),
    );
  });

  it('refuses a rank-4 input with MODEL_SIGNATURE', () => {
    assert.throws(
      () => planFeeds({ inputs: [input('image', 'float32', ['N', 3, 224, 224])], columnNames: ['image'], features: undefined }),
      (error: unknown) => {
        modelError('MODEL_SIGNATURE', /'image'/, /\[N,3,224,224\]/)(error);
        assert.equal((error as ModelError).context.modelInput, 'image');
        return true;
      },
    );
  });

  it('refuses a rank-0 input with MODEL_SIGNATURE', () => {
    assert.throws(() => planFeeds({ inputs: [input('s', 'float32', [])], columnNames: ['s'], features: undefined }), modelError('MODEL_SIGNATURE'));
  });

  it('refuses an input of an unsupported element type or a non-tensor input', () => {
    assert.throws(() => planFeeds({ inputs: [input('h', 'uint16', ['N', 1])], columnNames: ['h'], features: undefined }), modelError('MODEL_SIGNATURE', /uint16/));
    assert.throws(
      () => planFeeds({ inputs: [{ name: 'm', isTensor: false, type: undefined, shape: [] }], columnNames: ['m'], features: undefined }),
      modelError('MODEL_SIGNATURE', /non-tensor/),
    );
  });
});
