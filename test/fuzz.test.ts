// Fuzzing (issue 10): valid CSV and Arrow files, mutated with a seeded generator (bit flips,
// truncation, duplicated or deleted byte ranges, huge length fields, stray delimiters), are read
// by every reader. Each case must end (2 s at most) with rows or with one of the tool's own
// errors: never a hang, a crash, a TypeError or an internal error; end to end, never exit 1, a
// signal, a stack trace or a leftover output file. FUZZ_CASES and FUZZ_CLI_CASES scale it up
// (`npm run fuzz`); FUZZ_SEED replays a run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OnnxBatchError } from '../src/errors.js';
import { RejectList } from '../src/shared/chunk.js';
import { openSource, type InputFormat } from '../src/sources/index.js';
import { FIXTURES, runCli } from './helpers/cli.js';
import { Random } from './helpers/assertions.js';
import { mutate } from './helpers/mutate.js';
import { tempDir } from './helpers/temp-dir.js';

const CASES = Number(process.env['FUZZ_CASES'] ?? 2000);
const CLI_CASES = Number(process.env['FUZZ_CLI_CASES'] ?? 4);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261205);
const CASE_LIMIT_MS = 2000;

const csvLines = (path: string, count: number): Buffer => Buffer.from(`${readFileSync(path, 'utf8').split('\n').slice(0, count).join('\n')}\n`);

const SEEDS: readonly { readonly name: string; readonly format: InputFormat; readonly bytes: Buffer }[] = [
  { name: 'iris.csv', format: 'csv', bytes: csvLines(join(FIXTURES, 'iris-csv', 'input.csv'), 25) },
  { name: 'named.csv', format: 'csv', bytes: csvLines(join(FIXTURES, 'named-inputs', 'input.csv'), 25) },
  { name: 'quoted.csv', format: 'csv', bytes: Buffer.from('id,note,x\r\n1,"a, ""b""\r\nc",2.5\r\n2,,1e3\r\n3,"é",-0\r\n') },
  { name: 'valid.arrow', format: 'arrow', bytes: readFileSync(join(FIXTURES, 'hostile', 'valid.arrow')) },
  { name: 'valid.arrows', format: 'arrows', bytes: readFileSync(join(FIXTURES, 'hostile', 'valid.arrows')) },
  { name: 'lz4.arrows', format: 'arrows', bytes: readFileSync(join(FIXTURES, 'hostile', 'lz4.arrows')) },
  { name: 'zstd.arrow', format: 'arrow', bytes: readFileSync(join(FIXTURES, 'hostile', 'zstd.arrow')) },
];

/** Reads every row; resolves with the outcome, or rejects with whatever the reader threw. */
async function readAll(path: string, format: InputFormat, random: Random): Promise<string> {
  const source = await openSource(format, { path, delimiter: ',', keepRecords: true, csvParser: random.chance(0.2) ? 'reference' : 'fast', workers: 0 });
  try {
    let rows = 0;
    const skip = random.chance(0.5);
    const rejects = skip ? new RejectList() : undefined;
    const numeric = new Set(source.columnNames.filter(() => random.chance(0.7)));
    for await (const chunk of source.chunks({ chunkRows: 1 + random.int(64), rowOffset: 0, numericColumns: numeric, ...(rejects === undefined ? {} : { rejects }) })) rows += chunk.rowCount;
    return `${rows} rows${skip ? `, ${rejects?.size} rejected` : ''}`;
  } finally {
    await source.close();
  }
}

function withinLimit<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still running after ${CASE_LIMIT_MS} ms`)), CASE_LIMIT_MS)));
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

describe(`fuzzing the readers (seed ${SEED})`, () => {
  it(`${CASES} mutated CSV and Arrow inputs end with rows or the tool's own error`, async () => {
    const dir = await tempDir('onnx-batch-fuzz-');
    const random = new Random(SEED);
    const outcomes = new Map<string, number>();
    for (let n = 0; n < CASES; n++) {
      const seed = SEEDS[n % SEEDS.length] as (typeof SEEDS)[number];
      const { bytes, how } = mutate(seed.bytes, random);
      const path = join(dir, `case-${n % 8}.${seed.format}`);
      await writeFile(path, bytes);
      const what = `case ${n} (${seed.name}, ${how})`;
      try {
        await withinLimit(readAll(path, seed.format, random), what);
        outcomes.set('read', (outcomes.get('read') ?? 0) + 1);
      } catch (error) {
        if (!(error instanceof OnnxBatchError) || error.code === 'INTERNAL') {
          const kept = join(tmpdir(), `onnx-batch-fuzz-failure-${SEED}-${n}.${seed.format}`);
          await writeFile(kept, bytes);
          assert.fail(`${what}, kept as ${kept}, ended with ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        }
        outcomes.set(error.code, (outcomes.get(error.code) ?? 0) + 1);
      }
    }
    if (process.env['FUZZ_CASES'] !== undefined) console.log(`fuzz outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    assert.ok((outcomes.get('read') ?? 0) > 0 && outcomes.size > 2, `mutations should both pass and fail: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  });

  it(`${CLI_CASES} mutated inputs scored end to end: no exit 1, signal, stack trace or leftover output`, async () => {
    const dir = await tempDir('onnx-batch-fuzz-cli-');
    const random = new Random(SEED + 1);
    const iris = SEEDS.filter((seed) => seed.name === 'iris.csv');
    for (let n = 0; n < CLI_CASES; n++) {
      const seed = iris[0] as (typeof SEEDS)[number];
      const { bytes, how } = mutate(seed.bytes, random);
      await writeFile(join(dir, 'in.csv'), bytes);
      const skip = random.chance(0.5) ? ['--on-error', 'skip', '--max-errors', '100%'] : [];
      const result = await runCli(['score', '-m', join(FIXTURES, 'iris-csv', 'model.onnx'), '-i', 'in.csv', '-o', 'out.csv', ...skip], { cwd: dir });
      const what = `CLI case ${n} (${how}): exit ${result.code}\n${result.stderr}`;
      assert.ok(result.signal === null && result.code !== null && result.code !== 1, what);
      assert.doesNotMatch(result.stderr, /^\s+at .*:\d+:\d+\)?$/m, what);
      const left = readdirSync(dir).filter((name) => name.endsWith('.partial') || name.endsWith('.lock') || (result.code !== 0 && name === 'out.csv'));
      assert.deepEqual(left, [], what);
      for (const name of readdirSync(dir)) if (name !== 'in.csv') await rm(join(dir, name), { force: true });
    }
  });
});
