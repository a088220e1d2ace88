// The image step against PIL (fixtures/images/make_images.py): decoded pixels, resize and centre crop,
// colour orders, layouts, float16, and the rows it refuses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError, UsageError } from '../../errors.js';
import { fromFloat16Bits } from '../../shared/half-float.js';
import { RejectList, type Column, type ColumnChunk } from '../../shared/chunk.js';
import { compilePipeline, type Pipeline } from '../compile.js';
import { readSpec } from '../read-spec.js';

const IMAGES = fileURLToPath(new URL('../../../../fixtures/images/', import.meta.url));
interface Expected {
  readonly rows: readonly { path: string; pixels?: number[][][] }[];
  readonly resize: { path: string; shorter_side_36_crop_32_bilinear: number[][][]; exact_32x32_bilinear: number[][][] };
}
const expected = JSON.parse(readFileSync(`${IMAGES}expected.json`, 'utf8')) as Expected;
const pipelines: Pipeline[] = [];

after(async () => {
  for (const pipeline of pipelines) await pipeline.close();
});

function compile(options: Record<string, unknown>): Pipeline {
  const step = { column: 'path', output: 'pixels', resize: { height: 32, width: 32 }, ...options };
  const spec = readSpec({ version: 1, steps: [{ image: step }], inputs: { x: { columns: ['pixels'] } } }, 'spec.yaml');
  const pipeline = compilePipeline({ spec, source: { kind: 'file', path: `${IMAGES}spec.yaml`, sha256: '0'.repeat(64) } }, ['path'], { decodeWorkers: 2 });
  pipelines.push(pipeline);
  return pipeline;
}

function chunkOf(paths: (string | null)[], rejects?: RejectList): ColumnChunk {
  return {
    rowOffset: 0,
    rowCount: paths.length,
    columns: new Map<string, Column>([['path', { type: 'string', values: paths }]]),
    origin: { source: `${IMAGES}input.csv`, firstRowInSource: 0, lines: Uint32Array.from(paths, (_, i) => i + 2) },
    ...(rejects === undefined ? {} : { rejects }),
  };
}

function tensorOf(chunk: ColumnChunk): { values: Float32Array | Uint16Array; shape: readonly number[]; dtype: string } {
  const column = chunk.columns.get('pixels');
  assert.ok(column?.type === 'tensor');
  return column as { values: Float32Array | Uint16Array; shape: readonly number[]; dtype: string };
}

/** PIL's pixels (HWC) as NCHW floats x/255. */
function nchw(pixels: number[][][]): number[] {
  const [h, w] = [pixels.length, pixels[0]?.length ?? 0];
  return [0, 1, 2].flatMap((c) => Array.from({ length: h * w }, (_, p) => (pixels[Math.floor(p / w)]?.[p % w]?.[c] ?? Number.NaN) / 255));
}

function maxDifference(actual: ArrayLike<number>, wanted: readonly number[]): number {
  assert.equal(actual.length, wanted.length);
  let max = 0;
  for (let i = 0; i < wanted.length; i++) max = Math.max(max, Math.abs((actual[i] as number) - (wanted[i] as number)));
  return max;
}

describe('image step', () => {
  const withPixels = expected.rows.filter((row) => row.pixels !== undefined);

  it('decodes JPEG, PNG, WebP and grayscale JPEG to exactly the pixels PIL gives (ICC off), 2 rows per worker', async () => {
    assert.deepEqual(withPixels.map((row) => row.path.split('.').pop()), ['jpg', 'jpg', 'png', 'webp', 'jpg']);
    const out = await compile({}).transformAsync(chunkOf(withPixels.map((row) => row.path)));
    const { values, shape } = tensorOf(out);
    assert.deepEqual(shape, [3, 32, 32]);
    withPixels.forEach((row, i) => {
      assert.equal(maxDifference(values.subarray(i * 3072, (i + 1) * 3072), nchw(row.pixels as number[][][]).map(Math.fround)), 0, row.path);
    });
  });

  it('scales, normalises per channel, swaps to BGR and lays out NHWC as declared', async () => {
    const row = withPixels[0] as { path: string; pixels: number[][][] };
    const out = await compile({ color: 'bgr', layout: 'nhwc', scale: 1, mean: [10, 20, 30], std: [2, 4, 8] }).transformAsync(chunkOf([row.path]));
    const { values, shape } = tensorOf(out);
    assert.deepEqual(shape, [32, 32, 3]);
    const wanted = row.pixels.flatMap((line) => line.flatMap(([r, g, b]) => [((b as number) - 10) / 2, ((g as number) - 20) / 4, ((r as number) - 30) / 8]));
    assert.ok(maxDifference(values, wanted) < 1e-5);
  });

  it("converts to grayscale with PIL's convert('L') weights, and writes float16 bits", async () => {
    const row = withPixels[0] as { path: string; pixels: number[][][] };
    const out = await compile({ color: 'grayscale', dtype: 'float16', mean: [0.5], std: [0.5] }).transformAsync(chunkOf([row.path]));
    const { values, shape, dtype } = tensorOf(out);
    assert.deepEqual([shape, dtype], [[1, 32, 32], 'float16']);
    const luma = row.pixels.flatMap((line) => line.map(([r, g, b]) => ((r as number) * 19595 + (g as number) * 38470 + (b as number) * 7471 + 0x8000) >> 16));
    // float16 has 11 bits of precision: within half a unit in the last place of values up to 1.
    assert.ok(maxDifference(Array.from(values, fromFloat16Bits), luma.map((l) => (l / 255 - 0.5) / 0.5)) <= 2 ** -11);
  });

  it("resizes the shorter side then centre-crops, and resizes to an exact size, to PIL's bilinear pixels exactly", async () => {
    const { path, shorter_side_36_crop_32_bilinear: cropped, exact_32x32_bilinear: exact } = expected.resize;
    // resample.ts is Pillow's algorithm; only float32 rounding of x/255 is left.
    const tolerance = 1e-7;
    const crop = await compile({ resize: { shortest_edge: 36 }, crop: { height: 32, width: 32 } }).transformAsync(chunkOf([path]));
    assert.ok(maxDifference(tensorOf(crop).values, nchw(cropped)) <= tolerance, `crop differs by ${maxDifference(tensorOf(crop).values, nchw(cropped)) * 255}/255`);
    const resized = await compile({}).transformAsync(chunkOf([path]));
    assert.ok(maxDifference(tensorOf(resized).values, nchw(exact)) <= tolerance, `resize differs by ${maxDifference(tensorOf(resized).values, nchw(exact)) * 255}/255`);
  });

  it('makes a missing, truncated, non-image, empty or escaping path a bad row naming the path and the reason', async () => {
    const rejects = new RejectList();
    const paths = ['images/broken/missing.jpg', 'images/broken/truncated.jpg', 'images/broken/not-an-image.png', '../make_images.py', '/etc/passwd', '', null, (withPixels[0] as { path: string }).path];
    await compile({}).transformAsync(chunkOf(paths, rejects));
    const taken = rejects.take(0, paths.length);
    assert.deepEqual(taken.map((reject) => reject.row), [0, 1, 2, 3, 4, 5, 6]);
    const reasons = taken.map((reject) => reject.reason);
    assert.match(reasons[0] ?? '', /^cannot read image images\/broken\/missing\.jpg: no such file/);
    assert.match(reasons[1] ?? '', /^cannot read image images\/broken\/truncated\.jpg: .*(premature|truncated|end)/i);
    assert.match(reasons[2] ?? '', /^cannot read image images\/broken\/not-an-image\.png: .*(unsupported|not a known|bad)/i);
    assert.match(reasons[3] ?? '', /^the path leaves the image folder /);
    assert.match(reasons[4] ?? '', /^the path leaves the image folder /);
    assert.match(reasons[5] ?? '', /^a missing image path/);
    assert.equal(taken[1]?.value, 'images/broken/truncated.jpg');
    await assert.rejects(compile({}).transformAsync(chunkOf(['images/broken/missing.jpg'])), (error: unknown) => error instanceof InputError && error.exitCode === 3 && /input\.csv at line 2, column 'path' \(steps\[0\]\.image\): cannot read image images\/broken\/missing\.jpg: no such file/.test(error.message));
  });

  it('refuses a spec whose images would not all come out the same size', () => {
    assert.throws(() => readSpec({ version: 1, steps: [{ image: { column: 'path', resize: { shortest_edge: 36 } } }], inputs: { x: { columns: ['pixel_values'] } } }, 'spec.yaml'), (error: unknown) => error instanceof UsageError && /steps\[0\]\.image\.crop: required with resize\.shortest_edge/.test(error.message));
    assert.throws(() => readSpec({ version: 1, steps: [{ image: { column: 'path', mean: [0.5] } }], inputs: { x: { columns: ['pixel_values'] } } }, 'spec.yaml'), /steps\[0\]\.image: expected resize, crop or both \(so that every image comes out the same size\), got neither.*\n.*steps\[0\]\.image\.mean: expected 3 values \(one per channel\), got 1/s);
  });
});
