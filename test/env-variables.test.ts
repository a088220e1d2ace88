// A bad value in an ONNX_BATCH_* variable is blamed on the variable, not on the flag the user never
// typed (issue 10, case 6): one row per variable of the flag table, each refused with exit 2, the
// variable named first, the value quoted, and the hint to fix or unset it; a flag given on the
// command line still wins over a bad variable.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SCORE_FLAGS } from '../src/config/flags.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const MODEL = join(FIXTURES, 'iris-csv', 'model.onnx');
const FEATURES = 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)';

/** A bad value for each variable, and the flag it stands for. */
const BAD: Readonly<Record<string, string>> = {
  ONNX_BATCH_MODEL: 'missing.onnx',
  ONNX_BATCH_PIPELINE: 'missing.pipeline.yaml',
  ONNX_BATCH_WORKERS: 'bogus',
  ONNX_BATCH_MAX_RECORD_SIZE: 'bogus',
  ONNX_BATCH_DECODE_WORKERS: '0',
  ONNX_BATCH_BATCH_SIZE: 'bogus',
  ONNX_BATCH_THREADS: '-2',
  ONNX_BATCH_BATCH_TIMEOUT: 'soon',
  ONNX_BATCH_EP: 'tpu',
  ONNX_BATCH_ON_ERROR: 'ignore',
  ONNX_BATCH_MISSING: 'zero',
  ONNX_BATCH_STATE: '',
  ONNX_BATCH_SHARD_COUNT: 'many',
  ONNX_BATCH_REPORT: ' ',
  ONNX_BATCH_PROGRESS_INTERVAL: 'often',
  ONNX_BATCH_LOG_FORMAT: 'xml',
};

const variables = Object.values(SCORE_FLAGS).flatMap((spec: { readonly flags: string; readonly env?: string }) => (spec.env === undefined ? [] : [{ variable: spec.env, flag: /--[\w-]+/.exec(spec.flags)?.[0] as string }]));

describe('environment variables with bad values', () => {
  it('covers every variable of the flag table', () => {
    assert.deepEqual(variables.map(({ variable }) => variable).sort(), Object.keys(BAD).sort());
  });

  for (const { variable, flag } of variables) {
    it(`${variable}=${JSON.stringify(BAD[variable])} is refused naming ${variable}, not ${flag}`, async () => {
      const dir = await tempDir();
      await writeFile(join(dir, 'in.csv'), `${FEATURES}\n5.1,3.5,1.4,0.2\n`);
      const model = variable === 'ONNX_BATCH_MODEL' ? [] : ['-m', MODEL];
      const result = await runCli(['score', ...model, '-i', 'in.csv', '-o', 'out.csv', '--features', FEATURES], { cwd: dir, env: { [variable]: BAD[variable] as string } });
      assert.equal(result.code, 2, result.stderr);
      const [first = '', hint] = result.stderr.split('\n');
      assert.ok(first?.startsWith(`onnx-batch: error: ${variable} (environment)`), result.stderr);
      assert.ok(first.includes(`got ${JSON.stringify(BAD[variable])}`), result.stderr);
      assert.ok(!first.includes(flag), `the flag ${flag} is not blamed: ${first}`);
      assert.ok(hint?.startsWith(`  hint: fix or unset ${variable}`), result.stderr);
    });
  }

  it('a flag on the command line wins over a bad variable', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'in.csv'), `${FEATURES}\n5.1,3.5,1.4,0.2\n`);
    const result = await runCli(['score', '-m', MODEL, '-i', 'in.csv', '-o', 'out.csv', '--features', FEATURES, '--max-record-size', '1MiB', '-q'], { cwd: dir, env: { ONNX_BATCH_MAX_RECORD_SIZE: 'bogus' } });
    assert.equal(result.code, 0, result.stderr);
  });
});
