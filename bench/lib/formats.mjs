// The W1 rows in the other input formats, converted by DuckDB (a dev dependency; not the library
// onnx-batch reads them with): Parquet (snappy, DuckDB's row groups of 122,880 rows), JSON Lines,
// and the CSV compressed with gzip and zstd. Cached beside the CSV like the other bench data.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const COPIES = {
  parquet: { suffix: '.parquet', options: 'FORMAT parquet, COMPRESSION snappy' },
  jsonl: { suffix: '.jsonl', options: 'FORMAT json' },
  'csv.gz': { suffix: '.csv.gz', options: 'FORMAT csv, COMPRESSION gzip' },
  'csv.zst': { suffix: '.csv.zst', options: 'FORMAT csv, COMPRESSION zstd' },
};

/** Writes (or reuses) one copy of the CSV at `csvPath` in `kind` (parquet, jsonl, csv.gz, csv.zst). */
export async function formatCopy(csvPath, kind) {
  const { suffix, options } = COPIES[kind];
  const path = csvPath.replace(/\.csv$/, suffix);
  const metaPath = `${path}.meta.json`;
  const source = statSync(csvPath);
  const wanted = JSON.stringify({ from: csvPath, bytes: source.size, mtimeMs: source.mtimeMs, options });
  if (existsSync(path) && existsSync(metaPath) && readFileSync(metaPath, 'utf8') === wanted) return { path, reused: true };
  const tmp = `${path}.partial${suffix}`;
  const db = await DuckDBInstance.create(':memory:');
  const sql = await db.connect();
  try {
    // The id, the features as DOUBLE (as a CSV number is read) and the text columns as text.
    await sql.run(`COPY (SELECT * FROM read_csv('${csvPath}', header = true, types = {'event_time': 'VARCHAR'})) TO '${tmp}' (${options})`);
  } finally {
    sql.closeSync();
  }
  renameSync(tmp, path);
  writeFileSync(metaPath, wanted);
  return { path, reused: false };
}
