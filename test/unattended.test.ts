// End to end: unattended runs: output in parts, kill -9 and --resume, locks, signals, incremental
// state, determinism.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { endlessLoopModel } from './helpers/models.js';

const MODEL = join(FIXTURES, 'iris-csv', 'model.onnx');
const IRIS_ROWS = readFileSync(join(FIXTURES, 'iris-csv', 'input.csv'), 'utf8').trim().split('\n').slice(1);

/** A CSV of `rows` iris rows with an id column, deterministic. */
async function bigCsv(dir: string, rows: number): Promise<string> {
  const path = join(dir, 'big.csv');
  const lines = Array.from({ length: rows }, (_, i) => `${i},${IRIS_ROWS[i % IRIS_ROWS.length]}`);
  await writeFile(path, `id,a,b,c,d\n${lines.join('\n')}\n`);
  return path;
}

const SCORE = ['score', '-m', MODEL, '--features', 'a,b,c,d', '-q'];

/** Files of a directory (not hidden) and their bytes. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith('.') && name !== '_report.json').sort();
  return new Map(await Promise.all(names.map(async (name) => [name, await readFile(join(dir, name), 'utf8')] as const)));
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await sleep(25);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('output in parts', () => {
  it('writes numbered parts, a manifest and _SUCCESS; the parts hold exactly the single-file rows', async () => {
    const dir = await tempDir();
    const input = await bigCsv(dir, 1000);
    const parts = await runCli([...SCORE, '-i', input, '-o', join(dir, 'out'), '--rows-per-part', '300', '-b', '64']);
    assert.equal(parts.code, 0, parts.stderr);
    const single = await runCli([...SCORE, '-i', input, '-o', join(dir, 'single.csv')]);
    assert.equal(single.code, 0, single.stderr);
    const files = await snapshot(join(dir, 'out'));
    assert.deepEqual([...files.keys()], ['_SUCCESS', '_manifest.json', 'part-00000.csv', 'part-00001.csv', 'part-00002.csv', 'part-00003.csv']);
    const [header, ...rows] = (await readFile(join(dir, 'single.csv'), 'utf8')).trim().split('\n');
    const fromParts = [...files].filter(([name]) => name.startsWith('part-')).flatMap(([, text]) => text.trim().split('\n').slice(1));
    assert.deepEqual(fromParts, rows);
    assert.ok([...files].filter(([name]) => name.startsWith('part-')).every(([, text]) => text.startsWith(`${header}\n`)));
    const manifest = JSON.parse(files.get('_manifest.json') ?? '') as { complete: boolean; parts: { rows: number; inputRows: number[] }[] };
    assert.equal(manifest.complete, true);
    assert.deepEqual(manifest.parts.map((part) => part.inputRows), [[0, 300], [300, 600], [600, 900], [900, 1000]]);
  });

  it('after kill -9, --resume finishes with output byte-identical to an uninterrupted run', async () => {
    const dir = await tempDir();
    const input = await bigCsv(dir, 150_000);
    const args = [...SCORE, '-i', input, '--rows-per-part', '10000', '-b', '500', '--keep', 'id'];
    const whole = await runCli([...args, '-o', join(dir, 'whole')]);
    assert.equal(whole.code, 0, whole.stderr);

    const crashed = join(dir, 'crashed');
    let child: ChildProcess | undefined;
    const killed = runCli([...args, '-o', crashed], { onSpawn: (spawned) => (child = spawned) });
    await waitFor(() => existsSync(join(crashed, 'part-00001.csv')), 'two committed parts');
    child?.kill('SIGKILL');
    const first = await killed;
    assert.equal(first.signal, 'SIGKILL');
    assert.ok(!existsSync(join(crashed, '_SUCCESS')), 'the killed run did not finish');

    const resumed = await runCli([...args, '-o', crashed, '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(await snapshot(crashed), await snapshot(join(dir, 'whole')));
    assert.deepEqual((await readdir(crashed)).filter((name) => name.endsWith('.partial') || name === '_lock'), [], 'no leftovers');
  });

  it('refuses to resume with other options, and to start over an unfinished directory', async () => {
    const dir = await tempDir();
    const input = await bigCsv(dir, 100);
    const out = join(dir, 'out');
    assert.equal((await runCli([...SCORE, '-i', input, '-o', out, '--rows-per-part', '40'])).code, 0);
    const manifestPath = join(out, '_manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { complete: boolean; parts: unknown[] };
    await writeFile(manifestPath, JSON.stringify({ ...manifest, complete: false, parts: manifest.parts.slice(0, 1) }));
    const other = await runCli([...SCORE, '-i', input, '-o', out, '--rows-per-part', '40', '--resume', '--keep', 'none']);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /Cannot resume .*an option that changes the output differs/);
    const again = await runCli([...SCORE, '-i', input, '-o', out, '--rows-per-part', '40']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /holds the parts of an unfinished run[\s\S]*--resume/);
  });
});

describe('locks', () => {
  it('a second run on the same output exits 5 and names the holder', async () => {
    const dir = await tempDir();
    // The first run holds the lock for as long as the test wants: its model never finishes.
    const model = await endlessLoopModel(join(dir, 'loop.onnx'));
    await writeFile(join(dir, 'in.csv'), 'x\n1\n');
    const out = join(dir, 'out.csv');
    let holder: ChildProcess | undefined;
    const first = runCli(['score', '-m', model, '-i', 'in.csv', '-o', out, '--batch-timeout', '600'], { cwd: dir, onSpawn: (spawned) => (holder = spawned) });
    await waitFor(() => existsSync(`${out}.lock`), 'the first run to take the lock');
    const second = await runCli(['score', '-m', model, '-i', 'in.csv', '-o', out], { cwd: dir });
    assert.equal(second.code, 5, second.stderr);
    assert.match(second.stderr, new RegExp(`in use by another onnx-batch run: pid \\d+ on ${hostname()}, started `));
    holder?.kill('SIGTERM');
    assert.equal((await first).code, 143);
    assert.ok(!existsSync(`${out}.lock`), 'the lock is released');
  });

  it('takes over a stale lock from a dead process, with a warning', async () => {
    const dir = await tempDir();
    const input = await bigCsv(dir, 10);
    const out = join(dir, 'out.csv');
    await writeFile(`${out}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: '2026-01-01T00:00:00Z' }));
    const result = await runCli(['score', '-m', MODEL, '--features', 'a,b,c,d', '-i', input, '-o', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: took over the lock .* left by pid \d+, which is no longer running/);
  });
});

describe('signals', () => {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`${signal} stops the run, commits nothing and writes an interrupted report (exit ${code})`, async () => {
      const dir = await tempDir();
      const input = await bigCsv(dir, 400_000);
      const out = join(dir, 'out.csv');
      let child: ChildProcess | undefined;
      const running = runCli([...SCORE, '-i', input, '-o', out, '-b', '500'], { onSpawn: (spawned) => (child = spawned) });
      await waitFor(() => existsSync(`${out}.lock`), 'the run to start');
      await sleep(300);
      child?.kill(signal);
      const result = await running;
      assert.equal(result.code, code, result.stderr);
      assert.match(result.stderr, new RegExp(`interrupted by ${signal}`));
      assert.deepEqual((await readdir(dir)).sort(), ['big.csv', 'out.csv.report.json'], 'no output, no temporary, no lock');
      const report = JSON.parse(await readFile(`${out}.report.json`, 'utf8')) as { status: string; rows: { read: number; scored: number } };
      assert.equal(report.status, 'interrupted');
      assert.equal(report.rows.read, report.rows.scored);
    });
  }
});

describe('a second SIGINT', () => {
  it('exits at once, even with the model stuck in a worker, leaving no temporary file and no lock', async () => {
    const dir = await tempDir();
    const model = await endlessLoopModel(join(dir, 'loop.onnx'));
    await writeFile(join(dir, 'in.csv'), 'x\n1\n');
    let child: ChildProcess | undefined;
    const running = runCli(['score', '-m', model, '-i', 'in.csv', '-o', 'out.csv'], { cwd: dir, onSpawn: (spawned) => (child = spawned) });
    await waitFor(() => existsSync(join(dir, 'out.csv.lock')), 'the run to start');
    await sleep(500);
    child?.kill('SIGINT');
    await sleep(300);
    child?.kill('SIGINT');
    const result = await running;
    // The signal's default action ends the process: a shell reports 130.
    assert.ok(result.code === 130 || result.signal === 'SIGINT', `code ${result.code}, signal ${result.signal}`);
    assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith('.partial') || name.endsWith('.lock')), []);
  });
});

describe('incremental scoring with --state', () => {
  it('scores each input once, then only new or changed ones; another model scores all again', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'landing'));
    await writeFile(join(dir, 'landing', 'a.csv'), `id,a,b,c,d\n${IRIS_ROWS.slice(0, 10).map((row, i) => `${i},${row}`).join('\n')}\n`);
    await writeFile(join(dir, 'landing', 'b.csv'), `id,a,b,c,d\n${IRIS_ROWS.slice(10, 20).map((row, i) => `${i},${row}`).join('\n')}\n`);
    const args = ['score', '-m', MODEL, '--features', 'a,b,c,d', '-i', 'landing/*.csv', '-o', 'scored', '--state', 'scored/.state.json'];
    const first = await runCli(args, { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /scored landing\/a\.csv: 10 rows -> scored\/a\.csv[\s\S]*scored landing\/b\.csv/);

    await writeFile(join(dir, 'landing', 'c.csv'), await readFile(join(dir, 'landing', 'a.csv')));
    await writeFile(join(dir, 'landing', 'b.csv'), await readFile(join(dir, 'landing', 'b.csv'))); // touched, same bytes
    const second = await runCli(args, { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /scored landing\/c\.csv/);
    assert.match(second.stderr, /skipped 2 inputs already scored .*: landing\/a\.csv, landing\/b\.csv/);

    const other = join(FIXTURES, 'zipmap', 'model.onnx');
    const newModel = await runCli(args.map((arg) => (arg === MODEL ? other : arg)), { cwd: dir });
    assert.equal(newModel.code, 0, newModel.stderr);
    assert.doesNotMatch(newModel.stderr, /skipped/);
  });
});

describe('determinism', () => {
  it('the same inputs, model and options give byte-identical outputs and the same report content', async () => {
    const dir = await tempDir();
    const input = await bigCsv(dir, 5000);
    const run = async (name: string): Promise<{ output: string; report: Record<string, unknown> }> => {
      const out = join(dir, name);
      assert.equal((await runCli([...SCORE, '-i', input, '-o', out, '-b', '700'])).code, 0);
      const report = JSON.parse(await readFile(`${out}.report.json`, 'utf8')) as Record<string, unknown>;
      for (const key of ['startedAt', 'finishedAt', 'durationMs', 'timings', 'throughput', 'outputs']) delete report[key];
      return { output: await readFile(out, 'utf8'), report };
    };
    const [a, b] = [await run('a.csv'), await run('b.csv')];
    assert.equal(a.output, b.output);
    assert.deepEqual(a.report, b.report);
  });
});
