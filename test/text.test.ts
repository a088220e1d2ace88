// End to end: messages in a CSV tokenised with a local tokenizer.json and scored, against token ids and
// probabilities computed independently in Python (fixtures/text/make_text.py).
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, runCli, tempDir } from './helpers/cli.js';
import { readCsvTable } from './helpers/golden.js';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

const CASE = join(FIXTURES, 'text');
const MODEL = join(CASE, 'model.onnx');
const SPEC = join(CASE, 'spam.pipeline.yaml');
const expected = JSON.parse(await readFile(join(CASE, 'expected.json'), 'utf8')) as { labels: string[]; rows: { id: string; probabilities: number[] }[] };
/**
 * The fixture's model taking int32 ids and mask, as models exported for 32-bit ids do: each int32
 * graph input is cast to int64 under the name the rest of the graph reads, so its outputs are the
 * numpy oracle's too.
 */
async function int32Model(path: string): Promise<string> {
  const model = onnx.ModelProto.decode(await readFile(MODEL));
  const graph = model.graph as onnxProto.onnx.IGraphProto;
  const casts: onnxProto.onnx.INodeProto[] = [];
  for (const input of graph.input ?? []) {
    const tensorType = input.type?.tensorType;
    if (tensorType?.elemType !== onnx.TensorProto.DataType.INT64) continue;
    const name = input.name as string;
    for (const node of graph.node ?? []) node.input = (node.input ?? []).map((used) => (used === name ? `${name}_int64` : used));
    casts.push({ opType: 'Cast', input: [name], output: [`${name}_int64`], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.INT64 }] });
    tensorType.elemType = onnx.TensorProto.DataType.INT32;
  }
  assert.equal(casts.length, 2, 'input_ids and attention_mask');
  graph.node = [...casts, ...(graph.node ?? [])];
  await writeFile(path, onnx.ModelProto.encode(model).finish());
  return path;
}

describe('text', () => {
  for (const ids of ['int64', 'int32'] as const) {
    it(`scores messages with --keep id: probabilities within 1e-5 of the numpy oracle, in class order, from any working directory (${ids} input_ids)`, async () => {
      const out = await tempDir();
      const model = ids === 'int64' ? MODEL : await int32Model(join(out, 'model-int32.onnx'));
      const result = await runCli(['score', '-m', model, '-p', SPEC, '-i', join(CASE, 'input.csv'), '-o', join(out, 'out.csv'), '--keep', 'id', '-b', '7'], { cwd: out });
      assert.equal(result.code, 0, result.stderr);
      const table = readCsvTable(join(out, 'out.csv'));
      assert.deepEqual([...table.keys()], ['id', 'probabilities_ham', 'probabilities_spam', 'predicted']);
      assert.deepEqual(table.get('id'), expected.rows.map((row) => row.id));
      expected.rows.forEach((row, i) => {
        row.probabilities.forEach((probability, k) => {
          const actual = Number(table.get(`probabilities_${expected.labels[k]}`)?.[i]);
          assert.ok(Math.abs(actual - probability) <= 1e-5, `${row.id} ${expected.labels[k]}: ${actual} vs ${probability}`);
        });
        assert.equal(table.get('predicted')?.[i], expected.labels[(row.probabilities[1] ?? 0) > (row.probabilities[0] ?? 0) ? 1 : 0]);
      });
    });
  }

  it('makes an empty text a bad row: skipped with its reason, or exit 3 naming the line and column', async () => {
    const out = await tempDir();
    await writeFile(join(out, 'messages.csv'), 'id,text\na,hi mum\nb,\nc,free prize\n');
    const skip = await runCli(['score', '-m', MODEL, '-p', SPEC, '-i', join(out, 'messages.csv'), '-o', join(out, 'out.csv'), '--keep', 'id', '--on-error', 'skip', '--max-errors', '50%']);
    assert.equal(skip.code, 0, skip.stderr);
    assert.deepEqual(readCsvTable(join(out, 'out.csv')).get('id'), ['a', 'c']);
    assert.match(readCsvTable(join(out, 'out.csv.rejects.csv')).get('reason')?.[0] ?? '', /a missing text \(steps\[0\]\.tokenize\)/);
    const fail = await runCli(['score', '-m', MODEL, '-p', SPEC, '-i', join(out, 'messages.csv'), '-o', join(out, 'fail.csv')]);
    assert.equal(fail.code, 3);
    assert.match(fail.stderr, /messages\.csv at line 3, column 'text' \(steps\[0\]\.tokenize\): a missing text/);
  });

  it('the committed example spec is valid and fits a model with input_ids and attention_mask', async () => {
    const out = await tempDir();
    // The example points at the shared dataset's tokenizer; here the fixture's stands in for it.
    const example = (await readFile(join(ROOT, 'examples', 'text', 'sms-spam.pipeline.yaml'), 'utf8')).replace(/tokenizer: .*/, `tokenizer: ${JSON.stringify(join(CASE, 'tokenizer.json'))}`);
    await writeFile(join(out, 'spec.yaml'), example);
    const check = await runCli(['pipeline', 'check', '-m', MODEL, '-p', join(out, 'spec.yaml'), '-i', join(CASE, 'input.csv')]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /input_ids \(int64\) <- input_ids/);
  });

  it('pipeline init drafts a tokenize step from tokenizer.json beside the model, wiring input_ids and attention_mask, never the id', async () => {
    const out = await tempDir();
    for (const name of ['model.onnx', 'tokenizer.json', 'tokenizer_config.json']) await copyFile(join(CASE, name), join(out, name));
    const draft = join(out, 'draft.yaml');
    const init = await runCli(['pipeline', 'init', '-m', join(out, 'model.onnx'), '-i', join(CASE, 'input.csv'), '-o', draft]);
    assert.equal(init.code, 0, init.stderr);
    const text = await readFile(draft, 'utf8');
    assert.match(text, /#\s+id: an id \(not proposed as a feature\)/);
    assert.match(text, /- tokenize: \{ column: text, tokenizer: tokenizer\.json, max_length: 512, truncation: true, padding: max_length \}/);
    assert.match(text, /input_ids: \{ columns: \[input_ids\] \}\n\s+attention_mask: \{ columns: \[attention_mask\] \}/);
    const score = await runCli(['score', '-m', join(out, 'model.onnx'), '-p', draft, '-i', join(CASE, 'input.csv'), '-o', join(out, 'out.csv'), '--keep', 'id']);
    assert.equal(score.code, 0, score.stderr);
  });
});
