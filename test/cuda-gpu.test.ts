// End to end on a real GPU, run by scripts/gpu-check.sh (ONNX_BATCH_TEST_CUDA=1) on a machine with an
// NVIDIA GPU and the CUDA provider installed; skipped elsewhere, with the reason shown. The CPU's
// output of the same run is the reference: CUDA may differ in the last bits (and by TF32 matmuls).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import { fromFloat16Bits } from '../src/shared/half-float.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const skip = process.env['ONNX_BATCH_TEST_CUDA'] === '1' ? false : 'needs a GPU: set ONNX_BATCH_TEST_CUDA=1 where the CUDA provider works (scripts/gpu-check.sh)';
const FEATURES = 16;
const ROWS = 300;
/** TF32 matmuls keep 10 bits of mantissa: about 1e-3 relative on values of order 1. */
const TOLERANCE = 2e-3;

interface Report {
  executionProvider: { asked: string[]; used: string; fallbackReason: string | null; nodes: Record<string, number> | null; cuda: { deviceId: number } | null };
}

/** x [N,16] -> Gemm 16x64 -> Relu -> Gemm 64x3 -> Softmax: every node has a CUDA kernel. */
function mlpBytes(): Uint8Array {
  const { onnx } = onnxProto;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const weights = (name: string, dims: number[], seed: number): onnxProto.onnx.ITensorProto => ({
    name, dims, dataType: FLOAT, floatData: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed + i * 0.37) * 0.5),
  });
  const info = (name: string, width: number): onnxProto.onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } } });
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'cuda-test',
    node: [
      { opType: 'Gemm', input: ['x', 'W1', 'b1'], output: ['h'] },
      { opType: 'Relu', input: ['h'], output: ['a'] },
      { opType: 'Gemm', input: ['a', 'W2', 'b2'], output: ['z'] },
      { opType: 'Softmax', input: ['z'], output: ['p'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
    ],
    initializer: [weights('W1', [FEATURES, 64], 1), weights('b1', [64], 2), weights('W2', [64, 3], 3), weights('b2', [3], 4)],
    input: [info('x', FEATURES)],
    output: [info('p', 3)],
  };
  return onnx.ModelProto.encode({ irVersion: 8, producerName: 'onnx-batch tests', opsetImport: [{ domain: '', version: 15 }], graph }).finish();
}

function csvNumbers(text: string): number[][] {
  return text.trim().split('\n').slice(1).map((line) => line.split(',').map(Number));
}

function assertClose(actual: number[][], expected: number[][], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: row count`);
  for (const [r, row] of expected.entries()) {
    for (const [c, value] of row.entries()) {
      const diff = Math.abs((actual[r]?.[c] ?? NaN) - value);
      assert.ok(diff <= tolerance, `${what}: row ${r}, column ${c}: ${actual[r]?.[c]} vs ${value}`);
    }
  }
}

describe('CUDA on a real GPU', { skip }, () => {
  let dir = '';
  let model = '';
  let input = '';
  before(async () => {
    dir = await tempDir();
    model = join(dir, 'mlp.onnx');
    input = join(dir, 'input.csv');
    await writeFile(model, mlpBytes());
    const rows = Array.from({ length: ROWS }, (_, r) => Array.from({ length: FEATURES }, (_, c) => (Math.cos(r * 0.91 + c * 1.3) * 3).toFixed(4)).join(','));
    await writeFile(input, `${Array.from({ length: FEATURES }, (_, c) => `f${c}`).join(',')}\n${rows.join('\n')}\n`);
  });

  it('doctor --ep cuda: the provider works, a GPU is listed, nothing is missing (exit 0)', async () => {
    const result = await runCli(['doctor', '--ep', 'cuda', '--json']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const cuda = (JSON.parse(result.stdout) as { providers: Record<string, { ok: boolean; missing: string[]; devices: unknown[] }> }).providers['cuda'];
    assert.equal(cuda?.ok, true);
    assert.deepEqual(cuda?.missing, []);
    assert.ok((cuda?.devices.length ?? 0) > 0);
  });

  it('scores on cuda:0 with the CPU outputs within tolerance, and the report says where the nodes ran', async () => {
    const outputs: Record<string, string> = {};
    for (const ep of ['cpu', 'cuda']) {
      const out = join(dir, `${ep}.csv`);
      const result = await runCli(['score', '-m', model, '-i', input, '-o', out, '--ep', ep]);
      assert.equal(result.code, 0, result.stderr);
      outputs[ep] = await readFile(out, 'utf8');
    }
    assertClose(csvNumbers(outputs['cuda'] ?? ''), csvNumbers(outputs['cpu'] ?? ''), TOLERANCE, 'cuda vs cpu');
    const report = JSON.parse(await readFile(join(dir, 'cuda.csv.report.json'), 'utf8')) as Report;
    const ep = report.executionProvider;
    assert.deepEqual([ep.asked, ep.used, ep.fallbackReason, ep.cuda?.deviceId], [['cuda'], 'cuda:0', null, 0]);
    assert.ok((ep.nodes?.['cuda'] ?? 0) >= 3, `nodes: ${JSON.stringify(ep.nodes)}`);
  });

  it('--ep cuda:<a device that does not exist> exits 4, naming the device', async () => {
    const result = await runCli(['score', '-m', model, '-i', input, '-o', join(dir, 'none.csv'), '--ep', 'cuda:64']);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr.split('\n')[0] ?? '', /'cuda:64' is not available/);
  });

  it('a float16 model runs on the GPU: inputs rounded as numpy does, outputs within one float16 step of numpy', async () => {
    const fixture = join(FIXTURES, 'float16');
    const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as { y: number[][]; x_echo: number[][] };
    const out = join(dir, 'half.csv');
    const result = await runCli(['score', '-m', join(fixture, 'model.onnx'), '-i', join(fixture, 'input.csv'), '-o', out, '--ep', 'cuda', '--keep', 'none']);
    assert.equal(result.code, 0, result.stderr);
    // Each cell is a float32's shortest text; every float16 is exactly a float32.
    const rows = csvNumbers(await readFile(out, 'utf8')).map((row) => row.map(Math.fround));
    // y_0, y_1, then x_echo_0..3: the echo is exact; y went through a float32 matmul, which TF32 may round differently.
    assertClose(rows.map((row) => row.slice(2)), expected.x_echo.map((row) => row.map(fromFloat16Bits)), 0, 'x_echo');
    const yTolerance = (value: number): number => Math.max(2 ** -24, 2 ** (Math.floor(Math.log2(Math.abs(value) || 1)) - 10));
    for (const [r, row] of expected.y.entries()) {
      for (const [c, bits] of row.entries()) {
        const want = fromFloat16Bits(bits);
        assert.ok(Math.abs((rows[r]?.[c] ?? NaN) - want) <= yTolerance(want), `y row ${r} column ${c}: ${rows[r]?.[c]} vs ${want}`);
      }
    }
  });
});
