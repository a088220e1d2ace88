// --max-record-size (issue 10 case 10): a CSV whose second record opens a quote that is never
// closed, and a JSON Lines file whose second line never ends, are refused at the line where the
// record starts, on every reader path, with peak memory bounded by the limit, not by the file.
import assert from 'node:assert/strict';
import { createWriteStream, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { before, describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir, type CliOptions, type CliResult } from './helpers/cli.js';

const MODEL = join(FIXTURES, 'iris-csv', 'model.onnx');
const HEADER = 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)';
/** The files are larger than the margin below: a reader that buffers the open record goes over it. */
const FILE_BYTES = 64 << 20;
const MARGIN_BYTES = 40 << 20;

let dir = '';
let csv = '';
let rssFile = 0;
/** Peak RSS of a run on a small valid file with parse workers: what any run costs. */
let baselineBytes = 0;

/** Writes `head`, then `filler` repeated to about FILE_BYTES, to a file (gzipped when asked). */
async function writeLarge(path: string, head: string, filler: string, gzip = false): Promise<void> {
  const block = filler.repeat(Math.ceil((1 << 20) / filler.length));
  async function* content(): AsyncGenerator<string> {
    yield head;
    for (let written = 0; written < FILE_BYTES; written += block.length) yield block;
  }
  const source = Readable.from(content());
  await (gzip ? pipeline(source, createGzip({ level: 1 }), createWriteStream(path)) : pipeline(source, createWriteStream(path)));
}

/** Runs the CLI with a preload that writes the process's peak RSS (bytes, worker threads included) to a file. */
async function runMeasured(args: readonly string[], options: CliOptions = {}): Promise<CliResult & { peakBytes: number }> {
  const out = join(dir, `rss-${rssFile++}.txt`);
  const result = await runCli(args, { ...options, env: { NODE_OPTIONS: `--require ${join(dir, 'peak-rss.cjs')}`, PEAK_RSS_FILE: out } });
  return { ...result, peakBytes: Number(readFileSync(out, 'utf8')) };
}

before(async () => {
  dir = await tempDir('onnx-batch-record-size-');
  await writeFile(join(dir, 'peak-rss.cjs'), "process.on('exit', () => require('node:fs').writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS * 1024)));\n");
  csv = join(dir, 'open-quote.csv');
  // Line 3 opens a quote; no quote follows, so the rest of the file would be one field.
  await writeLarge(csv, `${HEADER}\n5.1,3.5,1.4,0.2\n"4.9,3.0,1.4,0.2\n`, '4.9,3.0,1.4,0.2\n');
  const baseline = await runMeasured(['score', '-m', MODEL, '-i', join(FIXTURES, 'iris-csv', 'input.csv'), '-o', join(dir, 'baseline.csv'), '--workers', '2', '-q']);
  assert.equal(baseline.code, 0, baseline.stderr);
  baselineBytes = baseline.peakBytes;
});

describe('--max-record-size', () => {
  it('refuses an open quote at the line its record starts, on every CSV reader, holding about the limit in memory', async () => {
    const gz = join(dir, 'open-quote.csv.gz');
    await writeLarge(gz, `${HEADER}\n5.1,3.5,1.4,0.2\n"4.9,3.0,1.4,0.2\n`, '4.9,3.0,1.4,0.2\n', true);
    const paths: readonly { readonly name: string; readonly input: string; readonly flags: readonly string[]; readonly stdin?: Buffer }[] = [
      { name: 'byte scanner', input: csv, flags: ['--workers', '0'] },
      { name: 'parse workers', input: csv, flags: ['--workers', '2'] },
      { name: 'csv-parse', input: csv, flags: ['--csv-parser', 'reference'] },
      { name: 'gzip', input: gz, flags: [] },
      { name: 'stdin', input: '-', flags: [], stdin: readFileSync(csv) },
    ];
    // Side by side: each process's peak is its own, and the runs' start-up overlaps.
    const results = await Promise.all(
      paths.map((path, index) => {
        const args = ['score', '-m', MODEL, '-i', path.input, '-o', join(dir, `out-${index}.csv`), '--max-record-size', '1MiB', ...path.flags];
        return runMeasured(args, path.stdin === undefined ? {} : { stdin: path.stdin });
      }),
    );
    for (const [index, path] of paths.entries()) {
      const result = results[index] as CliResult & { peakBytes: number };
      assert.equal(result.code, 3, `${path.name}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`Malformed CSV in ${path.input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at line 3: the record starting there is longer than --max-record-size \\(1 MiB\\)`), path.name);
      assert.match(result.stderr, /hint: a quote that is never closed/, path.name);
      assert.doesNotMatch(result.stderr, /\n\s+at /, `${path.name}: no stack trace`);
      const extra = result.peakBytes - baselineBytes;
      assert.ok(extra < MARGIN_BYTES, `${path.name}: peak RSS ${result.peakBytes} is ${extra} bytes over a small run's`);
    }
  });

  it('refuses a JSON line that never ends at the line it starts, holding about the limit in memory', async () => {
    const jsonl = join(dir, 'open-line.jsonl');
    await writeLarge(jsonl, `{"${HEADER.split(',').join('": 1, "')}": 1}\n{"sepal length (cm)": "`, 'x');
    const result = await runMeasured(['score', '-m', MODEL, '-i', jsonl, '-o', join(dir, 'out.csv'), '--max-record-size', '1MiB']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /Malformed JSON Lines at .*open-line\.jsonl:2: the line is longer than --max-record-size \(1 MiB\)/);
    assert.ok(result.peakBytes - baselineBytes < MARGIN_BYTES, `peak RSS ${result.peakBytes} against ${baselineBytes} for a small file`);
  });

});
