// Pipeline, worker thread: decodes image files and turns their pixels into normalised tensors for the
// image step. The only importer of sharp (libvips); runs in the threads of a WorkerPool, so that
// decoding does not stall the main thread while the model scores the previous batch.
import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import sharp from 'sharp';
import { toFloat16Bits } from '../../shared/half-float.js';
import { serveRequests } from '../../shared/worker-pool.js';
import type { ImageOptions } from '../spec.js';
import { resample } from './resample.js';

/** The pixel options of an image step (what a worker needs of the spec). */
export type PixelOptions = Omit<ImageOptions, 'column' | 'root' | 'output'>;

export interface DecodeRequest {
  /** Absolute paths; null for a row already known to be bad (its slot stays zeros). */
  readonly paths: readonly (string | null)[];
  readonly options: PixelOptions;
  /** Values per image: channels x height x width. */
  readonly size: number;
  /** The image folder: a path that reaches outside it through a link is refused. */
  readonly root: string;
}

export interface DecodeReply {
  /** Float32 values, or float16 bits, `size` per image, in row order. */
  readonly values: Float32Array | Uint16Array;
  /** Per row: why it could not be used (the decoder's message), or null. */
  readonly errors: readonly (string | null)[];
}

// libvips' own thread pool would compete with the other decode workers and the model for the cores.
sharp.concurrency(1);
sharp.cache(false);

serveRequests<DecodeRequest, DecodeReply>(async ({ paths, options, size, root }) => {
  const values = options.dtype === 'float16' ? new Uint16Array(paths.length * size) : new Float32Array(paths.length * size);
  const realRoot = await realpath(root).catch(() => root);
  const errors: (string | null)[] = [];
  // One image at a time per worker: the number of workers is the number of images decoded at once.
  for (const [row, path] of paths.entries()) {
    if (path === null) {
      errors.push(null);
      continue;
    }
    try {
      const real = await realpath(path);
      if (!real.startsWith(realRoot + sep)) throw new RangeError(`it resolves to ${real}, outside the image folder, through a link`);
      writeTensor(await decodeRgb(real, options), options, values, row * size);
      errors.push(null);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      errors.push(code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : oneLine((error as Error).message));
    }
  }
  return { value: { values, errors }, transfer: [values.buffer] };
});

interface Pixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Decodes to 8-bit RGB as PIL's `convert('RGB')` does: ICC profiles and EXIF orientation ignored,
 * gray replicated, alpha dropped (not composited); then resized as PIL's resize (resample.ts) and
 * centre-cropped. libvips only decodes: its own resize rounds differently from PIL's.
 */
async function decodeRgb(path: string, options: PixelOptions): Promise<Pixels> {
  const { data, info } = await sharp(path, { ignoreIcc: true, failOn: 'error', autoOrient: false }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const rgb = toRgb(data, info.width, info.height, info.channels);
  const target = resizedSize(rgb, options);
  const pixels = resample({ ...rgb, channels: 3 }, target.width, target.height, options.interpolation);
  return options.crop === undefined ? pixels : centreCrop(pixels, options.crop);
}

function toRgb(data: Uint8Array, width: number, height: number, channels: number): Pixels {
  if (channels === 3) return { data, width, height };
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    // 1: gray, 2: gray + alpha, 4: RGB + alpha.
    const source = p * channels;
    const gray = channels < 3;
    rgb[p * 3] = data[source] as number;
    rgb[p * 3 + 1] = data[gray ? source : source + 1] as number;
    rgb[p * 3 + 2] = data[gray ? source : source + 2] as number;
  }
  return { data: rgb, width, height };
}

/** Exact size, or the shorter side to shortest_edge and the longer in proportion, rounded down (as Hugging Face). */
function resizedSize(pixels: Pixels, options: PixelOptions): { width: number; height: number } {
  const { resize } = options;
  if (resize === undefined) return pixels;
  if ('height' in resize) return resize;
  const edge = resize.shortest_edge;
  return pixels.width <= pixels.height
    ? { width: edge, height: Math.floor((edge * pixels.height) / pixels.width) }
    : { width: Math.floor((edge * pixels.width) / pixels.height), height: edge };
}

function centreCrop(pixels: Pixels, crop: { readonly height: number; readonly width: number }): Pixels {
  if (crop.width > pixels.width || crop.height > pixels.height) {
    throw new RangeError(`image is ${pixels.width}x${pixels.height} after resizing, smaller than the crop ${crop.width}x${crop.height}`);
  }
  const top = Math.floor((pixels.height - crop.height) / 2);
  const left = Math.floor((pixels.width - crop.width) / 2);
  const data = new Uint8Array(crop.width * crop.height * 3);
  for (let y = 0; y < crop.height; y++) {
    const from = ((top + y) * pixels.width + left) * 3;
    data.set(pixels.data.subarray(from, from + crop.width * 3), y * crop.width * 3);
  }
  return { data, width: crop.width, height: crop.height };
}

/** Scales, normalises and lays out one image's pixels at `offset`; its size must be the step's. */
function writeTensor(pixels: Pixels, options: PixelOptions, values: Float32Array | Uint16Array, offset: number): void {
  const { width, height, data } = pixels;
  const expected = options.crop ?? (options.resize !== undefined && 'height' in options.resize ? options.resize : undefined);
  if (expected !== undefined && (expected.width !== width || expected.height !== height)) {
    throw new RangeError(`image is ${width}x${height}, expected ${expected.width}x${expected.height}`);
  }
  const channels = options.color === 'grayscale' ? 1 : 3;
  const plane = width * height;
  const { scale, mean, std } = options;
  const half = values instanceof Uint16Array;
  const order = options.color === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const nchw = options.layout === 'nchw';
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) {
      const pixel = channels === 1 ? luma(data, p * 3) : (data[p * 3 + (order[c] as number)] as number);
      const value = (pixel * scale - (mean[c] as number)) / (std[c] as number);
      const index = offset + (nchw ? c * plane + p : p * channels + c);
      if (!half) {
        values[index] = value;
        continue;
      }
      const bits = toFloat16Bits(value);
      if (bits < 0) throw new RangeError(`pixel value ${value} is out of float16 range`);
      values[index] = bits;
    }
  }
}

/** PIL's convert('L'): ITU-R 601-2 luma in 16-bit fixed point. */
function luma(data: Uint8Array, at: number): number {
  return ((data[at] as number) * 19595 + (data[at + 1] as number) * 38470 + (data[at + 2] as number) * 7471 + 0x8000) >> 16;
}

/** Decoder messages can span lines; a reject reason is one. */
function oneLine(message: string): string {
  return message.split('\n').map((line) => line.trim()).filter((line) => line !== '').join('; ');
}
