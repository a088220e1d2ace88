// Regression: a model with thousands of inputs columns, named on the command line with --features (a
// CIFAR-size image is 3072 columns), made the model's worker thread crash (exit 139, no message).
// ONNX Runtime reads /proc/self/cmdline when it creates a session, with a recursion as deep as the
// command line is long, and a worker thread's default stack (4 MiB) held about 20 KB of it.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import { runCli, tempDir } from './helpers/cli.js';

const WIDTH = 3072;
const NAMES = Array.from({ length: WIDTH }, (_, i) => `f${i}`);

/** x [N,3072] -> ReduceMax over the row -> m [N,1]. */
function rowMaxModel(): Uint8Array {
  const { onnx } = onnxProto;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const info = (name: string, width: number): onnxProto.onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } } });
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'row-max',
    node: [{ opType: 'ReduceMax', input: ['x'], output: ['m'], attribute: [{ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] }] }],
    input: [info('x', WIDTH)],
    output: [info('m', 1)],
  };
  return onnx.ModelProto.encode({ irVersion: 8, producerName: 'onnx-batch tests', opsetImport: [{ domain: '', version: 15 }], graph }).finish();
}

describe('a long command line', () => {
  for (const host of ['worker thread', 'child process (--batch-timeout)']) {
    it(`scores a ${WIDTH}-column model named with --features (a ${NAMES.join(',').length}-character argument) in a ${host}`, async () => {
      const dir = await tempDir();
      const names = NAMES;
      const rows = [0, 1, 2].map((r) => [r, ...names.map((_, i) => ((i * 7 + r * 13) % 1000) / 8)]);
      await writeFile(join(dir, 'model.onnx'), rowMaxModel());
      await writeFile(join(dir, 'input.csv'), `id,${names.join(',')}\n${rows.map((row) => row.join(',')).join('\n')}\n`);
      const out = join(dir, 'out.csv');
      const args = ['score', '-m', join(dir, 'model.onnx'), '-i', join(dir, 'input.csv'), '-o', out, '--keep', 'id', '--features', names.join(',')];
      const result = await runCli(host === 'worker thread' ? args : [...args, '--batch-timeout', '60']);
      assert.equal(result.code, 0, `${result.signal ?? ''} ${result.stderr}`);
      const expected = rows.map(([id, ...values]) => `${id},${Math.max(...values)}`);
      assert.deepEqual((await readFile(out, 'utf8')).trim().split('\n'), ['id,m', ...expected]);
    });
  }
});
