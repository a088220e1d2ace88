// Checks onnx-batch's W1 output against the MLP computed in plain JS (float64, same weights):
// every row's id must match the input's, and each probability must be within the tolerance.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { mlpForward } from './reference-mlp.mjs';

function lines(path) {
  return createInterface({ input: createReadStream(path), crlfDelay: Infinity })[Symbol.asyncIterator]();
}

/** Input row -> { id, x } with the F features as the model sees them (rounded to float32). */
function inputRow(line, F) {
  const fields = line.split(',');
  const x = new Float64Array(F);
  for (let i = 0; i < F; i++) x[i] = Math.fround(Number(fields[2 + i]));
  return { id: fields[0], x };
}

/** Compares output CSV (id,probabilities_0,probabilities_1) with the reference, row by row. */
export async function verifyMlpOutput({ inputCsv, outputCsv, weights, F, tolerance = 1e-5 }) {
  const input = lines(inputCsv), output = lines(outputCsv);
  await input.next();
  const header = (await output.next()).value;
  const expectedHeader = 'id,probabilities_0,probabilities_1';
  if (header !== expectedHeader) return { ok: false, reason: `output header ${JSON.stringify(header)}, expected ${expectedHeader}` };
  let rows = 0, maxAbsDiff = 0, mismatches = 0, firstMismatch = null;
  for (;;) {
    const [a, b] = await Promise.all([input.next(), output.next()]);
    if (a.done || b.done) {
      if (a.done !== b.done) return { ok: false, reason: `row counts differ after ${rows} rows`, rows };
      break;
    }
    const { id, x } = inputRow(a.value, F);
    const [outId, ...probs] = b.value.split(',');
    const expected = mlpForward(weights, x);
    const diff = outId === id ? Math.max(...probs.map((p, k) => Math.abs(Number(p) - expected[k]))) : Infinity;
    if (!(diff <= tolerance)) {
      mismatches++;
      firstMismatch ??= { row: rows, id, outId, got: probs.map(Number), expected: Array.from(expected) };
    }
    if (Number.isFinite(diff)) maxAbsDiff = Math.max(maxAbsDiff, diff);
    rows++;
  }
  return { ok: mismatches === 0 && rows > 0, rows, tolerance, maxAbsDiff, mismatches, firstMismatch };
}
