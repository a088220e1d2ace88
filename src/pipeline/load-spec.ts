// Pipeline: finds the preprocessing spec (flag, file beside the model, or the model's metadata) and parses
// it. The only importer of the yaml package; YAML is parsed with the core schema: no custom tags, no code.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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

/** Where a spec beside a model is looked for, in order: `<model>.pipeline.yaml`, `.yml`, `.json`. */
export function specPathsBeside(modelPath: string): string[] {
  const stem = modelPath.replace(/\.onnx$/i, '');
  return ['.pipeline.yaml', '.pipeline.yml', '.pipeline.json'].map((extension) => `${stem}${extension}`);
}

/** The spec for a run: the flag's file, else `<model>.pipeline.yaml|.yml|.json` beside the model, else the model's metadata, else none. */
export async function loadSpec(request: SpecRequest): Promise<LoadedSpec | undefined> {
  if (request.path !== undefined) {
    const text = await readSpecFile(request.path, true);
    return text === undefined ? undefined : parseSpec(text, { kind: 'file', path: request.path });
  }
  for (const path of specPathsBeside(request.modelPath)) {
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
      hint: required ? 'check the path given to --pipeline' : 'a spec beside the model must be a readable file; pass -p to use another one',
      cause: error,
    });
  }
}

async function parseSpec(text: string, where: Omit<SpecSource, 'sha256'>): Promise<LoadedSpec> {
  let value: unknown;
  const invalid = (reason: string, cause?: unknown): UsageError =>
    new UsageError('CONFIG_INVALID', `Pipeline spec ${where.path} is not valid YAML or JSON: ${reason}`, {
      context: { file: where.path },
      hint: 'check indentation and quoting; JSON is valid YAML too; tags (!name) are not supported',
      cause,
    });
  try {
    // Loaded only when a spec is found (it costs start-up time to every other run).
    const { parseAllDocuments } = await import('yaml');
    const documents = parseAllDocuments(text, { schema: 'core', merge: false, prettyErrors: true, logLevel: 'silent' });
    const list = Array.isArray(documents) ? documents : [];
    if (list.length > 1) throw invalid(`expected one YAML document, found ${list.length}`);
    const document = list[0];
    const problem = document?.errors[0] ?? document?.warnings[0];
    if (problem !== undefined) throw invalid(problem.message.split('\n')[0] ?? problem.message);
    // An empty file is an empty document: the spec checks then say what is missing.
    value = document === undefined ? null : document.toJS({ maxAliasCount: 50 });
  } catch (error) {
    throw error instanceof UsageError ? error : invalid((error as Error).message.split('\n')[0] ?? String(error), error);
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  return { spec: readSpec(value, where.path), source: { ...where, sha256 } };
}
