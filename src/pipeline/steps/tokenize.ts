// Pipeline step tokenize: a text column -> input_ids, attention_mask and token_type_ids, each an int64
// tensor column of max_length values per row, with a Hugging Face tokenizer.json read from a local
// file. The only importer of @huggingface/tokenizers (pure JavaScript: nothing is fetched).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { rejectRow, badValueError, type Column, type ColumnChunk } from '../../shared/chunk.js';
import { formatFloat64 } from '../../shared/values.js';
import type { CompiledStep, StepContext, StepOptions as Of } from './step.js';

/** The tensor columns a tokenize step writes, in this order, each `<prefix><name>`. */
export const TOKEN_COLUMNS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;

interface Encoder {
  /** Token ids and type ids of one text, special tokens included, before truncation. */
  encode(text: string): { ids: readonly number[]; types: readonly number[] };
  /** Special tokens the template puts before and after the text ([CLS] and [SEP] for BERT). */
  readonly before: number;
  readonly after: number;
  readonly padId: number;
}

export function compileTokenize(step: Of<'tokenize'>, context: StepContext): CompiledStep {
  const source = context.need(step.column, 'column');
  const encoder = loadEncoder(step, context);
  const length = step.max_length;
  if (length < encoder.before + encoder.after + 1) context.refuse('max_length', `must leave room for a token beside the ${encoder.before + encoder.after} special tokens, got ${length}`);
  const names = TOKEN_COLUMNS.map((name) => context.writeTensor(`${step.prefix}${name}`, { dtype: 'int64', shape: [length] }));
  const label = context.path;
  return {
    apply: (table, chunk) => {
      const rows = chunk.rowCount;
      const ids = new BigInt64Array(rows * length);
      const mask = new BigInt64Array(rows * length);
      const types = new BigInt64Array(rows * length);
      if (encoder.padId !== 0) ids.fill(BigInt(encoder.padId));
      const column = table.get(source) as Column;
      for (let i = 0; i < rows; i++) {
        const text = textAt(column, i);
        if (text === null) {
          reject(chunk, i, source, label, 'a missing text');
          continue;
        }
        let encoded = encoder.encode(text);
        if (encoded.ids.length > length) {
          if (!step.truncation) {
            reject(chunk, i, source, label, `${encoded.ids.length} tokens, more than max_length ${length} (truncation is off)`);
            continue;
          }
          encoded = truncate(encoded, length, encoder);
        }
        const offset = i * length;
        encoded.ids.forEach((id, k) => {
          ids[offset + k] = BigInt(id);
          mask[offset + k] = 1n;
          types[offset + k] = BigInt(encoded.types[k] ?? 0);
        });
      }
      const shape = [length];
      const [idsName, maskName, typesName] = names as [string, string, string];
      table.set(idsName, { type: 'tensor', dtype: 'int64', shape, values: ids });
      table.set(maskName, { type: 'tensor', dtype: 'int64', shape, values: mask });
      table.set(typesName, { type: 'tensor', dtype: 'int64', shape, values: types });
    },
  };
}

/** Keeps the template's special tokens and the first tokens of the text (truncation from the right, as Hugging Face's default). */
function truncate(encoded: { ids: readonly number[]; types: readonly number[] }, length: number, encoder: Encoder): { ids: number[]; types: number[] } {
  const cut = <T>(values: readonly T[]): T[] => [...values.slice(0, length - encoder.after), ...values.slice(values.length - encoder.after)];
  return { ids: cut(encoded.ids), types: cut(encoded.types) };
}

function textAt(column: Column, i: number): string | null {
  if (column.type === 'string') return column.values[i] ?? null;
  if (column.type === 'tensor' || column.nulls?.[i] === 1) return null;
  return column.type === 'int64' ? String(column.values[i]) : formatFloat64(Number(column.values[i]));
}

function reject(chunk: ColumnChunk, i: number, column: string, label: string, problem: string): void {
  const hint = 'give every row a text, or raise max_length / turn truncation on in the spec';
  rejectRow(chunk, i, { column, reason: `${problem} (${label})`, value: '' }, () => badValueError(chunk, i, column, problem, '', { label, hint }));
}

/** Reads tokenizer.json (and tokenizer_config.json beside it, when there is one) once, at compile time. */
function loadEncoder(step: Of<'tokenize'>, context: StepContext): Encoder {
  const path = context.resolveSpecPath(step.tokenizer);
  const json = readJson(path, context, 'tokenizer');
  const configPath = join(dirname(path), 'tokenizer_config.json');
  const config = existsSync(configPath) ? readJson(configPath, context, 'tokenizer') : {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json, config);
  } catch (error) {
    context.refuse('tokenizer', `${path} is not a tokenizer this version can load: ${(error as Error).message}`);
  }
  const encode = (text: string): { ids: number[]; types: number[] } => {
    const encoded = tokenizer.encode(text, { add_special_tokens: true, return_token_type_ids: true });
    return { ids: encoded.ids, types: encoded.token_type_ids ?? [] };
  };
  // Where the template puts the text: found once from a probe, so any single-sequence template works.
  const probe = tokenizer.encode('a', { add_special_tokens: false }).ids;
  const full = encode('a').ids;
  const before = full.findIndex((_, k) => probe.every((id: number, j: number) => full[k + j] === id));
  if (probe.length === 0 || before < 0) context.refuse('tokenizer', `${path}: cannot tell where its template puts the text`);
  const padToken = step.pad_token ?? (typeof config.pad_token === 'string' ? config.pad_token : undefined) ?? '[PAD]';
  const padId = tokenizer.token_to_id(padToken);
  if (padId === undefined) context.refuse('pad_token', `'${padToken}' is not in the vocabulary of ${path}`);
  return { encode, before, after: full.length - before - probe.length, padId };
}

function readJson(path: string, context: StepContext, key: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return context.refuse(key, `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`, 'a relative path is resolved against the spec file\'s folder');
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  return context.refuse(key, `${path} is not a JSON object`);
}
