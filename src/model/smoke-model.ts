// Model stage: the doctor's built-in model, built here rather than shipped as a file. A Conv (cuDNN
// on CUDA), Relu, Flatten, MatMul (cuBLAS), Add and Softmax: small, but it touches each library a
// GPU provider loads, so a provider that creates a session but cannot compute is caught.
import onnxProto from 'onnx-proto';
import type { TensorData } from './session-protocol.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** Rows in the smoke test's one batch. */
export const SMOKE_ROWS = 8;
/** Its input: x [N,1,4,4]; its output: y [N,3]. */
export const SMOKE_INPUT = 'x';
export const SMOKE_OUTPUT = 'y';

/** Deterministic values in [-1, 1): no randomness, so every run compares the same numbers. */
function values(count: number, seed: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.sin(seed * 7.31 + i * 1.7) * 0.9);
}

function initializer(name: string, dims: number[], data: number[]): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, floatData: data };
}

function tensorInfo(name: string, dims: (number | string)[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) } } },
  };
}

/** The smoke-test model as ONNX bytes (opset 15). */
export function smokeModelBytes(): Uint8Array {
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'onnx-batch-doctor',
    node: [
      { opType: 'Conv', input: ['x', 'conv_w', 'conv_b'], output: ['c'], attribute: [{ name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1, 1, 1] }] },
      { opType: 'Relu', input: ['c'], output: ['r'] },
      { opType: 'Flatten', input: ['r'], output: ['f'] },
      { opType: 'MatMul', input: ['f', 'fc_w'], output: ['m'] },
      { opType: 'Add', input: ['m', 'fc_b'], output: ['a'] },
      { opType: 'Softmax', input: ['a'], output: ['y'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }] },
    ],
    initializer: [
      initializer('conv_w', [2, 1, 3, 3], values(18, 1)),
      initializer('conv_b', [2], values(2, 2)),
      initializer('fc_w', [32, 3], values(96, 3)),
      initializer('fc_b', [3], values(3, 4)),
    ],
    input: [tensorInfo(SMOKE_INPUT, ['N', 1, 4, 4])],
    output: [tensorInfo(SMOKE_OUTPUT, ['N', 3])],
  };
  return onnx.ModelProto.encode({ irVersion: 8, producerName: 'onnx-batch doctor', opsetImport: [{ domain: '', version: 15 }], graph }).finish();
}

/** The smoke test's one batch. */
export function smokeFeeds(): Record<string, TensorData> {
  return { [SMOKE_INPUT]: { type: 'float32', data: new Float32Array(values(SMOKE_ROWS * 16, 5)), dims: [SMOKE_ROWS, 1, 4, 4] } };
}
