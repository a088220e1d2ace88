// The models of the GPU workloads (`--ep cuda`), built in JS like models.mjs: large enough for a GPU
// to matter, with weights drawn from a seed at bench time (the wide MLP's are 70 MB: never in git).
//   G1: MLP F -> H -> H -> 2 (ReLU, softmax), H = 4096 by default; input "x" float32 [N,F].
//   G2: a small CNN over CIFAR-size images: "x" float32 [N,3072] (a 3x32x32 image per row, as a CSV or
//       Arrow row holds it), reshaped in the graph; Conv 3->32, 32->64 (with MaxPool), 64->128, global
//       average pool, Gemm 128->10, softmax -> "probabilities" [N,10].
//   copy probe: "x" [N,K] -> ReduceMax over axis 1 -> [N,1], which moves a batch to the device and
//       back with next to no compute: its time on CUDA is the host-to-device copy (and launch) part.
import onnxProto from 'onnx-proto';
import { encodeModel, randomTensor, valueInfo } from './models.mjs';
import { lcg, normal } from './rng.mjs';

const { onnx } = onnxProto;
const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;
const ints = (name, values) => ({ name, type: INTS, ints: values });

/** The wide MLP as ONNX bytes; output "probabilities" [N,2]. He-scaled weights keep activations finite. */
export function wideMlpModel(features, hidden, seed = 17) {
  const draw = normal(lcg(seed));
  const weights = {
    W1: randomTensor(draw, Math.sqrt(2 / features), features, hidden), b1: randomTensor(draw, 0.01, hidden),
    W2: randomTensor(draw, Math.sqrt(2 / hidden), hidden, hidden), b2: randomTensor(draw, 0.01, hidden),
    W3: randomTensor(draw, Math.sqrt(1 / hidden), hidden, 2), b3: randomTensor(draw, 0.01, 2),
  };
  const nodes = [
    { opType: 'Gemm', input: ['x', 'W1', 'b1'], output: ['h1'] },
    { opType: 'Relu', input: ['h1'], output: ['a1'] },
    { opType: 'Gemm', input: ['a1', 'W2', 'b2'], output: ['h2'] },
    { opType: 'Relu', input: ['h2'], output: ['a2'] },
    { opType: 'Gemm', input: ['a2', 'W3', 'b3'], output: ['z'] },
    { opType: 'Softmax', input: ['z'], output: ['probabilities'], attribute: [{ name: 'axis', type: INT, i: 1 }] },
  ];
  return encodeModel(`mlp-${hidden}`, nodes, [valueInfo('x', ['N', features])], [valueInfo('probabilities', ['N', 2])], weights);
}

/** Pixels per CIFAR-size image row (3 x 32 x 32). */
export const CNN_FEATURES = 3 * 32 * 32;

/** The CNN as ONNX bytes; output "probabilities" [N,10]. */
export function cnnModel(seed = 19) {
  const draw = normal(lcg(seed));
  const conv = (out, inp) => randomTensor(draw, Math.sqrt(2 / (inp * 9)), out * inp * 9);
  const shaped = (tensor, dims) => ({ values: tensor.values, dims });
  const weights = {
    C1: shaped(conv(32, 3), [32, 3, 3, 3]), c1: randomTensor(draw, 0.01, 32),
    C2: shaped(conv(64, 32), [64, 32, 3, 3]), c2: randomTensor(draw, 0.01, 64),
    C3: shaped(conv(128, 64), [128, 64, 3, 3]), c3: randomTensor(draw, 0.01, 128),
    F: randomTensor(draw, Math.sqrt(1 / 128), 128, 10), f: randomTensor(draw, 0.01, 10),
  };
  const imageShape = { name: 'image_shape', dataType: onnx.TensorProto.DataType.INT64, dims: [4], int64Data: [-1, 3, 32, 32] };
  const convNode = (input, w, b, output) => ({ opType: 'Conv', input: [input, w, b], output: [output], attribute: [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])] });
  const pool = (input, output) => ({ opType: 'MaxPool', input: [input], output: [output], attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])] });
  const nodes = [
    { opType: 'Reshape', input: ['x', 'image_shape'], output: ['image'] },
    convNode('image', 'C1', 'c1', 'h1'), { opType: 'Relu', input: ['h1'], output: ['a1'] }, pool('a1', 'p1'),
    convNode('p1', 'C2', 'c2', 'h2'), { opType: 'Relu', input: ['h2'], output: ['a2'] }, pool('a2', 'p2'),
    convNode('p2', 'C3', 'c3', 'h3'), { opType: 'Relu', input: ['h3'], output: ['a3'] },
    { opType: 'GlobalAveragePool', input: ['a3'], output: ['g'] },
    { opType: 'Flatten', input: ['g'], output: ['flat'] },
    { opType: 'Gemm', input: ['flat', 'F', 'f'], output: ['z'] },
    { opType: 'Softmax', input: ['z'], output: ['probabilities'], attribute: [{ name: 'axis', type: INT, i: 1 }] },
  ];
  const bytes = encodeModel('cnn', nodes, [valueInfo('x', ['N', CNN_FEATURES])], [valueInfo('probabilities', ['N', 10])], weights);
  return withInitializer(bytes, imageShape);
}

/** The copy probe as ONNX bytes: input "x" [N,K], output "m" [N,1]. */
export function copyProbeModel(features) {
  const nodes = [{ opType: 'ReduceMax', input: ['x'], output: ['m'], attribute: [ints('axes', [1]), { name: 'keepdims', type: INT, i: 1 }] }];
  return encodeModel('copy-probe', nodes, [valueInfo('x', ['N', features])], [valueInfo('m', ['N', 1])], {});
}

/** Adds a non-float initializer (encodeModel takes float32 tensors only). */
function withInitializer(bytes, tensor) {
  const model = onnx.ModelProto.decode(bytes);
  model.graph.initializer.push(onnx.TensorProto.create(tensor));
  return onnx.ModelProto.encode(model).finish();
}
