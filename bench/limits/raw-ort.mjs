// Inference ceiling: ONNX Runtime alone, session.run over pre-built Float32Array tensors
// (no parsing, no writing), the same model and batch size as the onnx-batch run.
// Usage: node raw-ort.mjs MODEL ROWS F BATCH [THREADS|-] [EP] [DATA.f32]   -> one JSON line on stdout
// F is the values per row, or a row's shape (3x32x32: the input is then [N,3,32,32]). EP is cpu
// (default) or cuda / cuda:N; on CUDA every call copies its batch to the device and the outputs back,
// as onnx-batch's calls do. One untimed warm-up call comes first on CUDA (cuDNN picks its convolution
// algorithms there). DATA: the rows as raw float32 (e.g. images decoded beforehand), read before the
// timed loop; without it, synthetic values.
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const [model, rowsArg, featuresArg, batchArg, threadsArg = '-', ep = 'cpu', dataPath] = process.argv.slice(2);
const shape = featuresArg.split('x').map(Number);
const rows = Number(rowsArg), F = shape.reduce((product, n) => product * n, 1), B = Number(batchArg);
const [epName, deviceId] = ep.split(':');
const options = {
  ...(threadsArg !== '-' ? { intraOpNumThreads: Number(threadsArg) } : {}),
  executionProviders: [epName === 'cuda' ? { name: 'cuda', deviceId: Number(deviceId ?? 0) } : 'cpu'],
};
const session = await ort.InferenceSession.create(model, options);
const [input] = session.inputNames, [output] = session.outputNames;
// A copy, so that the floats start on a 4-byte boundary whatever buffer the file was read into.
const data = dataPath === undefined ? new Float32Array(rows * F) : new Float32Array(new Uint8Array(readFileSync(dataPath)).buffer, 0, rows * F);
if (dataPath === undefined) for (let i = 0; i < data.length; i++) data[i] = Math.sin(i);

const batch = (r) => new ort.Tensor('float32', data.subarray(r * F, (r + Math.min(B, rows - r)) * F), [Math.min(B, rows - r), ...shape]);
if (epName === 'cuda') await session.run({ [input]: batch(0) });
const t0 = performance.now();
let sink = 0;
for (let r = 0; r < rows; r += B) {
  const result = await session.run({ [input]: batch(r) });
  sink += result[output].data[0];
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ what: 'raw_ort', ep, rows, ms, sink }));
