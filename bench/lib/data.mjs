// Benchmark data, generated deterministically and cached in a work directory:
// CSV (id, event_time, f0..f{F-1}, region) as the reference gen_csv.mjs writes it,
// and the same rows as an Arrow IPC file.
import { createWriteStream, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import {
  Dictionary, Field, Float32, Int32, Int8, RecordBatch, Schema, Struct, Table, TimestampMillisecond, Utf8,
  makeData, tableToIPC, vectorFromArray,
} from 'apache-arrow';
import { lcg } from './rng.mjs';

const GENERATOR_VERSION = 1;
const REGIONS = ['north', 'south', 'east', 'west'];
const CHUNK_ROWS = 10_000;
const DAY_MS = 86_400_000;
const JAN_1_2024 = Date.UTC(2024, 0, 1);

export const featureNames = (F) => Array.from({ length: F }, (_, i) => `f${i}`);

/** Yields the rows chunk by chunk: { start, n, features: string[][] } (feature text with 4 decimals). */
function* rowChunks(rows, F) {
  const rnd = lcg(42);
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows - start);
    const features = new Array(n);
    for (let r = 0; r < n; r++) {
      const f = new Array(F);
      for (let i = 0; i < F; i++) f[i] = ((rnd() * 2 - 1) * (1 + (i % 5))).toFixed(4);
      features[r] = f;
    }
    yield { start, n, features };
  }
}

const dayOf = (row) => row % 28; // event_time is 2024-01-{1+day}T00:00:00Z

function csvLine(row, features) {
  const day = String(1 + dayOf(row)).padStart(2, '0');
  return `${row},2024-01-${day}T00:00:00Z,${features.join(',')},${REGIONS[row % 4]}`;
}

async function writeCsv(path, rows, F) {
  const out = createWriteStream(path);
  out.write(['id', 'event_time', ...featureNames(F), 'region'].join(',') + '\n');
  for (const { start, n, features } of rowChunks(rows, F)) {
    const lines = features.map((f, r) => csvLine(start + r, f));
    if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function arrowSchema(F) {
  return new Schema([
    new Field('id', new Int32(), false),
    new Field('event_time', new TimestampMillisecond('UTC'), false),
    ...featureNames(F).map((name) => new Field(name, new Float32(), false)),
    new Field('region', new Dictionary(new Utf8(), new Int8()), false),
  ]);
}

/** One dictionary shared by every batch (the IPC file format allows no replacement dictionaries). */
function regionColumn(type, dictionary, start, n) {
  const indices = Int8Array.from({ length: n }, (_, r) => (start + r) % 4);
  return makeData({ type, length: n, data: indices, dictionary });
}

function arrowBatch(schema, regions, { start, n, features }) {
  const F = features[0].length;
  const id = Int32Array.from({ length: n }, (_, r) => start + r);
  const times = BigInt64Array.from({ length: n }, (_, r) => BigInt(JAN_1_2024 + dayOf(start + r) * DAY_MS));
  const columns = Array.from({ length: F }, (_, i) => Float32Array.from(features, (f) => Number(f[i])));
  const [idField, timeField, ...rest] = schema.fields;
  const children = [
    makeData({ type: idField.type, length: n, data: id }),
    makeData({ type: timeField.type, length: n, data: times }),
    ...columns.map((data, i) => makeData({ type: rest[i].type, length: n, data })),
    regionColumn(rest[F].type, regions, start, n),
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
}

async function writeArrow(path, rows, F) {
  const schema = arrowSchema(F);
  const regions = vectorFromArray(REGIONS, schema.fields[F + 2].type.dictionary);
  const batches = [];
  for (const chunk of rowChunks(rows, F)) batches.push(arrowBatch(schema, regions, chunk));
  writeFileSync(path, tableToIPC(new Table(schema, batches), 'file'));
}

async function writeBytes(path, bytes) {
  writeFileSync(path, bytes);
}

/**
 * Returns path, reusing the file when its sidecar (.meta.json) records the same parameters;
 * otherwise writes it through `make(tmpPath)` and renames it, so an interrupted run is never reused.
 */
export async function cached(path, params, make) {
  const metaPath = `${path}.meta.json`;
  const wanted = JSON.stringify({ version: GENERATOR_VERSION, ...params });
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    if (JSON.stringify(meta.params) === wanted && meta.bytes === statSync(path).size) return { path, reused: true };
  }
  const tmp = `${path}.partial`;
  await make(tmp);
  renameSync(tmp, path);
  writeFileSync(metaPath, JSON.stringify({ params: JSON.parse(wanted), bytes: statSync(path).size }));
  return { path, reused: false };
}

export function csvFile(dir, name, rows, F) {
  return cached(join(dir, `${name}-${rows}x${F}.csv`), { kind: 'csv', rows, F }, (tmp) => writeCsv(tmp, rows, F));
}

export function arrowFile(dir, name, rows, F) {
  return cached(join(dir, `${name}-${rows}x${F}.arrow`), { kind: 'arrow', rows, F }, (tmp) => writeArrow(tmp, rows, F));
}

/** A small binary file (a model, weights) made by `bytesOf()`. */
export function bytesFile(dir, fileName, params, bytesOf) {
  return cached(join(dir, fileName), { kind: fileName.split('.').pop(), ...params }, (tmp) => writeBytes(tmp, bytesOf()));
}
