// Inference ceiling: ONNX Runtime alone, session.run over pre-built Float32Array tensors
// (no parsing, no writing), the same model and batch size as the onnx-batch run.
// Usage: node raw-ort.mjs MODEL ROWS F BATCH [THREADS]   -> one JSON line on stdout
import ort from 'onnxruntime-node';

const [model, rowsArg, featuresArg, batchArg, threadsArg] = process.argv.slice(2);
const rows = Number(rowsArg), F = Number(featuresArg), B = Number(batchArg);
const session = await ort.InferenceSession.create(model, threadsArg ? { intraOpNumThreads: Number(threadsArg) } : {});
const [input] = session.inputNames, [output] = session.outputNames;
const data = new Float32Array(rows * F);
for (let i = 0; i < data.length; i++) data[i] = Math.sin(i);

const t0 = performance.now();
let sink = 0;
for (let r = 0; r < rows; r += B) {
  const n = Math.min(B, rows - r);
  const result = await session.run({ [input]: new ort.Tensor('float32', data.subarray(r * F, (r + n) * F), [n, F]) });
  sink += result[output].data[0];
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ what: 'raw_ort', rows, ms, sink }));
