import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { autoBatchRows } from './batch-size.js';
import type { TensorSignature } from './session-protocol.js';

const tensor = (name: string, type: TensorSignature['type'], shape: TensorSignature['shape']): TensorSignature => ({ name, isTensor: true, type, shape });
const columns = (count: number): string[] => Array.from({ length: count }, (_, i) => `c${i}`);
const small = { bytes: 100_000, widestLayer: 128 };

describe('autoBatchRows', () => {
  it('gives 4096 rows to a narrow model (32 float32 in, 2 out) and 512 to a wide one (500 in)', () => {
    assert.equal(autoBatchRows(small, [{ type: 'float32', columns: columns(32) }], [tensor('p', 'float32', ['N', 2])]), 4096);
    assert.equal(autoBatchRows(small, [{ type: 'float32', columns: columns(500) }], [tensor('score', 'float32', ['N', 1])]), 512);
  });

  it('counts inputs by the columns fed, and outputs by their declared shape (free dimensions as 1, non-tensors as nothing)', () => {
    const feeds = [
      { type: 'float64' as const, columns: columns(1) },
      { type: 'string' as const, columns: columns(1) },
      { type: 'int64' as const, columns: columns(300) },
    ];
    const outputs: TensorSignature[] = [tensor('label', 'int64', ['N']), tensor('scores', 'float32', ['N', 'K']), { name: 'map', isTensor: false, type: undefined, shape: [] }];
    // 8 + 32 + 2400 + 8 + 4 = 2452 bytes a row: 1 MiB holds 427 rows.
    assert.equal(autoBatchRows(small, feeds, outputs), 256);
    // 56 bytes a row: 1 MiB holds 18724 rows, capped at 16384.
    assert.equal(autoBatchRows(small, [{ type: 'float64', columns: columns(6) }], [tensor('y', 'float64', ['N'])]), 16384);
  });

  it('stays at 64 rows at least, for very wide rows', () => {
    assert.equal(autoBatchRows(small, [{ type: 'float32', columns: columns(150_528) }], [tensor('logits', 'float32', ['N', 1000])]), 64);
  });

  it('keeps the widest layer of a batch within 256 MiB, below 64 rows if it must', () => {
    const feeds = [{ type: 'float32' as const, columns: columns(32) }];
    const outputs = [tensor('p', 'float32', ['N', 2])];
    // 1.5M floats a row: 6 MB, so 32 rows hold 192 MB and 64 would hold 384.
    assert.equal(autoBatchRows({ bytes: 200 << 20, widestLayer: 1_500_000 }, feeds, outputs), 32);
    assert.equal(autoBatchRows({ bytes: 100_000, widestLayer: 16_384 }, feeds, outputs), 4096);
    assert.equal(autoBatchRows({ bytes: 100_000, widestLayer: 16_385 }, feeds, outputs), 2048);
    assert.equal(autoBatchRows({ bytes: 100_000, widestLayer: 100_000_000 }, feeds, outputs), 1);
  });

  it('gives models with large weights smaller batches', () => {
    const feeds = [{ type: 'float32' as const, columns: columns(32) }];
    const outputs = [tensor('p', 'float32', ['N', 2])];
    assert.equal(autoBatchRows({ bytes: 20 << 20, widestLayer: 128 }, feeds, outputs), 256);
    assert.equal(autoBatchRows({ bytes: 300 << 20, widestLayer: 128 }, feeds, outputs), 32);
  });

  it('on a GPU, fills 16 MiB batches up to 65536 rows, whatever the weights, within 1 GiB of activations', () => {
    const feeds = [{ type: 'float32' as const, columns: columns(32) }];
    const outputs = [tensor('p', 'float32', ['N', 2])];
    // The bench's large MLP: 67 MB of weights, 4096 wide. On the CPU 256 rows; on a GPU 65536 (1 GiB of activations).
    assert.equal(autoBatchRows({ bytes: 67 << 20, widestLayer: 4096 }, feeds, outputs, 'cpu'), 256);
    assert.equal(autoBatchRows({ bytes: 67 << 20, widestLayer: 4096 }, feeds, outputs, 'gpu'), 65536);
    assert.equal(autoBatchRows({ bytes: 67 << 20, widestLayer: 8192 }, feeds, outputs, 'gpu'), 32768);
    // 3x32x32 float32 images (12 KiB a row) with 10 outputs: 16 MiB holds 1363 rows.
    assert.equal(autoBatchRows(small, [{ type: 'float32', columns: columns(3072) }], [tensor('logits', 'float32', ['N', 10])], 'gpu'), 1024);
  });
});
