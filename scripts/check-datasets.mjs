// Scores dataset folders (input.csv/.arrow/.arrows + model.onnx + expected.csv with row,label,prob_*|prediction)
// with the built CLI and compares with the expected predictions. Usage:
//   node scripts/check-datasets.mjs DATASETS_DIR [case ...]
// Not a test: the datasets live outside the repository.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

const [root, ...only] = process.argv.slice(2);
if (root === undefined) throw new Error('usage: node scripts/check-datasets.mjs DATASETS_DIR [case ...]');
const cli = new URL('../bin/onnx-batch.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'onnx-batch-datasets-'));
const tolerance = 1e-4;
let failures = 0;

for (const name of only.length > 0 ? only : readdirSync(root).sort()) {
  const dir = join(root, name);
  if (!existsSync(join(dir, 'expected.csv')) || !existsSync(join(dir, 'input.csv'))) continue;
  const expected = parse(readFileSync(join(dir, 'expected.csv')), { columns: true });
  for (const input of ['input.csv', 'input.arrow', 'input.arrows']) {
    const out = join(work, `${name}-${input}.csv`);
    const started = Date.now();
    try {
      execFileSync(process.execPath, [cli, 'score', '-m', join(dir, 'model.onnx'), '-i', join(dir, input), '-o', out, '--keep', 'none', '-q', ...extraArgs(dir)], { stdio: ['ignore', 'inherit', 'inherit'] });
    } catch {
      console.log(`FAIL ${name} ${input}: the CLI failed`);
      failures++;
      continue;
    }
    const got = parse(readFileSync(out), { columns: true });
    const problem = compare(expected, got);
    if (problem !== undefined) failures++;
    console.log(`${problem === undefined ? 'ok  ' : 'FAIL'} ${name} ${input}: ${got.length} rows, ${Date.now() - started} ms${problem === undefined ? '' : `: ${problem}`}`);
  }
}
process.exitCode = failures === 0 ? 0 : 1;

function extraArgs(dir) {
  const caseFile = join(dir, 'case.json');
  if (!existsSync(caseFile)) return [];
  const description = JSON.parse(readFileSync(caseFile, 'utf8'));
  const inputs = description.model_inputs ?? [];
  const only = inputs.length === 1 ? inputs[0] : undefined;
  return only !== undefined && only.columns.length > 1 && !(only.columns.length === 1 && only.columns[0] === only.name) ? ['--features', only.columns.join(',')] : [];
}

function compare(expected, got) {
  if (expected.length !== got.length) return `expected ${expected.length} rows`;
  const gotColumns = Object.keys(got[0] ?? {});
  const labelColumn = gotColumns.find((column) => /label/.test(column));
  const probColumns = gotColumns.filter((column) => column !== labelColumn);
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i];
    const have = got[i];
    if (want.label !== undefined && want.label !== have[labelColumn]) return `row ${i}: label ${have[labelColumn]} != ${want.label}`;
    const wantValues = Object.keys(want).filter((key) => key.startsWith('prob_') || key === 'prediction').map((key) => Number(want[key]));
    wantValues.forEach((value, k) => {
      const diff = Math.abs(Number(have[probColumns[k]]) - value);
      if (!(diff <= tolerance)) throw new Error(`row ${i}: ${probColumns[k]} ${have[probColumns[k]]} != ${value}`);
    });
  }
  return undefined;
}
