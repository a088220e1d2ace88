// Hostile Arrow IPC inputs (fixtures/hostile/, written by fixtures/make-hostile.mjs): each file either
// scores the right rows (the same predictions as the same rows read from CSV) or is refused with exit
// 3 and one clear message naming the file, without a stack trace, and never hangs: every run is
// killed after a few seconds, which fails the test instead of blocking the suite.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir, type CliResult } from './helpers/cli.js';

const HOSTILE = join(FIXTURES, 'hostile');
const MODEL = join(FIXTURES, 'iris-csv', 'model.onnx');
const ROWS = 64;
const LIMIT_MS = 15_000;

/** Runs the CLI, killing it (and failing) when it does not finish within LIMIT_MS. */
async function runLimited(args: readonly string[], stdin?: Buffer): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  let killed = false;
  const onSpawn = (child: ChildProcess): void => {
    timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, LIMIT_MS);
  };
  const result = await runCli(args, { onSpawn, ...(stdin === undefined ? {} : { stdin }) });
  clearTimeout(timer);
  assert.ok(!killed, `onnx-batch ${args.join(' ')} did not finish within ${LIMIT_MS} ms (a hang)`);
  return result;
}

function score(input: string, output: string, format?: string): string[] {
  return ['score', '-m', MODEL, '-i', input, '-o', output, '--features', 'a,b,c,d', ...(format === undefined ? [] : ['--input-format', format])];
}

interface Scored {
  readonly file: string;
  readonly stdin?: boolean;
  /** A warning the run prints. */
  readonly warning?: RegExp;
}
interface Refused {
  readonly file: string;
  readonly stdin?: boolean;
  readonly stderr: readonly RegExp[];
}

const scored: readonly Scored[] = [
  { file: 'valid.arrow' },
  { file: 'valid.arrows' },
  { file: 'valid.arrows', stdin: true },
  { file: 'lz4.arrow' },
  { file: 'lz4.arrows' },
  { file: 'zstd.arrow' },
  { file: 'zstd.arrows' },
  { file: 'zstd.arrows', stdin: true },
  // Issue 10 case 7: a stream cut at a message boundary is read as Arrow C++ and pyarrow read it, with a warning.
  { file: 'no-eos.arrows', warning: /warning: \S*no-eos\.arrows: the stream ends after 2 record batches without the end-of-stream marker: read as complete/ },
  { file: 'no-eos.arrows', stdin: true, warning: /warning: -: the stream ends after 2 record batches without the end-of-stream marker/ },
];

const refused: readonly Refused[] = [
  { file: 'empty.arrow', stderr: [/Arrow input .*empty\.arrow is empty \(0 bytes\)/] },
  { file: 'truncated.arrow', stderr: [/truncated\.arrow: the file is truncated/] },
  { file: 'truncated.arrows', stderr: [/truncated\.arrows: the stream is truncated: the RecordBatch message at byte \d+ needs a body of \d+ bytes, only \d+ follow/] },
  { file: 'truncated.arrows', stdin: true, stderr: [/from -: the stream is truncated/] },
  { file: 'bitflip.arrow', stderr: [/bitflip\.arrow: the file footer is corrupt: record batch block 1 lies at bytes \d+\.\.\d+, outside/] },
  { file: 'none-block.arrow', stderr: [/none-block\.arrow: the footer points at a NONE message where a RecordBatch belongs/] },
  { file: 'bad-buffer.arrows', stderr: [/bad-buffer\.arrows: record batch 1 has a buffer at bytes 0\.\.1048576 of a body of \d+ bytes/] },
  { file: 'bigendian.arrow', stderr: [/bigendian\.arrow: .*big-endian Arrow data is not supported/, /pyarrow/] },
  { file: 'bigendian.arrows', stderr: [/bigendian\.arrows: .*big-endian Arrow data is not supported/, /pyarrow/] },
];

describe('hostile Arrow inputs', () => {
  let expected = '';
  before(async () => {
    const dir = await tempDir();
    const result = await runLimited(score(join(HOSTILE, 'expected.csv'), join(dir, 'out.csv')));
    assert.equal(result.code, 0, result.stderr);
    expected = readFileSync(join(dir, 'out.csv'), 'utf8');
    assert.equal(expected.trim().split('\n').length, ROWS + 1);
  });

  /** Scores one case's file (or, for stdin cases, its bytes on stdin) into a fresh directory. */
  async function scoreCase(testCase: { file: string; stdin?: boolean }, format?: 'arrow' | 'arrows'): Promise<{ out: string; result: CliResult }> {
    const out = join(await tempDir(), 'out.csv');
    const path = join(HOSTILE, testCase.file);
    const result = testCase.stdin === true ? await runLimited(score('-', out, 'arrows'), readFileSync(path)) : await runLimited(score(path, out, format));
    return { out, result };
  }

  for (const testCase of scored) {
    it(`${testCase.file}${testCase.stdin === true ? ' on stdin' : ''} scores ${ROWS} rows with the same predictions as the CSV`, async () => {
      const { out, result } = await scoreCase(testCase);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, new RegExp(`scored ${ROWS} rows`));
      if (testCase.warning !== undefined) assert.match(result.stderr, testCase.warning);
      else assert.doesNotMatch(result.stderr, /warning/);
      assert.equal(readFileSync(out, 'utf8'), expected);
    });
  }

  for (const testCase of refused) {
    it(`${testCase.file}${testCase.stdin === true ? ' on stdin' : ''} is refused with exit 3`, async () => {
      const { out, result } = await scoreCase(testCase, testCase.file.endsWith('.arrows') ? 'arrows' : 'arrow');
      assert.equal(result.code, 3, result.stderr);
      for (const pattern of testCase.stderr) assert.match(result.stderr, pattern);
      assert.match(result.stderr, /Cannot read Arrow IPC data|Arrow input/);
      assert.doesNotMatch(result.stderr, /^\s+at .*:\d+:\d+\)?$/m, 'no stack trace');
      assert.ok(!existsSync(out), 'no output under the final name');
    });
  }
});
