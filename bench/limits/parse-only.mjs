// onnx-batch's own CSV reader alone: the parse-only throughput that --workers scales. Opens the
// file with the built source (dist/), asks for the F feature columns as numbers and nothing else,
// and drains every chunk; no model, no output.
// Usage: node parse-only.mjs FILE F WORKERS [BATCH]   -> one JSON line on stdout
import { openSource } from '../../dist/src/sources/index.js';

const [file, features, workers, batch = '4096'] = process.argv.slice(2);
const names = Array.from({ length: Number(features) }, (_, i) => `f${i}`);
const t0 = performance.now();
const source = await openSource('csv', { path: file, delimiter: ',', workers: Number(workers) });
let rows = 0;
let checksum = 0;
const options = { chunkRows: Number(batch), rowOffset: 0, numericColumns: new Set(names), columns: new Set(names) };
for await (const chunk of source.chunks(options)) {
  rows += chunk.rowCount;
  // Touch one value per chunk, so the work cannot be skipped.
  checksum += chunk.columns.get('f0')?.values[0] ?? 0;
}
await source.close();
const ms = performance.now() - t0;
console.log(JSON.stringify({ what: 'parse_only', workers: Number(workers), rows, checksum, ms }));
