// The tokenize step against token ids computed independently (fixtures/text/make_text.py, in Python).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError, UsageError } from '../../errors.js';
import { RejectList, type Column, type ColumnChunk } from '../../shared/chunk.js';
import { compilePipeline, type Pipeline } from '../compile.js';
import { readSpec } from '../read-spec.js';

const TEXT = fileURLToPath(new URL('../../../../fixtures/text/', import.meta.url));
const expected = JSON.parse(readFileSync(`${TEXT}expected.json`, 'utf8')) as { max_length: number; rows: { id: string; input_ids: number[]; attention_mask: number[] }[] };
/** The fixture's messages, in the order of expected.json (input.csv holds the same texts). */
const messages = readFileSync(`${TEXT}input.csv`, 'utf8');

function compile(options: Record<string, unknown>, inputs: Record<string, unknown> = { input_ids: { columns: ['input_ids'] } }): Pipeline {
  const spec = readSpec({ version: 1, steps: [{ tokenize: { column: 'text', tokenizer: 'tokenizer.json', max_length: expected.max_length, ...options } }], inputs }, 'spec.yaml');
  return compilePipeline({ spec, source: { kind: 'file', path: `${TEXT}spec.yaml`, sha256: '0'.repeat(64) } }, ['id', 'text']);
}

function chunkOf(texts: (string | null)[], rejects?: RejectList): ColumnChunk {
  return {
    rowOffset: 0,
    rowCount: texts.length,
    columns: new Map<string, Column>([['text', { type: 'string', values: texts }]]),
    origin: { source: 'messages.csv', firstRowInSource: 0 },
    ...(rejects === undefined ? {} : { rejects }),
  };
}

function rows(chunk: ColumnChunk, name: string): number[][] {
  const column = chunk.columns.get(name);
  assert.ok(column?.type === 'tensor' && column.dtype === 'int64');
  const width = column.shape[0] as number;
  return Array.from({ length: chunk.rowCount }, (_, i) => Array.from((column.values as BigInt64Array).subarray(i * width, (i + 1) * width), Number));
}

/** The texts of input.csv, parsed the simple way its generator wrote them (csv module, minimal quoting). */
function texts(): string[] {
  const records: string[] = [];
  const body = messages.slice(messages.indexOf('\n') + 1);
  let i = 0;
  while (i < body.length) {
    i = body.indexOf(',', i) + 1;
    let text = '';
    if (body[i] === '"') {
      i++;
      for (;;) {
        const quote = body.indexOf('"', i);
        text += body.slice(i, quote);
        i = quote + 1;
        if (body[i] !== '"') break;
        text += '"';
        i++;
      }
    } else {
      const end = body.indexOf('\n', i);
      text = body.slice(i, end);
      i = end;
    }
    records.push(text);
    i = body.indexOf('\n', i) + 1;
  }
  return records;
}

describe('tokenize step', () => {
  it('gives the token ids and attention mask of the Python WordPiece oracle: lower case, accents, CJK, punctuation, unknown words, truncation, padding', () => {
    const pipeline = compile({});
    const all = texts();
    assert.equal(all.length, expected.rows.length);
    const out = pipeline.transform(chunkOf(all));
    assert.deepEqual(rows(out, 'input_ids'), expected.rows.map((row) => row.input_ids));
    assert.deepEqual(rows(out, 'attention_mask'), expected.rows.map((row) => row.attention_mask));
    assert.deepEqual(rows(out, 'token_type_ids'), expected.rows.map(() => new Array<number>(expected.max_length).fill(0)));
  });

  it('declares int64 tensor columns of max_length values per row, under a prefix', () => {
    const pipeline = compile({ prefix: 'sms_' }, { input_ids: { columns: ['sms_input_ids'] } });
    assert.deepEqual(pipeline.tensors.get('sms_input_ids'), { dtype: 'int64', shape: [expected.max_length] });
  });

  it('makes a missing text a bad row, and with truncation off a text that is too long', () => {
    assert.throws(() => compile({}).transform(chunkOf(['ok', null])), (error: unknown) => error instanceof InputError && /messages\.csv at row 1, column 'text' \(steps\[0\]\.tokenize\): a missing text/.test(error.message));
    const rejects = new RejectList();
    compile({ truncation: false }).transform(chunkOf(['ok', 'win win win win win win win win win win win win win win win win win', null], rejects));
    const taken = rejects.take(0, 3);
    assert.deepEqual(taken.map((reject) => reject.row), [1, 2]);
    assert.match(taken[0]?.reason ?? '', /^19 tokens, more than max_length 16 \(truncation is off\)/);
  });

  it('refuses a tokenizer file that does not exist, naming the resolved path (exit 2)', () => {
    assert.throws(() => compile({ tokenizer: 'missing/tokenizer.json' }), (error: unknown) => error instanceof UsageError && error.exitCode === 2 && /steps\[0\]\.tokenize\.tokenizer: cannot read .*fixtures\/text\/missing\/tokenizer\.json: no such file/.test(error.message));
  });

  it('refuses a max_length with no room beside the special tokens, and a tensor column in a numeric step', () => {
    assert.throws(() => compile({ max_length: 2 }), /max_length: must leave room for a token beside the 2 special tokens, got 2/);
    const spec = readSpec({ version: 1, steps: [{ tokenize: { column: 'text', tokenizer: 'tokenizer.json', max_length: 8 } }, { log1p: { columns: ['input_ids'] } }], inputs: { x: { columns: ['input_ids'] } } }, 'spec.yaml');
    assert.throws(() => compilePipeline({ spec, source: { kind: 'file', path: `${TEXT}spec.yaml`, sha256: '' } }, ['text']), /steps\[1\]\.log1p\.columns\[0\]: column 'input_ids' holds a tensor per row/);
  });
});
