// I/O floor: read the file in 1 MiB chunks and count newlines (nothing is parsed).
// Usage: node read-floor.mjs FILE   -> one JSON line on stdout
import { createReadStream } from 'node:fs';

const file = process.argv[2];
const t0 = performance.now();
let lines = 0, bytes = 0;
for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
  bytes += chunk.length;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ what: 'read_floor', lines, bytes, ms }));
