// End to end: image paths in a CSV scored with the CIFAR-10 CNN through examples/images/cifar10.pipeline.yaml,
// against logits from an independent engine (PIL decoding, numpy, OpenCV dnn: fixtures/images/make_images.py).
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, runCli, tempDir } from './helpers/cli.js';
import { readCsvTable } from './helpers/golden.js';

const CASE = join(FIXTURES, 'images');
const MODEL = join(CASE, 'model.onnx');
const SPEC = join(ROOT, 'examples', 'images', 'cifar10.pipeline.yaml');
const expected = JSON.parse(await readFile(join(CASE, 'expected.json'), 'utf8')) as { classes: string[]; rows: { path: string; logits: number[]; argmax: number }[] };
describe('images', () => {
  it('scores a CSV of image paths with the example spec: 10 logits per image within 1e-4 of OpenCV dnn, argmax exact, same output with 1 and 2 decode workers', async () => {
    const out = await tempDir();
    const outputs: string[] = [];
    for (const workers of ['1', '2']) {
      const path = join(out, `out-${workers}.csv`);
      const result = await runCli(['score', '-m', MODEL, '-p', SPEC, '-i', join(CASE, 'input.csv'), '-o', path, '--keep', 'path', '--decode-workers', workers, '-b', '8']);
      assert.equal(result.code, 0, result.stderr);
      outputs.push(await readFile(path, 'utf8'));
    }
    assert.equal(outputs[0], outputs[1]);
    const table = readCsvTable(join(out, 'out-1.csv'));
    assert.deepEqual([...table.keys()], ['path', ...expected.classes.map((name) => `modelOutput_${name}`), 'predicted']);
    assert.deepEqual(table.get('path'), expected.rows.map((row) => row.path));
    let worst = 0;
    expected.rows.forEach((row, i) => {
      row.logits.forEach((logit, k) => {
        worst = Math.max(worst, Math.abs(Number(table.get(`modelOutput_${expected.classes[k]}`)?.[i]) - logit));
      });
      assert.equal(table.get('predicted')?.[i], expected.classes[row.argmax], row.path);
    });
    assert.ok(worst <= 1e-4, `largest logit difference ${worst}`);
  });

  it('makes missing, truncated, non-image and escaping paths bad rows: skipped with the path and the decoder message, or exit 3', async () => {
    const out = await tempDir();
    const skip = await runCli(['score', '-m', MODEL, '-p', SPEC, '-i', join(CASE, 'bad-rows.csv'), '-o', join(out, 'out.csv'), '--keep', 'id', '--on-error', 'skip', '--max-errors', '100%', '--rejects', join(out, 'rejects.csv')]);
    assert.equal(skip.code, 0, skip.stderr);
    assert.deepEqual(readCsvTable(join(out, 'out.csv')).get('id'), ['0', '1', '2']);
    const rejects = readCsvTable(join(out, 'rejects.csv'));
    const reasons = rejects.get('reason') ?? [];
    assert.equal(reasons.length, 5);
    assert.match(reasons[0] ?? '', /cannot read image images\/broken\/missing\.jpg: no such file/);
    assert.match(reasons[1] ?? '', /cannot read image images\/broken\/truncated\.jpg: \S/);
    assert.match(reasons[2] ?? '', /cannot read image images\/broken\/not-an-image\.png: \S/);
    assert.match(reasons[3] ?? '', /the path leaves the image folder/);
    assert.match(reasons[4] ?? '', /a missing image path/);
    const fail = await runCli(['score', '-m', MODEL, '-p', SPEC, '-i', join(CASE, 'bad-rows.csv'), '-o', join(out, 'fail.csv')]);
    assert.equal(fail.code, 3);
    assert.match(fail.stderr, /bad-rows\.csv at line 4, column 'path' \(steps\[0\]\.image\): cannot read image images\/broken\/missing\.jpg: no such file/);
    assert.doesNotMatch(fail.stderr, /\n\s+at /);
  });

  it('resolves image paths against the spec root (relative to the spec file), not the CSV folder', async () => {
    const out = await tempDir();
    await cp(join(CASE, 'images'), join(out, 'photos', 'images'), { recursive: true });
    await mkdir(join(out, 'specs'));
    await mkdir(join(out, 'data'));
    await writeFile(join(out, 'specs', 'spec.yaml'), (await readFile(SPEC, 'utf8')).replace('column: path', 'column: path\n      root: ../photos'));
    await copyFile(join(CASE, 'input.csv'), join(out, 'data', 'input.csv'));
    const result = await runCli(['score', '-m', MODEL, '-p', join(out, 'specs', 'spec.yaml'), '-i', join(out, 'data', 'input.csv'), '-o', join(out, 'out.csv'), '--keep', 'none']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readCsvTable(join(out, 'out.csv')).get('predicted'), expected.rows.map((row) => expected.classes[row.argmax]));
  });

  it('pipeline init drafts the image step from the model folder\'s preprocessor_config.json, and check accepts it', async () => {
    const out = await tempDir();
    const model = join(out, 'model.onnx');
    await copyFile(MODEL, model);
    await writeFile(join(out, 'preprocessor_config.json'), JSON.stringify({ image_processor_type: 'ViTImageProcessor', do_resize: true, size: { height: 32, width: 32 }, resample: 2, do_rescale: true, rescale_factor: 0.00392156862745098, do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] }));
    const draft = join(out, 'draft.yaml');
    const init = await runCli(['pipeline', 'init', '-m', model, '-i', join(CASE, 'input.csv'), '-o', draft]);
    assert.equal(init.code, 0, init.stderr);
    const text = await readFile(draft, 'utf8');
    assert.match(text, /#\s+id: an id \(not proposed as a feature\)/);
    assert.match(text, /#\s+path: image paths/);
    assert.match(text, /- image:\n\s+column: path\n\s+color: rgb\n\s+resize: \{ height: 32, width: 32 \}\n\s+interpolation: bilinear\n\s+scale: 0\.00392156862745098\n\s+mean: \[0\.5, 0\.5, 0\.5\]\n\s+std: \[0\.5, 0\.5, 0\.5\]\n\s+layout: nchw/);
    assert.match(text, /modelInput: \{ columns: \[pixel_values\] \}/);
    const check = await runCli(['pipeline', 'check', '-m', model, '-p', draft, '-i', join(CASE, 'input.csv')]);
    assert.equal(check.code, 0, check.stderr);
  });
});
