// Architecture: the import lines under src/ follow the data flow (STYLE.md section 2).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/cli.js';

const SRC = join(ROOT, 'src');
const STAGES = ['sources', 'pipeline', 'model', 'sinks', 'report'];
/** Shared by every stage: the chunk currency, the error table and value rules (float-text.ts: their byte form). */
const SHARED = new Set(['shared/chunk.ts', 'errors.ts', 'shared/values.ts', 'shared/float-text.ts', 'shared/version.ts', 'shared/temporary-path.ts']);
/** Third-party packages and the one module allowed to import each (a folder prefix allows the folder). */
const ADAPTERS: Readonly<Record<string, readonly string[]>> = {
  'onnxruntime-node': ['model/session-child.ts'],
  'onnx-proto': ['model/model-file.ts', 'model/smoke-model.ts'],
  tar: ['doctor/setup-cuda.ts'],
  'csv-parse': ['sources/csv-parse-reader.ts'],
  'apache-arrow': ['sources/arrow.ts', 'sources/arrow-batches.ts', 'sinks/arrow.ts'],
  'parquet-wasm': ['sources/parquet.ts', 'sinks/parquet.ts'],
  fzstd: ['sources/arrow-codecs.ts'],
  lz4js: ['sources/arrow-codecs.ts'],
  'cli-progress': ['cli/progress.ts'],
  yaml: ['pipeline/load-spec.ts'],
  commander: ['cli/'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [relative(SRC, path)] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const fixed = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((match) => match[1] as string);
  // Modules loaded on demand (apache-arrow, yaml) follow the same rules.
  const dynamic = [...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((match) => match[1] as string);
  return [...fixed, ...dynamic];
}

/** Resolves a relative import to a path under src/ ending in .ts. */
function resolve(file: string, specifier: string): string {
  return relative(SRC, join(SRC, dirname(file), specifier)).replace(/\.js$/, '.ts');
}

const files = sourceFiles(SRC);
const folderOf = (file: string): string => (file.includes('/') ? (file.split('/')[0] as string) : '');

describe('architecture', () => {
  it('finds the source tree', () => assert.ok(files.includes('run/run-score.ts') && files.includes('cli/main.ts')));

  it('stages never import each other, except the shared chunk type', () => {
    for (const file of files.filter((name) => STAGES.includes(folderOf(name)))) {
      for (const specifier of importsOf(file).filter((spec) => spec.startsWith('.'))) {
        const target = resolve(file, specifier);
        const allowed = folderOf(target) === folderOf(file) || SHARED.has(target);
        assert.ok(allowed, `${file} imports ${target}`);
      }
    }
  });

  it('outside a folder, only its index.ts (and the shared modules) are imported', () => {
    for (const file of files) {
      for (const specifier of importsOf(file).filter((spec) => spec.startsWith('.'))) {
        const target = resolve(file, specifier);
        if (folderOf(target) === folderOf(file) || SHARED.has(target) || folderOf(target) === '' || ['config', 'cli', 'run', 'shared'].includes(folderOf(target))) continue;
        assert.ok(target.endsWith('/index.ts'), `${file} reaches into ${target}`);
      }
    }
  });

  it('each third-party library is imported by its adapter module only', () => {
    for (const file of files) {
      for (const specifier of importsOf(file).filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:'))) {
        const packageName = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
        const owners = ADAPTERS[packageName];
        assert.ok(owners !== undefined, `${file} imports ${packageName}, which has no adapter entry here`);
        assert.ok(owners.some((owner) => (owner.endsWith('/') ? file.startsWith(owner) : file === owner)), `${file} imports ${packageName}; only ${owners.join(', ')} may`);
      }
    }
  });

  it('only cli/main.ts exits the process (and the model process, an entry point of its own)', () => {
    for (const file of files.filter((name) => name !== 'cli/main.ts' && name !== 'model/session-child.ts')) {
      assert.doesNotMatch(readFileSync(join(SRC, file), 'utf8'), /process\.exit\(/, file);
    }
  });
});
