// Pipeline: finds the preprocessing spec (flag, file beside the model, or the model's metadata) and parses
// it. The only importer of the yaml package; YAML is parsed with the core schema: no custom tags, no code.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import { readSpec } from './read-spec.js';
import { METADATA_KEY, type PipelineSpec, type SpecSource } from './spec.js';

export interface LoadedSpec {
  readonly spec: PipelineSpec;
  readonly source: SpecSource;
}

export interface SpecRequest {
  /** The --pipeline flag. */
  readonly path: string | undefined;
  readonly modelPath: string;
  /** The model's metadata_props. */
  readonly modelMetadata: Readonly<Record<string, string>>;
}

/** The spec for a run: the flag's file, else `<model>.pipeline.yaml|.yml|.json` beside the model, else the model's metadata, else none. */
export async function loadSpec(request: SpecRequest): Promise<LoadedSpec | undefined> {
  if (request.path !== undefined) {
    const text = await readSpecFile(request.path, true);
    return text === undefined ? undefined : parseSpec(text, { kind: 'file', path: request.path });
  }
  const stem = request.modelPath.replace(/\.onnx$/i, '');
  for (const extension of ['.pipeline.yaml', '.pipeline.yml', '.pipeline.json']) {
    const path = `${stem}${extension}`;
    const text = await readSpecFile(path, false);
    if (text !== undefined) return parseSpec(text, { kind: 'beside-model', path });
  }
  const embedded = request.modelMetadata[METADATA_KEY];
  if (embedded !== undefined) return parseSpec(embedded, { kind: 'model-metadata', path: `${request.modelPath}#${METADATA_KEY}` });
  return undefined;
}

async function readSpecFile(path: string, required: boolean): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (!required && (error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new UsageError('CONFIG_INVALID', `Cannot read pipeline spec ${path}: ${(error as Error).message}`, {
      context: { file: path },
      hint: 'check the path given to --pipeline',
      cause: error,
    });
  }
}

function parseSpec(text: string, where: Omit<SpecSource, 'sha256'>): LoadedSpec {
  let value: unknown;
  try {
    value = parse(text, { schema: 'core', merge: false, maxAliasCount: 50, prettyErrors: true });
  } catch (error) {
    throw new UsageError('CONFIG_INVALID', `Pipeline spec ${where.path} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`, {
      context: { file: where.path },
      hint: 'check indentation and quoting; JSON is valid YAML too',
      cause: error,
    });
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  return { spec: readSpec(value, where.path), source: { ...where, sha256 } };
}
