// Pipeline: resizing 8-bit RGB pixels exactly as Pillow's Image.resize does (Resample.c): a separable
// convolution whose filter widens with the downscale factor (antialiasing), horizontal pass first,
// weights in 22-bit fixed point and each pass rounded to 8 bits; nearest picks floor((x + 0.5) * scale).
// Hugging Face image processors and torchvision's PIL path resize this way, so a model sees the
// pixels it was trained on.

export type Filter = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos';

/** 8-bit interleaved pixels. */
export interface Pixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

const PRECISION_BITS = 32 - 8 - 2;

const FILTERS: Readonly<Record<Exclude<Filter, 'nearest'>, { support: number; weight: (x: number) => number }>> = {
  bilinear: { support: 1, weight: (x) => (Math.abs(x) < 1 ? 1 - Math.abs(x) : 0) },
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, weight: (x) => (x > -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

/** Resizes to width x height with Pillow's filter of that name. */
export function resample(pixels: Pixels, width: number, height: number, filter: Filter): Pixels {
  if (width === pixels.width && height === pixels.height) return pixels;
  if (filter === 'nearest') return nearest(pixels, width, height);
  const { support, weight } = FILTERS[filter];
  const horizontal = width === pixels.width ? pixels : pass(pixels, width, coefficients(pixels.width, width, support, weight), true);
  return height === pixels.height ? horizontal : pass(horizontal, height, coefficients(pixels.height, height, support, weight), false);
}

interface Taps {
  readonly first: Int32Array;
  readonly count: Int32Array;
  /** `span` fixed-point weights per output position. */
  readonly weights: Int32Array;
  readonly span: number;
}

/** Pillow's precompute_coeffs and normalize_coeffs_8bpc. */
function coefficients(inSize: number, outSize: number, support: number, weight: (x: number) => number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const reach = support * filterScale;
  const span = Math.ceil(reach) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * span);
  const k = new Float64Array(span);
  for (let out = 0; out < outSize; out++) {
    const centre = (out + 0.5) * scale;
    // C casts truncate toward zero; the arguments here are never negative after the clamp.
    const min = Math.max(Math.trunc(centre - reach + 0.5), 0);
    const max = Math.min(Math.trunc(centre + reach + 0.5), inSize) - min;
    let total = 0;
    for (let x = 0; x < max; x++) {
      const w = weight((x + min - centre + 0.5) / filterScale);
      k[x] = w;
      total += w;
    }
    for (let x = 0; x < max; x++) {
      const w = total === 0 ? 0 : (k[x] as number) / total;
      weights[out * span + x] = w < 0 ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS)) : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    first[out] = min;
    count[out] = max;
  }
  return { first, count, weights, span };
}

function pass(pixels: Pixels, outSize: number, taps: Taps, horizontal: boolean): Pixels {
  const { data, channels } = pixels;
  const width = horizontal ? outSize : pixels.width;
  const height = horizontal ? pixels.height : outSize;
  const result = new Uint8Array(width * height * channels);
  const half = 1 << (PRECISION_BITS - 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const out = horizontal ? x : y;
      const first = taps.first[out] as number;
      const count = taps.count[out] as number;
      for (let c = 0; c < channels; c++) {
        let sum = half;
        for (let t = 0; t < count; t++) {
          const source = horizontal ? (y * pixels.width + first + t) * channels + c : ((first + t) * pixels.width + x) * channels + c;
          // Math.imul keeps the products in 32 bits, as Pillow's INT32 arithmetic does.
          sum += Math.imul(data[source] as number, taps.weights[out * taps.span + t] as number);
        }
        const value = sum >> PRECISION_BITS;
        result[(y * width + x) * channels + c] = value < 0 ? 0 : value > 255 ? 255 : value;
      }
    }
  }
  return { data: result, width, height, channels };
}

function nearest(pixels: Pixels, width: number, height: number): Pixels {
  const { data, channels } = pixels;
  const result = new Uint8Array(width * height * channels);
  const xScale = pixels.width / width;
  const yScale = pixels.height / height;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.floor((y + 0.5) * yScale), pixels.height - 1);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.floor((x + 0.5) * xScale), pixels.width - 1);
      result.set(data.subarray((sy * pixels.width + sx) * channels, (sy * pixels.width + sx + 1) * channels), (y * width + x) * channels);
    }
  }
  return { data: result, width, height, channels };
}
