// Help for spec authors: what a model folder as Hugging Face exports ship it says about preprocessing:
// preprocessor_config.json (an image processor) and tokenizer.json + tokenizer_config.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

/** An image step's options, as a Hugging Face image processor config gives them. */
export interface ImageProcessor {
  readonly path: string;
  readonly resize: { readonly height: number; readonly width: number } | { readonly shortest_edge: number } | undefined;
  readonly crop: { readonly height: number; readonly width: number } | undefined;
  readonly interpolation: 'nearest' | 'bilinear' | 'bicubic' | 'lanczos';
  readonly scale: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly color: 'rgb' | 'bgr';
}

/** A tokenizer beside the model. */
export interface TokenizerFiles {
  readonly path: string;
  /** tokenizer_config.json's model_max_length, when it is a usable number. */
  readonly maxLength: number | undefined;
}

export interface ModelFolder {
  readonly image: ImageProcessor | undefined;
  readonly tokenizer: TokenizerFiles | undefined;
}

/** PIL's resampling codes, as the configs store them. */
const RESAMPLE = { 0: 'nearest', 1: 'lanczos', 2: 'bilinear', 3: 'bicubic' } as const;

/** Reads the preprocessing configs in the model's folder (none is an empty answer, a broken one an error). */
export function readModelFolder(modelPath: string): ModelFolder {
  const folder = dirname(modelPath);
  const processorPath = join(folder, 'preprocessor_config.json');
  const tokenizerPath = join(folder, 'tokenizer.json');
  const image = existsSync(processorPath) ? imageProcessor(processorPath, readJson(processorPath)) : undefined;
  let tokenizer: TokenizerFiles | undefined;
  if (existsSync(tokenizerPath)) {
    const configPath = join(folder, 'tokenizer_config.json');
    const config = existsSync(configPath) ? readJson(configPath) : {};
    const length = config.model_max_length;
    // Configs without a limit store a huge sentinel (1e30).
    tokenizer = { path: tokenizerPath, maxLength: typeof length === 'number' && Number.isInteger(length) && length > 0 && length <= 100_000 ? length : undefined };
  }
  return { image, tokenizer };
}

function imageProcessor(path: string, config: Record<string, unknown>): ImageProcessor {
  const problem = (what: string): never => {
    throw new UsageError('CONFIG_INVALID', `${path}: ${what}`, { hint: 'fix the file, or write the image step of the spec by hand (README "Images")' });
  };
  const numbers = (key: string, fallback: readonly number[]): readonly number[] => {
    const value = config[key];
    if (value === undefined) return fallback;
    if (typeof value === 'number') return [value, value, value];
    if (Array.isArray(value) && value.length === 3 && value.every((item) => typeof item === 'number')) return value as number[];
    return problem(`${key} must be a number or a list of 3 numbers, got ${JSON.stringify(value)}`);
  };
  const sizeOf = (key: string): { height: number; width: number } | { shortest_edge: number } | undefined => {
    const value = config[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number') return { height: value, width: value };
    const record = value as Record<string, unknown>;
    if (typeof record.height === 'number' && typeof record.width === 'number') return { height: record.height, width: record.width };
    if (typeof record.shortest_edge === 'number') return { shortest_edge: record.shortest_edge };
    return problem(`${key} must be a number, {height, width} or {shortest_edge}, got ${JSON.stringify(value)}`);
  };
  const resize = config.do_resize === false ? undefined : sizeOf('size');
  let crop: ImageProcessor['crop'];
  if (config.do_center_crop === true) {
    const size = sizeOf('crop_size');
    if (size !== undefined && 'shortest_edge' in size) problem('crop_size must be a number or {height, width}');
    crop = size as ImageProcessor['crop'];
  }
  if (resize !== undefined && 'shortest_edge' in resize && crop === undefined) problem('resizes by shortest_edge without a centre crop: images would come out in different sizes');
  const resample = config.resample ?? 2;
  const interpolation = RESAMPLE[resample as keyof typeof RESAMPLE] ?? problem(`resample ${JSON.stringify(resample)} is not one of 0 (nearest), 1 (lanczos), 2 (bilinear), 3 (bicubic)`);
  const rescale = config.do_rescale === false ? 1 : typeof config.rescale_factor === 'number' ? config.rescale_factor : 1 / 255;
  const normalize = config.do_normalize !== false;
  return {
    path,
    resize,
    crop,
    interpolation,
    scale: rescale,
    mean: normalize ? numbers('image_mean', [0, 0, 0]) : [0, 0, 0],
    std: normalize ? numbers('image_std', [1, 1, 1]) : [1, 1, 1],
    color: config.do_flip_channel_order === true ? 'bgr' : 'rgb',
  };
}

function readJson(path: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw new UsageError('CONFIG_INVALID', `Cannot read ${path}: ${(error as Error).message}`, { hint: 'the model folder holds a broken JSON file; fix or remove it', cause: error });
  }
  throw new UsageError('CONFIG_INVALID', `${path} is not a JSON object`, { hint: 'the model folder holds a broken JSON file; fix or remove it' });
}
