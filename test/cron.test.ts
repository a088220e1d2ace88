// End to end: what a cron job or a log collector sees (issue 10): quiet nights, progress lines in a
// log, JSON log lines, and a run that would overwrite its own input.
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const IRIS = join(FIXTURES, 'iris-csv');
const MODEL = join(IRIS, 'model.onnx');

describe('quiet nights', { concurrency: true }, () => {
  it('with --state, a landing folder with nothing new is exit 0 and says "nothing new to score"', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'landing'));
    const args = ['score', '-m', MODEL, '-i', 'landing/*.csv', '-o', 'scored', '--state', 'state.json'];
    const empty = await runCli(args, { cwd: dir });
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stderr, /^onnx-batch: nothing new to score$/m);

    await writeFile(join(dir, 'landing', 'day1.csv'), await readFile(join(IRIS, 'input.csv')));
    const first = await runCli(args, { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.doesNotMatch(first.stderr, /nothing new/);
    const again = await runCli(args, { cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /skipped 1 inputs[\s\S]*nothing new to score/);
  });

  it('without --state, a wildcard or directory that finds nothing is exit 3 like a missing file, or exit 0 with --allow-empty', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'landing'));
    const missingFile = await runCli(['score', '-m', MODEL, '-i', 'landing/day1.csv', '-o', 'out.csv'], { cwd: dir });
    assert.equal(missingFile.code, 3, missingFile.stderr);
    for (const input of ['landing/*.csv', 'landing']) {
      const result = await runCli(['score', '-m', MODEL, '-i', input, '-o', 'out.csv'], { cwd: dir });
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /^onnx-batch: error: (No input file matches landing\/\*\.csv|Input directory landing holds no)/m);
      assert.match(result.stderr, /--allow-empty/);
      const allowed = await runCli(['score', '-m', MODEL, '-i', input, '-o', 'out.csv', '--allow-empty'], { cwd: dir });
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.match(allowed.stderr, /nothing to score/);
    }
  });
});

describe('an output that is an input', { concurrency: true }, () => {
  it('-o naming the input, or --report or --rejects reaching it through a symlink, is refused (exit 2) and the input is untouched', async () => {
    const dir = await tempDir();
    const original = await readFile(join(IRIS, 'input.csv'));
    await writeFile(join(dir, 'data.csv'), original);
    await symlink('data.csv', join(dir, 'alias.csv'));
    for (const extra of [['-o', 'data.csv'], ['-o', './data.csv'], ['-o', 'out.csv', '--report', 'alias.csv'], ['-o', 'out.csv', '--on-error', 'skip', '--rejects', 'alias.csv']]) {
      const result = await runCli(['score', '-m', MODEL, '-i', 'data.csv', ...extra], { cwd: dir });
      assert.equal(result.code, 2, `${extra.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^onnx-batch: error: --(output|report|rejects) would overwrite a file this run reads \(--input\)/m);
      assert.deepEqual(await readFile(join(dir, 'data.csv')), original);
    }
  });
});

describe('logs without a terminal', { concurrency: true }, () => {
  it('prints a progress line every --progress-interval seconds (rows, rows/s, bytes, ETA), from the start', async () => {
    const result = await runCli(['score', '-m', MODEL, '-i', join(IRIS, 'input.csv'), '-o', '-', '--progress-interval', '0.01']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^onnx-batch: progress: \d+ rows, \d+ rows\/s, [\d.]+ of [\d.]+ MB \(\d+%\)(, ETA \d+ s)?, \d+ s elapsed$/m);
    assert.match(result.stderr, /^onnx-batch: scored 150 rows/m);
  });

  it('--log-format json writes one JSON object per line: progress, the summary', async () => {
    const result = await runCli(['score', '-m', MODEL, '-i', join(IRIS, 'input.csv'), '-o', '-', '--log-format', 'json', '--progress-interval', '0.01']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const progress = lines.find((line) => line['event'] === 'progress');
    assert.ok(progress !== undefined, result.stderr);
    for (const field of ['time', 'level', 'message', 'rows', 'rowsPerSec', 'bytesRead', 'bytesTotal', 'etaSeconds']) assert.ok(field in progress, field);
    const summary = lines.at(-1);
    assert.equal(summary?.['event'], 'summary');
    assert.equal((summary?.['rows'] as { scored: number }).scored, 150);
  });

  it('--log-format json writes a warning and the final error as JSON lines with code, exit code, hint and where', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.csv'), 'a,b,c,d\n5.1,3.5,1.4,0.2\n4.9,x,1.4,0.2\n');
    const failed = await runCli(['score', '-m', MODEL, '-i', 'bad.csv', '-o', 'out.csv', '--features', 'a,b,c,d', '--log-format', 'json'], { cwd: dir });
    assert.equal(failed.code, 3, failed.stderr);
    const lines = failed.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const { time, ...error } = lines.at(-1) ?? {};
    assert.match(String(time), /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(error, {
      level: 'error',
      event: 'error',
      code: 'BAD_VALUE',
      exitCode: 3,
      message: `Bad value in bad.csv at line 3, column 'b': expected a number, got "x"`,
      hint: 'fix the value (an empty field is a missing value: see --missing); --on-error skip sends such rows to the rejects file',
      file: 'bad.csv',
      line: 3,
      column: 'b',
    });
    // commander's own refusal, before the command runs, as a JSON line too (the setting from the environment).
    const usage = await runCli(['score', '-m', MODEL, '-i', 'bad.csv', '--bogus'], { cwd: dir, env: { ONNX_BATCH_LOG_FORMAT: 'json' } });
    assert.equal(usage.code, 2);
    assert.deepEqual(Object.keys(JSON.parse(usage.stderr) as object), ['time', 'level', 'event', 'code', 'exitCode', 'message', 'hint']);
    const warned = await runCli(['score', '-m', MODEL, '-i', join(FIXTURES, 'hostile', 'no-eos.arrows'), '-o', 'w.csv', '--features', 'a,b,c,d', '--log-format', 'json'], { cwd: dir });
    assert.equal(warned.code, 0, warned.stderr);
    const warning = warned.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line['level'] === 'warn');
    assert.equal(warning?.['event'], 'warning');
    assert.match(String(warning?.['message']), /without the end-of-stream marker/);
  });

  it('--no-progress and --quiet print no progress line; a bad interval is exit 2', async () => {
    for (const flag of ['--no-progress', '--quiet']) {
      const result = await runCli(['score', '-m', MODEL, '-i', join(IRIS, 'input.csv'), '-o', '-', '--progress-interval', '0.01', flag]);
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stderr, /progress/);
    }
    const bad = await runCli(['score', '-m', MODEL, '-i', join(IRIS, 'input.csv'), '-o', '-', '--progress-interval', '0']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--progress-interval must be a number of seconds above 0/);
  });
});
