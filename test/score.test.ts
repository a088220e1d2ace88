// End to end: `score` features beyond the golden cases: stdin/stdout, several inputs, --keep,
// dialects (CRLF, delimiters, TSV), empty inputs, directories and wildcards, fallbacks and the report.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { assertPredictionsMatch, readArrowTable, readCsvTable } from './helpers/golden.js';
import { endlessLoopModel, failsOnOddBatchModel, logModel, sequenceOutputModel } from './helpers/models.js';

const IRIS = join(FIXTURES, 'iris-csv');
const NAMED = join(FIXTURES, 'named-inputs');
const irisExpected = readCsvTable(join(IRIS, 'expected', 'predictions.csv'));
const namedExpected = readCsvTable(join(NAMED, 'expected', 'predictions.csv'));

function repeatTable(table: ReturnType<typeof readCsvTable>, times: number): ReturnType<typeof readCsvTable> {
  return new Map([...table].map(([name, values]) => [name, Array.from({ length: times }, () => values).flat()]));
}

describe('score', () => {
  it('reads CSV from stdin and writes CSV to stdout, with logs on stderr only', async () => {
    const csv = await readFile(join(IRIS, 'input.csv'));
    const dir = await tempDir();
    const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', '-', '-o', '-', '--keep', 'none'], { stdin: csv, cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    await writeFile(join(dir, 'stdout.csv'), result.stdout);
    const table = readCsvTable(join(dir, 'stdout.csv'));
    assert.deepEqual([...table.keys()], [...irisExpected.keys()]);
    assertPredictionsMatch(table, irisExpected, 'stdout');
    assert.match(result.stderr, /scored 150 rows in .* -> stdout/);
    assert.doesNotMatch(result.stderr, /report:/, 'no default report for stdout output');
  });

  it('scores several inputs of different formats, in order, into one output', async () => {
    const out = join(await tempDir(), 'all.csv');
    const inputs = ['input.csv', 'input.arrow', 'input.arrows'].map((name) => join(IRIS, name));
    const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', ...inputs, '-o', out]);
    assert.equal(result.code, 0, result.stderr);
    assertPredictionsMatch(readCsvTable(out), repeatTable(irisExpected, 3), 'three inputs');
    const report = JSON.parse(await readFile(`${out}.report.json`, 'utf8')) as { inputs: { format: string; rows: number; bytes: number }[]; rows: { read: number } };
    assert.deepEqual(report.inputs.map((input) => [input.format, input.rows]), [['csv', 150], ['arrow', 150], ['arrows', 150]]);
    assert.ok(report.inputs.every((input) => input.bytes > 0));
    assert.equal(report.rows.read, 450);
  });

  it('keeps the listed columns, or none', async () => {
    const dir = await tempDir();
    const some = await runCli(['score', '-m', join(NAMED, 'model.onnx'), '-i', join(NAMED, 'input.csv'), '-o', join(dir, 'some.csv'), '--keep', 'customer id,notes']);
    assert.equal(some.code, 0, some.stderr);
    const table = readCsvTable(join(dir, 'some.csv'));
    assert.deepEqual([...table.keys()], ['customer id', 'notes', ...namedExpected.keys()]);
    const source = readCsvTable(join(NAMED, 'input.csv'));
    assert.deepEqual(table.get('notes'), source.get('notes'), 'text with commas, quotes and newlines survives unchanged');
    const none = await runCli(['score', '-m', join(NAMED, 'model.onnx'), '-i', join(NAMED, 'input.csv'), '-o', join(dir, 'none.csv'), '--keep', 'none']);
    assert.equal(none.code, 0, none.stderr);
    assert.deepEqual([...readCsvTable(join(dir, 'none.csv')).keys()], [...namedExpected.keys()]);
  });

  it('reads CRLF files without leaving \\r on the last (string) column', async () => {
    const dir = await tempDir();
    const crlf = (await readFile(join(NAMED, 'input.csv'), 'utf8')).replace(/\n/g, '\r\n');
    await writeFile(join(dir, 'crlf.csv'), `\uFEFF${crlf}`);
    // A variant whose string input is the last column: a stray \r would make every city unknown.
    const table = readCsvTable(join(NAMED, 'input.csv'));
    const order = ['âge', 'visits/week', 'home city'];
    const rows = (table.get('âge') ?? []).map((_, i) => order.map((name) => quote(table.get(name)?.[i] ?? '')).join(','));
    await writeFile(join(dir, 'last.csv'), `${order.join(',')}\r\n${rows.join('\r\n')}\r\n`);
    for (const name of ['crlf.csv', 'last.csv']) {
      const out = join(dir, `${name}.out.csv`);
      const result = await runCli(['score', '-m', join(NAMED, 'model.onnx'), '-i', join(dir, name), '-o', out]);
      assert.equal(result.code, 0, result.stderr);
      assertPredictionsMatch(readCsvTable(out), namedExpected, name);
    }
  });

  it('--workers 2 (parallel parsing) and --csv-parser reference give the same output as the default reader', async () => {
    const dir = await tempDir();
    const outputs: string[] = [];
    for (const extra of [[], ['--workers', '2'], ['--csv-parser', 'reference']]) {
      const out = join(dir, `out${outputs.length}.csv`);
      const result = await runCli(['score', '-m', join(NAMED, 'model.onnx'), '-i', join(NAMED, 'input.csv'), '-o', out, ...extra]);
      assert.equal(result.code, 0, result.stderr);
      outputs.push(await readFile(out, 'utf8'));
    }
    assert.equal(outputs[1], outputs[0]);
    assert.equal(outputs[2], outputs[0]);
  });

  it('on a CSV file of 16 MiB and more, the default (--workers auto) parses in workers and writes what one thread writes', async () => {
    const dir = await tempDir();
    const body = (await readFile(join(IRIS, 'input.csv'), 'utf8')).split('\n').slice(1).filter((line) => line !== '');
    // Wide rows, so the file passes 16 MiB with few of them; the padding column is never read.
    const pad = 'p'.repeat(800);
    const rows = Array.from({ length: 21_000 }, (_, i) => `row-${i},${body[i % body.length]},"${pad}${i}"`);
    await writeFile(join(dir, 'big.csv'), `id,a,b,c,d,pad\n${rows.join('\n')}\n`);
    const outputs: string[] = [];
    for (const workers of ['auto', '0']) {
      const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', 'big.csv', '-o', `out-${workers}.csv`, '--features', 'a,b,c,d', '--keep', 'id', '--workers', workers], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      outputs.push(await readFile(join(dir, `out-${workers}.csv`), 'utf8'));
    }
    assert.equal(outputs[0]?.split('\n').length, 21_002);
    assert.equal(outputs[0], outputs[1]);
  });

  it('reads other delimiters and TSV', async () => {
    const dir = await tempDir();
    const csv = await readFile(join(IRIS, 'input.csv'), 'utf8');
    await writeFile(join(dir, 'semi.csv'), csv.replaceAll(',', ';'));
    await writeFile(join(dir, 'tabs.tsv'), csv.replaceAll(',', '\t'));
    const semi = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', join(dir, 'semi.csv'), '--delimiter', ';', '-o', join(dir, 'semi.out.csv')]);
    assert.equal(semi.code, 0, semi.stderr);
    assertPredictionsMatch(readCsvTable(join(dir, 'semi.out.csv')), irisExpected, 'semicolons');
    const tsv = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', join(dir, 'tabs.tsv'), '-o', join(dir, 'tabs.out.csv')]);
    assert.equal(tsv.code, 0, tsv.stderr);
    assertPredictionsMatch(readCsvTable(join(dir, 'tabs.out.csv')), irisExpected, 'tsv');
  });

  it('scores a header-only file into a header-only output', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'empty.csv'), 'a,b,c,d\n');
    const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', join(dir, 'empty.csv'), '-o', join(dir, 'out.csv')]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readFile(join(dir, 'out.csv'), 'utf8'), 'a,b,c,d,label,probabilities_0,probabilities_1,probabilities_2\n');
  });

  // Regressions: a session loaded to count nodes per provider left its profile folder behind when no
  // batch ran; onnxruntime-node's telemetry left mat-debug-<pid>.log and .ses in TMPDIR and wrote to
  // ~/.cache/Microsoft from every process that loaded it.
  it('leaves nothing in the temporary or cache folders, whether or not a batch ran, in a worker or a child process', async () => {
    const dir = await tempDir();
    const temporary = await tempDir();
    const cache = join(dir, 'cache');
    await writeFile(join(dir, 'empty.csv'), 'a,b,c,d\n');
    await writeFile(join(dir, 'bad.csv'), 'a,b,c,d\n1,2,x,4\n');
    const env = { TMPDIR: temporary, XDG_CACHE_HOME: cache, ORT_DISABLE_TELEMETRY: '' };
    const runs = [['empty.csv'], ['bad.csv'], [join(IRIS, 'input.csv')], [join(IRIS, 'input.csv'), '--batch-timeout', '30']];
    for (const [input, ...flags] of runs) {
      const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', input as string, '-o', 'out.csv', ...flags], { cwd: dir, env });
      assert.ok(result.code === 0 || result.code === 3, result.stderr);
    }
    assert.deepEqual(await readdir(temporary), []);
    assert.equal(existsSync(cache), false);
  });

  it('expands directories and quoted wildcards in name order', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'landing'));
    for (const name of ['b.csv', 'a.csv']) await copyFile(join(IRIS, 'input.csv'), join(dir, 'landing', name));
    await writeFile(join(dir, 'landing', 'notes.txt'), 'not data');
    for (const input of [join(dir, 'landing'), join(dir, 'landing', '*.csv')]) {
      const out = join(dir, 'out.csv');
      const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', input, '-o', out]);
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(await readFile(`${out}.report.json`, 'utf8')) as { inputs: { path: string }[] };
      assert.deepEqual(report.inputs.map((entry) => entry.path), ['a.csv', 'b.csv'].map((name) => join(dir, 'landing', name)));
    }
  });

  it('falls back from cuda to cpu with a warning when asked to, and says so in the report', async () => {
    const out = join(await tempDir(), 'out.csv');
    const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', join(IRIS, 'input.csv'), '-o', out, '--ep', 'cuda,cpu']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(await readFile(`${out}.report.json`, 'utf8')) as { executionProvider: { requested: string; used: string }; warnings: string[] };
    assert.equal(report.executionProvider.requested, 'cuda,cpu');
    if (report.executionProvider.used === 'cpu') {
      assert.match(result.stderr, /warning: execution provider 'cuda' is not available.*falling back to 'cpu'/);
      assert.equal(report.warnings.length, 1);
    }
  });

  it('writes a report with the schema-1 fields', async () => {
    const out = join(await tempDir(), 'out.arrow');
    const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', join(IRIS, 'input.csv'), '-o', out, '--quiet']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '', '--quiet prints nothing');
    const report = JSON.parse(await readFile(`${out}.report.json`, 'utf8')) as Record<string, unknown> & {
      model: { sha256: string; inputs: unknown[]; outputs: unknown[] };
      rows: { read: number; scored: number; rejected: number };
      timings: Record<string, number>;
      outputs: { path: string; format: string; rows: number; columns: string[] }[];
    };
    for (const field of ['schemaVersion', 'status', 'startedAt', 'finishedAt', 'durationMs', 'tool', 'executionProvider', 'inputs', 'throughput', 'warnings', 'error']) {
      assert.ok(field in report, `report has ${field}`);
    }
    assert.equal(report['schemaVersion'], 1);
    assert.match(report.model.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(report.rows, { read: 150, scored: 150, rejected: 0, rejected_pct: 0 });
    assert.deepEqual(Object.keys(report.timings).sort(), ['inferMs', 'loadModelMs', 'preprocessMs', 'readMs', 'writeMs']);
    assert.equal(report.outputs[0]?.format, 'arrow');
    assert.equal(report.outputs[0]?.rows, 150);
  });

  it('writes Arrow outputs of many batches with text columns completely', async () => {
    // Regression: apache-arrow's toNodeStream() stopped delivering bytes after the first batches.
    const dir = await tempDir();
    const body = (await readFile(join(IRIS, 'input.csv'), 'utf8')).split('\n').slice(1).filter((line) => line !== '');
    const rows = Array.from({ length: 20_000 }, (_, i) => `row-${i},${body[i % body.length]}`);
    await writeFile(join(dir, 'big.csv'), `id,a,b,c,d\n${rows.join('\n')}\n`);
    for (const output of ['big.arrow', 'big.arrows']) {
      const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', 'big.csv', '-o', output, '--features', 'a,b,c,d', '-b', '1000'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      const ids = readArrowTable(join(dir, output)).get('id') ?? [];
      assert.equal(ids.length, 20_000);
      assert.equal(ids[19_999], 'row-19999');
    }
  });

  it('does not leave temporary files next to the output', async () => {
    const dir = await tempDir();
    const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', join(IRIS, 'input.csv'), '-o', join(dir, 'out.csv')]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(join(dir, 'out.csv')));
    const { readdir } = await import('node:fs/promises');
    assert.deepEqual((await readdir(dir)).sort(), ['out.csv', 'out.csv.report.json']);
  });
});

describe('inspect and help', () => {
  it('inspect shows inputs, outputs, output columns and how to feed the model', async () => {
    const result = await runCli(['inspect', join(FIXTURES, 'zipmap', 'model.onnx')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /float_input\s+float32\s+\[N,4\]/);
    assert.match(result.stdout, /output_probability_setosa, output_probability_versicolor, output_probability_virginica/);
    assert.match(result.stdout, /--features with 4 column names/);
  });

  it('inspect --json is machine-readable', async () => {
    const result = await runCli(['inspect', join(NAMED, 'model.onnx'), '--json']);
    assert.equal(result.code, 0, result.stderr);
    const description = JSON.parse(result.stdout) as { inputs: { name: string; type: string }[]; opsets: Record<string, number> };
    assert.deepEqual(description.inputs.map((input) => [input.name, input.type]), [['âge', 'float32'], ['home city', 'string'], ['visits/week', 'int64']]);
    assert.equal(description.opsets['ai.onnx.ml'], 3);
  });

  it('every command has --help with examples, and --version prints the version', async () => {
    for (const command of ['score', 'inspect']) {
      const result = await runCli([command, '--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /Examples:/);
    }
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });
});

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

describe('model outputs that need care', () => {
  it('never writes a NaN prediction: its row is a bad row naming the model (issue 10)', async () => {
    const dir = await tempDir();
    const model = await logModel(join(dir, 'log.onnx'));
    await writeFile(join(dir, 'in.csv'), 'x\n1\n-1\n2\n-3\n');
    const failed = await runCli(['score', '-m', model, '-i', 'in.csv', '-o', 'out.csv'], { cwd: dir });
    assert.equal(failed.code, 3, failed.stderr);
    assert.match(failed.stderr, /error: Model .*log\.onnx: the model returned NaN in column 'y' for in\.csv line 3/);
    const skipped = await runCli(['score', '-m', model, '-i', 'in.csv', '-o', 'out.csv', '--on-error', 'skip', '--max-errors', '2'], { cwd: dir });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.deepEqual(readCsvTable(join(dir, 'out.csv')).get('y'), ['0', '0.6931472']);
    const rejects = await readFile(join(dir, 'out.csv.rejects.csv'), 'utf8');
    assert.match(rejects, /^in\.csv,3,1,y,the model returned NaN,-1$/m);
    assert.match(rejects, /^in\.csv,5,3,y,the model returned NaN,-3$/m);
  });

  it('skips a non-tensor output that is not a ZipMap, scores the rest, and says why', async () => {
    const dir = await tempDir();
    const model = await sequenceOutputModel(join(dir, 'seq.onnx'));
    await writeFile(join(dir, 'in.csv'), 'x\n1.5\n2\n');
    const result = await runCli(['score', '-m', model, '-i', 'in.csv', '-o', 'out.csv', '--keep', 'none'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: output 'parts' is a sequence, which onnxruntime-node cannot return; it is not written/);
    assert.equal(await readFile(join(dir, 'out.csv'), 'utf8'), 'y\n1.5\n2\n');
    const report = JSON.parse(await readFile(join(dir, 'out.csv.report.json'), 'utf8')) as { model: { skippedOutputs: { name: string }[] } };
    assert.deepEqual(report.model.skippedOutputs.map((skipped) => skipped.name), ['parts']);
  });
});

describe('a model that fails on a batch', () => {
  /** Scores x = 0..rows-1 in batches of 4 with a model that refuses a batch of an odd number of rows. */
  async function scoreInFours(rows: number): Promise<{ dir: string; result: Awaited<ReturnType<typeof runCli>> }> {
    const dir = await tempDir();
    const model = await failsOnOddBatchModel(join(dir, 'odd.onnx'));
    await writeFile(join(dir, 'in.csv'), `x\n${Array.from({ length: rows }, (_, i) => i).join('\n')}\n`);
    return { dir, result: await runCli(['score', '-m', model, '-i', 'in.csv', '-o', 'out.csv', '-b', '4'], { cwd: dir }) };
  }

  it('fails with exit 4 naming the rows, after the batches before it, while later ones were in flight', async () => {
    // The fourth batch has 1 row, which the model refuses; the three before it score.
    const { dir, result } = await scoreInFours(13);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /Model .*\.onnx failed on rows 12\.\.12 of in\.csv/);
    assert.equal(existsSync(join(dir, 'out.csv')), false, 'no output from a failed run');
    const report = JSON.parse(await readFile(join(dir, 'out.csv.report.json'), 'utf8')) as { status: string; rows: { read: number }; batches: number };
    assert.equal(report.status, 'failed');
    assert.deepEqual([report.rows.read, report.batches], [12, 3]);
  });

  it('scores every row when no batch is odd', async () => {
    const { dir, result } = await scoreInFours(12);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await readFile(join(dir, 'out.csv'), 'utf8'), `x,y\n${Array.from({ length: 12 }, (_, i) => `${i},${i}`).join('\n')}\n`);
  });
});

describe('a model that never finishes', () => {
  it('--batch-timeout fails the run with exit 4 and stops the model process', async () => {
    const dir = await tempDir();
    const model = await endlessLoopModel(join(dir, 'loop.onnx'));
    await writeFile(join(dir, 'in.csv'), 'x\n1\n2\n');
    const started = Date.now();
    const result = await runCli(['score', '-m', model, '-i', 'in.csv', '-o', 'out.csv', '--batch-timeout', '1'], { cwd: dir });
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /A batch ran longer than --batch-timeout \(1 s\); the model process was stopped/);
    assert.ok(Date.now() - started < 15_000);
    const report = JSON.parse(await readFile(join(dir, 'out.csv.report.json'), 'utf8')) as { status: string };
    assert.equal(report.status, 'failed');
  });

  it('with --batch-timeout (a child process), SIGTERM during inference stops the run at once (exit 143)', async () => {
    const dir = await tempDir();
    const model = await endlessLoopModel(join(dir, 'loop.onnx'));
    await writeFile(join(dir, 'in.csv'), 'x\n1\n');
    let child: import('node:child_process').ChildProcess | undefined;
    const running = runCli(['score', '-m', model, '-i', 'in.csv', '-o', 'out.csv', '--batch-timeout', '600'], { cwd: dir, onSpawn: (spawned) => (child = spawned) });
    // The lock appears once the run has started (its signal handlers are in place); on a loaded machine that can take
    // longer than the 1.5 s that the model needs to be inside the endless batch.
    const started = Date.now();
    while (Date.now() - started < 1500 || (!existsSync(join(dir, 'out.csv.lock')) && Date.now() - started < 60_000)) await new Promise((resolve) => setTimeout(resolve, 50));
    child?.kill('SIGTERM');
    const result = await running;
    assert.equal(result.code, 143, result.stderr);
    const report = JSON.parse(await readFile(join(dir, 'out.csv.report.json'), 'utf8')) as { status: string };
    assert.equal(report.status, 'interrupted');
  });
});
