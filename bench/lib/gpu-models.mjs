// The models of the GPU workloads (`--ep cuda`), built in JS like models.mjs: large enough for a GPU
// to matter, with weights drawn from a seed at bench time (the wide MLP's are 70 MB: never in git).
//   G1: MLP F -> H -> H -> 2 (ReLU, softmax), H = 4096 by default; input "x" float32 [N,F].
//   G2: the small CNN of models.mjs over CIFAR-size images, "x" float32 [N,3072] (a 3x32x32 image per
//       row, as a CSV or Arrow row holds it), reshaped in the graph.
//   copy probe: "x" [N,K] -> ReduceMax over axis 1 -> [N,1], which moves a batch to the device and
//       back with next to no compute: its time on CUDA is the host-to-device copy (and launch) part.
import onnxProto from 'onnx-proto';
import { encodeModel, mlpModel, randomTensor, valueInfo } from './models.mjs';
import { lcg, normal } from './rng.mjs';

const { onnx } = onnxProto;
const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;
const ints = (name, values) => ({ name, type: INTS, ints: values });

/** The wide MLP (the MLP graph of models.mjs, H units wide) as ONNX bytes; output "probabilities" [N,2]. He-scaled weights keep activations finite. */
export function wideMlpModel(features, hidden, seed = 17) {
  const draw = normal(lcg(seed));
  const weights = {
    W1: randomTensor(draw, Math.sqrt(2 / features), features, hidden), b1: randomTensor(draw, 0.01, hidden),
    W2: randomTensor(draw, Math.sqrt(2 / hidden), hidden, hidden), b2: randomTensor(draw, 0.01, hidden),
    W3: randomTensor(draw, Math.sqrt(1 / hidden), hidden, 2), b3: randomTensor(draw, 0.01, 2),
  };
  return mlpModel(weights, features);
}

/** The copy probe as ONNX bytes: input "x" [N,K], output "m" [N,1]. */
export function copyProbeModel(features) {
  const nodes = [{ opType: 'ReduceMax', input: ['x'], output: ['m'], attribute: [ints('axes', [1]), { name: 'keepdims', type: INT, i: 1 }] }];
  return encodeModel('copy-probe', nodes, [valueInfo('x', ['N', features])], [valueInfo('m', ['N', 1])], {});
}
