// Reference point: csv-parse alone (records as arrays), features parsed into a Float32Array
// batch by batch; no model, no output.
// Usage: node csv-parse-floor.mjs FILE.csv F BATCH [FIRST_FEATURE_COLUMN=2]   -> one JSON line on stdout
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

const [file, featuresArg, batchArg, firstArg] = process.argv.slice(2);
const F = Number(featuresArg), B = Number(batchArg), first = Number(firstArg ?? 2);
const batch = new Float32Array(B * F);
const t0 = performance.now();
let rows = 0, n = 0, sink = 0;
const records = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parse({ from_line: 2 }));
for await (const record of records) {
  for (let i = 0; i < F; i++) batch[n * F + i] = +record[first + i];
  if (++n === B) { sink += batch[0]; n = 0; }
  rows++;
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ what: 'csv_parse_floor', rows, ms, sink }));
