// Shards end to end: n processes with --shard k/n (or a scheduler's index variable) together score
// every input row exactly once, and their parts, in shard order, are the single run's output;
// `report merge` adds their reports up to the single run's counts and refuses incomplete or mixed sets.
// Child processes are what costs here: each case runs as few as it needs, and the cases run 3 at a time.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { Random } from './helpers/assertions.js';
import { absModel } from './helpers/models.js';
import { mergeReports, MergeMismatch, type RunReport } from '../src/report/index.js';

const IRIS = join(FIXTURES, 'iris-csv');
const PARQUET = join(FIXTURES, 'parquet');
const IRIS_FEATURES = ['--features', 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)'];

interface Report {
  readonly rows: { read: number; scored: number; rejected: number };
  readonly shard?: { index: number; count: number; fingerprint: string | null; inputs: { path: string; unit: string; start: number | null; end: number | null }[] };
  readonly inputs: { path: string; rows: number }[];
}

function readReport(path: string): Report {
  return JSON.parse(readFileSync(path, 'utf8')) as Report;
}

/** CSV parts joined in file-name order (the parts sort in shard order), with one header. */
function joinedParts(dir: string, count: number): string {
  const parts = readdirSync(dir).filter((name) => /^part-\d+-of-\d+\.csv$/.test(name)).sort();
  assert.equal(parts.length, count, `${count} parts in ${dir}: ${parts.join(', ')}`);
  const texts = parts.map((name) => readFileSync(join(dir, name), 'utf8'));
  const header = (texts[0] as string).slice(0, (texts[0] as string).indexOf('\n') + 1);
  for (const text of texts) assert.ok(text.startsWith(header), 'every part has the same header');
  return header + texts.map((text) => text.slice(header.length)).join('');
}

/** The rejects of the parts, in shard order, name the lines the single run's rejects name (the real lines of the file). */
function assertSameRejects(dir: string, count: number): void {
  const rejectLines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').slice(1).filter((line) => line !== '').map((line) => line.split(',')[1] as string);
  const single = rejectLines(join(dir, 'single.csv.rejects.csv'));
  assert.ok(single.length > 0);
  assert.deepEqual(Array.from({ length: count }, (_, k) => rejectLines(join(dir, 'parts', `part-${k}-of-${count}.csv.rejects.csv`))).flat(), single);
}

/** What `report merge` says of the reports picked from `reports`, or 'merged'. */
function mergeRefusal(reports: readonly RunReport[], picked: readonly number[]): string {
  try {
    mergeReports(picked.map((i) => reports[i] as RunReport), picked.map((i) => `report ${i}`));
  } catch (error) {
    assert.ok(error instanceof MergeMismatch, String(error));
    return error.message;
  }
  return 'merged';
}

/** Runs the single job and its n shards (and `also`, alongside); returns the single output and the joined parts. */
async function runShards(args: readonly string[], count: number, also: (dir: string) => Promise<unknown>[] = () => []): Promise<{ dir: string; single: string; joined: string }> {
  const dir = await tempDir();
  const runs = [['-o', join(dir, 'single.csv')], ...Array.from({ length: count }, (_, k) => ['-o', `${join(dir, 'parts')}/`, '--shard', `${k}/${count}`])];
  const [results] = await Promise.all([Promise.all(runs.map((extra) => runCli(['score', ...args, ...extra, '-q']))), ...also(dir)]);
  for (const result of results) assert.equal(result.code, 0, result.stderr);
  return { dir, single: readFileSync(join(dir, 'single.csv'), 'utf8'), joined: joinedParts(join(dir, 'parts'), count) };
}

describe('shards', { concurrency: 3 }, () => {
  it('many files: whole files per shard, the parts in order are the single run row for row; merged reports count as the single run', async () => {
    const inputs = [join(IRIS, 'input.csv'), ...['snappy', 'zstd', 'gzip', 'brotli', 'lz4'].map((codec) => join(PARQUET, `iris-${codec}.parquet`))].flatMap((path) => ['-i', path]);
    const args = ['-m', join(IRIS, 'model.onnx'), ...inputs, ...IRIS_FEATURES, '--keep', 'sepal length (cm)'];
    // Another option (--batch-size) makes another job, whose report a merge must refuse.
    const other = (dir: string): Promise<unknown>[] => [runCli(['score', ...args, '-o', join(dir, 'other.csv'), '--shard', '1/3', '--batch-size', '7', '-q']).then((result) => assert.equal(result.code, 0, result.stderr))];
    const { dir, single, joined } = await runShards(args, 3, other);
    assert.equal(joined, single);
    const reports = [0, 1, 2].map((k) => join(dir, 'parts', `part-${k}-of-3.csv.report.json`));
    const shards = reports.map((path) => readReport(path).shard);
    assert.deepEqual(shards.map((shard) => shard?.index), [0, 1, 2]);
    assert.equal(new Set(shards.map((shard) => shard?.fingerprint)).size, 1, 'one job fingerprint');
    assert.deepEqual(shards.flatMap((shard) => shard?.inputs.map((input) => input.unit) ?? []), ['file', 'file', 'file', 'file', 'file', 'file'], 'each file whole, once');
    // Merged in this process (`report merge` on the command line, and its exit 2, in test/monitoring.test.ts).
    const parsed = [...reports, join(dir, 'other.csv.report.json')].map((path) => JSON.parse(readFileSync(path, 'utf8')) as RunReport);
    assert.match(mergeRefusal(parsed, [0, 2]), /no report of shard 1 of 3/);
    assert.match(mergeRefusal(parsed, [0, 1, 2, 1]), /shard 1 of 3 is given twice/);
    assert.match(mergeRefusal(parsed, [0, 3, 2]), /different job fingerprints/);
    assert.equal(mergeRefusal(parsed, [0, 1, 2]), 'merged');
    assert.deepEqual(mergeReports(parsed.slice(0, 3), reports).rows, readReport(join(dir, 'single.csv.report.json')).rows);
  });

  it('one Parquet file: each row group goes to one shard; a shard with none writes the header and a report of 0 rows', async () => {
    const dir = await tempDir();
    const model = await absModel(join(dir, 'abs.onnx'));
    const path = join(PARQUET, 'groups.parquet');
    const { dir: out, single, joined } = await runShards(['-m', model, '-i', path, '--features', 'id'], 4);
    assert.equal(joined, single);
    const reports = [0, 1, 2, 3].map((k) => readReport(join(out, 'parts', `part-${k}-of-4.csv.report.json`)));
    const groups = reports.flatMap((report) => report.shard?.inputs.flatMap((input) => {
      assert.equal(input.unit, 'row-groups');
      return Array.from({ length: (input.end ?? 0) - (input.start ?? 0) }, (_, i) => (input.start ?? 0) + i);
    }) ?? []);
    assert.deepEqual(groups, [0, 1, 2], 'each row group once, in order');
    const rows = reports.map((report) => report.rows.read);
    assert.equal(rows.reduce((sum, count) => sum + count, 0), 5000);
    assert.ok(rows.includes(0), `one of the 4 shards has no row group: ${rows.join(', ')}`);
  });

  it('one CSV file: byte ranges cut at record boundaries, never inside a quoted line break; merged counts with rejects equal the single run', async () => {
    const dir = await tempDir();
    const model = await absModel(join(dir, 'abs.onnx'));
    const random = new Random(14);
    const notes = ['plain', '"two\nlines"', '"three\r\nlines\nhere"', '"a ""quoted"" word, and a comma"', '""', '"\n"', ''];
    const lines = ['id,x,note'];
    // Boundaries themselves are tested byte by byte in src/sources/csv-boundaries.test.ts: a few hundred KB do here.
    for (let i = 0; i < 20000; i++) lines.push(`${i},${random.chance(0.002) ? 'oops' : (random.int(20000) - 10000) / 8},${random.pick(notes)}`);
    const input = join(dir, 'in.csv');
    writeFileSync(input, `${lines.join('\n')}\n`);
    assert.ok(statSync(input).size > 300_000);
    const args = ['-m', model, '-i', input, '--features', 'x', '--on-error', 'skip', '--max-errors', '100'];
    const { dir: out, single, joined } = await runShards(args, 3);
    assert.equal(joined, single);
    const reports = [0, 1, 2].map((k) => join(out, 'parts', `part-${k}-of-3.csv.report.json`));
    const ranges = reports.map((path) => readReport(path).shard?.inputs[0]);
    assert.deepEqual(ranges.map((range) => range?.unit), ['bytes', 'bytes', 'bytes']);
    assert.equal(ranges[0]?.end, ranges[1]?.start, 'contiguous');
    assert.equal(ranges[1]?.end, ranges[2]?.start, 'contiguous');
    for (const path of reports) assert.ok(readReport(path).rows.read > 5000, 'every shard gets rows');
    // The rejects name the real lines of the file, whichever shard read them.
    assertSameRejects(out, 3);
    const merged = mergeReports(reports.map((path) => JSON.parse(readFileSync(path, 'utf8')) as RunReport), reports);
    const singleRows = readReport(join(out, 'single.csv.report.json')).rows;
    assert.ok(singleRows.rejected > 0);
    assert.deepEqual(merged.rows, singleRows);
  });

  it('a quote the CSV reader refuses is refused before a shard cuts the file behind it', async () => {
    const dir = await tempDir();
    const model = await absModel(join(dir, 'abs.onnx'));
    const rows = Array.from({ length: 2000 }, (_, i) => `${i},${i}`);
    rows[10] = '10,1"0';
    const input = join(dir, 'in.csv');
    writeFileSync(input, `id,x\n${rows.join('\n')}\n`);
    const result = await runCli(['score', '-m', model, '-i', input, '--features', 'x', '-o', join(dir, 'out.csv'), '--shard', '1/2']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /Malformed CSV in .*in\.csv at line 12: a quote in the middle of an unquoted field/);
  });

  it('one Arrow IPC file: its record batches are split between the shards', async () => {
    const input = join(IRIS, 'input.arrow');
    const { dir, single, joined } = await runShards(['-m', join(IRIS, 'model.onnx'), '-i', input], 2);
    assert.equal(joined, single);
    const ranges = [0, 1].map((k) => readReport(join(dir, 'parts', `part-${k}-of-2.csv.report.json`)).shard?.inputs);
    const batches = ranges.map((inputs) => inputs?.flatMap((range) => {
      assert.deepEqual([range.path, range.unit], [input, 'batches']);
      return Array.from({ length: (range.end ?? 0) - (range.start ?? 0) }, (_, i) => (range.start ?? 0) + i);
    }) ?? []);
    assert.deepEqual(batches.flat(), [0, 1, 2], 'each of the 3 record batches once, in order');
    assert.ok(batches.every((share) => share.length > 0), `both shards get batches: ${JSON.stringify(batches)}`);
  });

  it('one JSON Lines file: byte ranges cut at line starts; shards from JOB_COMPLETION_INDEX and AWS_BATCH_JOB_ARRAY_INDEX, the first writing the bytes of the same --shard', async () => {
    const dir = await tempDir();
    const model = await absModel(join(dir, 'abs.onnx'));
    const random = new Random(141);
    const lines: string[] = [];
    for (let i = 0; i < 12000; i++) {
      if (random.chance(0.002)) lines.push(random.pick(['{"id": 1, "x": ', 'not json', '']));
      else lines.push(JSON.stringify({ id: i, x: random.chance(0.002) ? 'oops' : (random.int(20000) - 10000) / 8, note: random.pick(['plain', 'two\nlines', 'é', '']) }));
    }
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, `${lines.join('\r\n')}\r\n`);
    const args = ['-m', model, '-i', input, '--features', 'x', '--on-error', 'skip', '--max-errors', '100', '-q'];
    const parts = `${join(dir, 'parts')}/`;
    const results = await Promise.all([
      runCli(['score', ...args, '-o', join(dir, 'single.csv')]),
      runCli(['score', ...args, '-o', parts, '--shard', '0/3']),
      runCli(['score', ...args, '-o', parts], { env: { AWS_BATCH_JOB_ARRAY_INDEX: '1', ONNX_BATCH_SHARD_COUNT: '3' } }),
      runCli(['score', ...args, '-o', parts, '--shard-count', '3'], { env: { JOB_COMPLETION_INDEX: '2' } }),
      runCli(['score', ...args, '-o', `${join(dir, 'flag')}/`, '--shard', '2/3']),
    ]);
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    assert.equal(joinedParts(join(dir, 'parts'), 3), readFileSync(join(dir, 'single.csv'), 'utf8'));
    const reports = [0, 1, 2].map((k) => readReport(join(dir, 'parts', `part-${k}-of-3.csv.report.json`)));
    const ranges = reports.map((report) => report.shard?.inputs[0]);
    assert.deepEqual(ranges.map((range) => range?.unit), ['bytes', 'bytes', 'bytes']);
    assert.equal(ranges[0]?.end, ranges[1]?.start, 'contiguous');
    assert.equal(ranges[1]?.end, ranges[2]?.start, 'contiguous');
    for (const report of reports) assert.ok(report.rows.read > 3000, 'every shard gets rows');
    assertSameRejects(dir, 3);
    const part = 'part-2-of-3.csv';
    assert.deepEqual(readFileSync(join(dir, 'parts', part)), readFileSync(join(dir, 'flag', part)), 'JOB_COMPLETION_INDEX=2 --shard-count 3 writes the bytes of --shard 2/3');
    assert.deepEqual(readReport(join(dir, 'parts', `${part}.report.json`)).shard, readReport(join(dir, 'flag', `${part}.report.json`)).shard);
  });

  it('--state with shards: each landing file is scored by one shard with its own state file, and a later night only the new ones (issue 14)', async () => {
    const dir = await tempDir();
    const model = await absModel(join(dir, 'abs.onnx'));
    mkdirSync(join(dir, 'landing'));
    mkdirSync(join(dir, 'state'));
    const land = (day: number): void => writeFileSync(join(dir, 'landing', `day-${day}.csv`), `id,x\n${day},-${day}.5\n${day + 100},${day}\n`);
    const night = (): Promise<Awaited<ReturnType<typeof runCli>>[]> =>
      Promise.all([0, 1].map((k) => runCli(['score', '-m', model, '-i', 'landing/*.csv', '--features', 'x', '-o', 'scored/', '--state', 'state/nightly.json', '--shard-count', '2'], { cwd: dir, env: { JOB_COMPLETION_INDEX: String(k) } })));
    const scoredBy = (results: readonly Awaited<ReturnType<typeof runCli>>[]): string[][] => results.map((result) => {
      assert.equal(result.code, 0, result.stderr);
      return [...result.stderr.matchAll(/scored (landing\/day-\d+\.csv)/g)].map((match) => match[1] as string).sort();
    });
    for (const day of [0, 1, 2, 3, 4, 5]) land(day);
    const first = scoredBy(await night());
    assert.deepEqual(first.flat().sort(), [0, 1, 2, 3, 4, 5].map((day) => `landing/day-${day}.csv`), 'every file once');
    assert.ok(first.every((files) => files.length > 0), `both shards score files: ${JSON.stringify(first)}`);
    const states = [0, 1].map((k) => Object.keys((JSON.parse(readFileSync(join(dir, 'state', `nightly.shard-${k}-of-2.json`), 'utf8')) as { files: object }).files).sort());
    assert.deepEqual(states, first, 'each shard remembers what it scored');
    for (const day of [0, 1, 2, 3, 4, 5]) {
      const rows = readFileSync(join(dir, 'scored', `day-${day}.csv`), 'utf8').trim().split('\n').slice(1);
      assert.deepEqual(rows.map((row) => Number(row.split(',').at(-1))), [day + 0.5, day], `day-${day}.csv scored: |x|`);
    }
    land(6);
    land(7);
    const second = await night();
    assert.deepEqual(scoredBy(second).flat().sort(), ['landing/day-6.csv', 'landing/day-7.csv'], 'only the new files, once');
    const skipped = second.map((result) => Number(/skipped (\d+) inputs/.exec(result.stderr)?.[1] ?? 0));
    assert.equal(skipped.reduce((sum, count) => sum + count, 0), 6, 'the files of the first night are skipped by the shard that scored them');
  });

  it('refuses shard settings that cannot be right (exit 2; the other cases in src/config/*.test.ts)', async () => {
    const dir = await tempDir();
    const model = ['-m', join(IRIS, 'model.onnx')];
    const input = ['-i', join(IRIS, 'input.csv')];
    const env = { JOB_COMPLETION_INDEX: '0', ONNX_BATCH_SHARD_COUNT: '2' };
    const [report, profile] = await Promise.all([
      runCli(['score', ...model, ...input, '-o', `${dir}/`, '--report', join(dir, 'report.json')], { env }),
      runCli(['profile', ...model, ...input, '-o', join(dir, 'baseline.json')], { env }),
    ]);
    const expected: [typeof report, RegExp][] = [
      [report, /with -o DIR\/ every shard would write --report .*report\.json over the other shards' copy: leave it out/],
      [profile, /profile builds one baseline from the whole reference set: it does not run as a shard of a job/],
    ];
    for (const [result, message] of expected) {
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    }
    assert.deepEqual(readdirSync(dir), [], 'nothing written');
  });
});
