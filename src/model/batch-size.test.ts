import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { autoBatchRows } from './batch-size.js';
import type { TensorSignature } from './session-protocol.js';

const tensor = (name: string, type: TensorSignature['type'], shape: TensorSignature['shape']): TensorSignature => ({ name, isTensor: true, type, shape });
const small = { bytes: 100_000 };

describe('autoBatchRows', () => {
  it('gives 4096 rows to a narrow model (32 float32 in, 2 out) and 512 to a wide one (500 in)', () => {
    assert.equal(autoBatchRows(small, { inputs: [tensor('x', 'float32', ['N', 32])], outputs: [tensor('p', 'float32', ['N', 2])] }), 4096);
    assert.equal(autoBatchRows(small, { inputs: [tensor('x', 'float32', ['N', 500])], outputs: [tensor('score', 'float32', ['N', 1])] }), 512);
  });

  it('adds up every input and output, counting free dimensions as 1 and non-tensors as nothing', () => {
    const inputs = [tensor('a', 'float64', ['N', 1]), tensor('b', 'string', ['N', 1]), tensor('c', 'int64', ['N', 'K'])];
    const outputs: TensorSignature[] = [tensor('label', 'int64', ['N']), { name: 'probabilities', isTensor: false, type: undefined, shape: [] }];
    // 8 + 32 + 8 + 8 = 56 bytes a row: 1 MiB holds 18724 rows, capped at 16384.
    assert.equal(autoBatchRows(small, { inputs, outputs }), 16384);
  });

  it('stays within 64 rows at least, for very wide rows', () => {
    assert.equal(autoBatchRows(small, { inputs: [tensor('image', 'float32', ['N', 3, 224, 224])], outputs: [tensor('logits', 'float32', ['N', 1000])] }), 64);
  });

  it('gives models with large weights smaller batches', () => {
    const signature = { inputs: [tensor('x', 'float32', ['N', 32])], outputs: [tensor('p', 'float32', ['N', 2])] };
    assert.equal(autoBatchRows({ bytes: 20 << 20 }, signature), 256);
    assert.equal(autoBatchRows({ bytes: 300 << 20 }, signature), 32);
  });
});
