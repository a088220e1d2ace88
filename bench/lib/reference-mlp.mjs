// The MLP computed independently of ONNX Runtime: plain JS, float64 arithmetic, same weights.

function dense(input, inDim, { values: W }, { values: b }, outDim, relu) {
  const out = new Float64Array(outDim);
  for (let j = 0; j < outDim; j++) {
    let sum = b[j];
    for (let i = 0; i < inDim; i++) sum += input[i] * W[i * outDim + j];
    out[j] = relu && sum < 0 ? 0 : sum;
  }
  return out;
}

function softmax(z) {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const total = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / total);
}

/** Class probabilities [p0, p1] for one row of F features. */
export function mlpForward(weights, x) {
  const F = x.length;
  const a1 = dense(x, F, weights.W1, weights.b1, 128, true);
  const a2 = dense(a1, 128, weights.W2, weights.b2, 64, true);
  return softmax(dense(a2, 64, weights.W3, weights.b3, 2, false));
}
