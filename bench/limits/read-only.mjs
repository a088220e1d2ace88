// onnx-batch's reader alone for any input format: the read throughput of each format on the same
// rows. Opens the file with the built source (dist/), asks for the F feature columns as numbers
// (the columns a model reads) and drains every chunk; no model, no output.
// `ms` counts from before opening (Parquet's WebAssembly compiles then), `openMs` the opening alone.
// Usage: node read-only.mjs FORMAT FILE F [WORKERS] [BATCH]   -> one JSON line on stdout
import { openSource } from '../../dist/src/sources/index.js';

const [format, file, features, workers = 'auto', batch = '4096'] = process.argv.slice(2);
const names = Array.from({ length: Number(features) }, (_, i) => `f${i}`);
const t0 = performance.now();
const source = await openSource(format, { path: file, delimiter: ',', workers: workers === 'auto' ? 'auto' : Number(workers) });
const openMs = performance.now() - t0;
let rows = 0;
let checksum = 0;
const options = { chunkRows: Number(batch), rowOffset: 0, numericColumns: new Set(names), columns: new Set(names) };
for await (const chunk of source.chunks(options)) {
  rows += chunk.rowCount;
  // Touch one value per chunk, so the work cannot be skipped.
  checksum += Number(chunk.columns.get('f0')?.values[0] ?? 0);
}
await source.close();
const ms = performance.now() - t0;
console.log(JSON.stringify({ what: 'read_only', format, rows, checksum, ms, openMs }));
