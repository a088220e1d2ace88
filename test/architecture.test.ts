// Architecture: every import under src/ follows the data flow (STYLE.md section 2):
//   cli -> run -> doctor -> config -> stages (sources, pipeline, model, sinks, report) -> shared -> errors.ts
// Imports are read with the TypeScript compiler's own pre-processor, so every import form counts: single- and
// double-quoted, side-effect (`import './x.js'`), `export ... from`, dynamic `import()`, and `require` made by
// `createRequire` (allowed only where listed). The last describe block feeds the checker bad samples of each kind
// to show it fails on them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { ROOT } from './helpers/cli.js';

const SRC = join(ROOT, 'src');
const STAGES = ['sources', 'pipeline', 'model', 'sinks', 'report'];
/** Rank of each folder (and root file): a module may import its own folder or a lower rank, never a higher one. */
const LAYERS: readonly (readonly string[])[] = [['cli'], ['run'], ['doctor'], ['config'], STAGES, ['shared'], ['errors.ts']];
/** Folders reached from outside through their index.ts only. */
const INDEXED = new Set([...STAGES, 'run', 'doctor']);
/**
 * Modules that may build a CommonJS `require`: to resolve onnxruntime-node's installed files, and to load
 * ajv on the first spec read, synchronously (readSpec is synchronous) and only when a spec is read.
 */
const CREATE_REQUIRE_ALLOWED = new Set(['doctor/runtime-files.ts', 'pipeline/spec-schema.ts']);
/** Third-party packages and the one module allowed to import each (a folder prefix allows the folder). */
const ADAPTERS: Readonly<Record<string, readonly string[]>> = {
  'onnxruntime-node': ['model/session-child.ts'],
  'onnx-proto': ['model/model-file.ts', 'model/smoke-model.ts'],
  tar: ['doctor/setup-cuda.ts'],
  'csv-parse': ['sources/csv-parse-reader.ts'],
  'apache-arrow': ['sources/arrow.ts', 'sources/arrow-batches.ts', 'sources/arrow-columns.ts', 'sinks/arrow.ts'],
  'parquet-wasm': ['sources/parquet-decode.ts', 'sinks/parquet.ts'],
  fzstd: ['sources/arrow-codecs.ts'],
  lz4js: ['sources/arrow-codecs.ts'],
  hysnappy: ['sources/snappy.ts'],
  'cli-progress': ['cli/progress.ts'],
  yaml: ['pipeline/load-spec.ts'],
  ajv: ['pipeline/spec-schema.ts'],
  sharp: ['pipeline/steps/image-decode.ts'],
  '@huggingface/tokenizers': ['pipeline/steps/tokenize.ts'],
  commander: ['cli/'],
};

/** Folder of a module path relative to src/ (`''`-less: a root file is its own unit, e.g. `errors.ts`). */
const unitOf = (file: string): string => (file.includes('/') ? (file.split('/')[0] as string) : file);
const rankOf = (unit: string): number => LAYERS.findIndex((layer) => layer.includes(unit));

/** Every rule broken by one module, given its path under src/ and its text. */
export function violations(file: string, text: string): string[] {
  const found: string[] = [];
  const unit = unitOf(file);
  if (rankOf(unit) < 0) found.push(`${file}: ${unit} has no row in the layer table`);
  const imports = ts.preProcessFile(text, true, true).importedFiles.map((ref) => ref.fileName);
  if (/\bcreateRequire\b/.test(text) && !CREATE_REQUIRE_ALLOWED.has(file)) found.push(`${file} builds a require with createRequire`);
  for (const specifier of imports) {
    if (!specifier.startsWith('.')) {
      if (specifier.startsWith('node:')) continue;
      const packageName = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
      const owners = ADAPTERS[packageName];
      if (owners === undefined) found.push(`${file} imports ${packageName}, which has no adapter entry here`);
      else if (!owners.some((owner) => (owner.endsWith('/') ? file.startsWith(owner) : file === owner))) found.push(`${file} imports ${packageName}; only ${owners.join(', ')} may`);
      continue;
    }
    const target = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
    const targetUnit = unitOf(target);
    if (targetUnit === unit) continue;
    const [from, to] = [rankOf(unit), rankOf(targetUnit)];
    if (to < 0) found.push(`${file} imports ${target}, outside the layer table`);
    else if (to < from) found.push(`${file} imports ${target}: ${unit} may not import upward into ${targetUnit}`);
    else if (to === from) found.push(`${file} imports ${target}: stages never import each other (share through shared/)`);
    else if (INDEXED.has(targetUnit) && target !== `${targetUnit}/index.ts`) found.push(`${file} reaches into ${target}; import ${targetUnit}/index.ts`);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [relative(SRC, path).split(sep).join('/')] : [];
  });
}

const files = sourceFiles(SRC);

describe('architecture', () => {
  it('finds the source tree', () => assert.ok(files.includes('run/run-score.ts') && files.includes('cli/main.ts') && files.includes('errors.ts')));

  it('every module under src/ follows the layer table, the index rule and the adapter rule', () => {
    const found = files.flatMap((file) => violations(file, readFileSync(join(SRC, file), 'utf8')));
    assert.deepEqual(found, []);
  });

  it('every folder under src/ has a row in the layer table', () => {
    const units = new Set(files.map(unitOf));
    assert.deepEqual([...units].filter((unit) => rankOf(unit) < 0), []);
  });

  it('only cli/main.ts exits the process (and the model process, an entry point of its own)', () => {
    for (const file of files.filter((name) => name !== 'cli/main.ts' && name !== 'model/session-child.ts')) {
      assert.doesNotMatch(readFileSync(join(SRC, file), 'utf8'), /process\.exit\(/, file);
    }
  });
});

describe('the architecture checker fails on each kind of bad import', () => {
  const cases: [string, string, string][] = [
    ['a double-quoted import across stages', 'sources/x.ts', 'import { a } from "../model/index.js";'],
    ['a side-effect import reaching into a stage', 'run/x.ts', "import '../sources/csv-scan.js';"],
    ['createRequire outside the allowed module', 'model/x.ts', "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);"],
    ['an upward import from config into run', 'config/x.ts', "import { runScore } from '../run/index.js';"],
    ['an upward import from run into cli', 'run/x.ts', "import { main } from '../cli/main.js';"],
    ['a dynamic import of a library outside its adapter', 'run/x.ts', "const arrow = await import('apache-arrow');"],
    ['an export-from of a stage internal', 'cli/x.ts', "export { scan } from '../sources/csv-scan.js';"],
    ['errors.ts importing a stage', 'errors.ts', "import { a } from './model/index.js';"],
  ];
  for (const [kind, file, text] of cases) {
    it(kind, () => assert.notDeepEqual(violations(file, text), [], `${file}: ${text}`));
  }
  it('and passes a good import', () => assert.deepEqual(violations('run/x.ts', "import { a } from '../model/index.js';\nimport { b } from \"../shared/chunk.js\";"), []));
});

