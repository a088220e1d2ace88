import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { UsageError } from '../errors.js';
import { loadSpec, type SpecRequest } from './load-spec.js';
import { METADATA_KEY } from './spec.js';

const YAML_SPEC = `# a comment
version: 1
steps:
  - impute:
      columns: [Age]
      values: [28.5]
  - one_hot:
      column: Sex
      categories: [female, male]
inputs:
  float_input:
    columns: [Age, "Sex=female", "Sex=male"]
    dtype: float32
`;

const JSON_SPEC = JSON.stringify({
  version: 1,
  steps: [{ standardize: { columns: ['x'], mean: [1], scale: [2] } }],
  inputs: { input: { columns: ['x'], shape: '[N,1]' } },
});

/** A minimal valid spec in YAML. */
const MINIMAL = 'version: 1\ninputs:\n  x:\n    columns: [a]\n';

let dir = '';

before(async () => {
  dir = await tempDir('onnx-batch-load-spec-');
});

/** A fresh folder for one test. */
async function folder(name: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  return path;
}

function request(overrides: Partial<SpecRequest> & { modelPath: string }): SpecRequest {
  return { path: undefined, modelMetadata: {}, ...overrides };
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function configInvalid(...patterns: RegExp[]): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.code, 'CONFIG_INVALID', error.message);
    assert.equal(error.exitCode, 2);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  };
}

describe('loadSpec: where the spec comes from', () => {
  it('reads a YAML file given by --pipeline', async () => {
    const root = await folder('flag-yaml');
    const path = join(root, 'spec.yaml');
    await writeFile(path, YAML_SPEC);
    const loaded = await loadSpec(request({ path, modelPath: join(root, 'model.onnx') }));
    assert.ok(loaded !== undefined);
    assert.equal(loaded.source.kind, 'file');
    assert.equal(loaded.source.path, path);
    assert.equal(loaded.spec.steps.length, 2);
    assert.deepEqual(loaded.spec.inputs['float_input']?.columns, ['Age', 'Sex=female', 'Sex=male']);
  });

  it('reads a JSON file given by --pipeline', async () => {
    const root = await folder('flag-json');
    const path = join(root, 'spec.json');
    await writeFile(path, JSON_SPEC);
    const loaded = await loadSpec(request({ path, modelPath: join(root, 'model.onnx') }));
    assert.equal(loaded?.source.kind, 'file');
    assert.deepEqual(loaded?.spec.steps, [{ standardize: { columns: ['x'], mean: [1], scale: [2] } }]);
    assert.equal(loaded?.spec.inputs['input']?.shape, 'column');
  });

  it('reads pretty-printed JSON, indented with spaces or tabs', async () => {
    const root = await folder('json-pretty');
    const value = JSON.parse(JSON_SPEC) as unknown;
    for (const [name, indent] of [['spaces.json', 2], ['tabs.json', '\t']] as const) {
      const path = join(root, name);
      await writeFile(path, JSON.stringify(value, null, indent));
      const loaded = await loadSpec(request({ path, modelPath: join(root, 'model.onnx') }));
      assert.equal(loaded?.spec.steps.length, 1, name);
    }
  });

  it('finds <model>.pipeline.yaml beside the model', async () => {
    const root = await folder('beside-yaml');
    await writeFile(join(root, 'titanic.pipeline.yaml'), YAML_SPEC);
    const loaded = await loadSpec(request({ modelPath: join(root, 'titanic.onnx') }));
    assert.equal(loaded?.source.kind, 'beside-model');
    assert.equal(loaded?.source.path, join(root, 'titanic.pipeline.yaml'));
    assert.equal(loaded?.spec.steps.length, 2);
  });

  it('finds <model>.pipeline.yml and <model>.pipeline.json beside the model', async () => {
    for (const extension of ['.pipeline.yml', '.pipeline.json']) {
      const root = await folder(`beside${extension}`);
      await writeFile(join(root, `m${extension}`), extension.endsWith('json') ? JSON_SPEC : YAML_SPEC);
      const loaded = await loadSpec(request({ modelPath: join(root, 'm.onnx') }));
      assert.equal(loaded?.source.kind, 'beside-model', extension);
      assert.equal(loaded?.source.path, join(root, `m${extension}`));
    }
  });

  it('prefers .pipeline.yaml to .pipeline.json beside the model', async () => {
    const root = await folder('beside-both');
    await writeFile(join(root, 'm.pipeline.yaml'), YAML_SPEC);
    await writeFile(join(root, 'm.pipeline.json'), JSON_SPEC);
    const loaded = await loadSpec(request({ modelPath: join(root, 'm.onnx') }));
    assert.equal(loaded?.source.path, join(root, 'm.pipeline.yaml'));
  });

  it('strips the .onnx extension case-insensitively', async () => {
    const root = await folder('upper-ext');
    await writeFile(join(root, 'M.pipeline.yaml'), YAML_SPEC);
    const loaded = await loadSpec(request({ modelPath: join(root, 'M.ONNX') }));
    assert.equal(loaded?.source.path, join(root, 'M.pipeline.yaml'));
  });

  it('reads the spec from the model metadata key onnx_batch.pipeline', async () => {
    const root = await folder('metadata');
    const modelPath = join(root, 'model.onnx');
    assert.equal(METADATA_KEY, 'onnx_batch.pipeline');
    const loaded = await loadSpec(request({ modelPath, modelMetadata: { other: 'x', [METADATA_KEY]: JSON_SPEC } }));
    assert.equal(loaded?.source.kind, 'model-metadata');
    assert.equal(loaded?.source.path, `${modelPath}#onnx_batch.pipeline`);
    assert.equal(loaded?.source.sha256, sha256(JSON_SPEC));
    assert.equal(loaded?.spec.steps.length, 1);
  });

  it('reads YAML from the model metadata too', async () => {
    const root = await folder('metadata-yaml');
    const loaded = await loadSpec(request({ modelPath: join(root, 'model.onnx'), modelMetadata: { [METADATA_KEY]: YAML_SPEC } }));
    assert.equal(loaded?.spec.steps.length, 2);
  });

  it('prefers the --pipeline file to a spec beside the model and in the metadata', async () => {
    const root = await folder('precedence-flag');
    const path = join(root, 'chosen.yaml');
    await writeFile(path, YAML_SPEC);
    await writeFile(join(root, 'model.pipeline.yaml'), JSON_SPEC);
    const loaded = await loadSpec(request({ path, modelPath: join(root, 'model.onnx'), modelMetadata: { [METADATA_KEY]: JSON_SPEC } }));
    assert.equal(loaded?.source.kind, 'file');
    assert.equal(loaded?.source.path, path);
  });

  it('prefers a spec beside the model to one in the metadata', async () => {
    const root = await folder('precedence-beside');
    await writeFile(join(root, 'model.pipeline.yaml'), YAML_SPEC);
    const loaded = await loadSpec(request({ modelPath: join(root, 'model.onnx'), modelMetadata: { [METADATA_KEY]: JSON_SPEC } }));
    assert.equal(loaded?.source.kind, 'beside-model');
  });

  it('returns undefined when there is no spec anywhere', async () => {
    const root = await folder('none');
    assert.equal(await loadSpec(request({ modelPath: join(root, 'model.onnx'), modelMetadata: { other: 'x' } })), undefined);
  });

  it('loads the preprocess-csv fixture spec beside its model', async () => {
    const modelPath = fileURLToPath(new URL('../../../fixtures/preprocess-csv/model.onnx', import.meta.url));
    const loaded = await loadSpec(request({ modelPath }));
    assert.equal(loaded?.source.kind, 'beside-model');
    assert.ok((loaded?.spec.steps.length ?? 0) > 0);
    assert.ok(Object.keys(loaded?.spec.inputs ?? {}).length > 0);
  });
});

describe('loadSpec: sha256', () => {
  it("equals the hash of the file's bytes", async () => {
    const root = await folder('hash');
    const path = join(root, 'spec.yaml');
    await writeFile(path, YAML_SPEC);
    const loaded = await loadSpec(request({ path, modelPath: join(root, 'model.onnx') }));
    assert.equal(loaded?.source.sha256, sha256(await readFile(path)));
    assert.match(loaded?.source.sha256 ?? '', /^[0-9a-f]{64}$/);
  });

  it("equals the hash of the file's bytes with non-ASCII text, CRLF line ends and a BOM", async () => {
    const root = await folder('hash-bytes');
    const path = join(root, 'spec.yaml');
    const text = `\uFEFF# Préparation des données — ünïcode\r\n${MINIMAL.replaceAll('\n', '\r\n')}`;
    await writeFile(path, text, 'utf8');
    const loaded = await loadSpec(request({ path, modelPath: join(root, 'model.onnx') }));
    assert.equal(loaded?.source.sha256, sha256(await readFile(path)));
  });

  it('changes when the file changes', async () => {
    const root = await folder('hash-change');
    const path = join(root, 'spec.yaml');
    await writeFile(path, MINIMAL);
    const first = await loadSpec(request({ path, modelPath: join(root, 'model.onnx') }));
    await writeFile(path, `${MINIMAL}# edited\n`);
    const second = await loadSpec(request({ path, modelPath: join(root, 'model.onnx') }));
    assert.notEqual(first?.source.sha256, second?.source.sha256);
  });
});

describe('loadSpec: bad files', () => {
  it('fails with CONFIG_INVALID when the --pipeline file does not exist', async () => {
    const root = await folder('flag-missing');
    const path = join(root, 'nope.yaml');
    await assert.rejects(loadSpec(request({ path, modelPath: join(root, 'model.onnx') })), (error: unknown) => {
      configInvalid(/Cannot read pipeline spec/, /nope\.yaml/)(error);
      assert.equal((error as UsageError).context.file, path);
      return true;
    });
  });

  it('does not fall back to a spec beside the model when the --pipeline file is missing', async () => {
    const root = await folder('flag-missing-fallback');
    await writeFile(join(root, 'model.pipeline.yaml'), YAML_SPEC);
    await assert.rejects(loadSpec(request({ path: join(root, 'nope.yaml'), modelPath: join(root, 'model.onnx') })), configInvalid(/nope\.yaml/));
  });

  it('fails with CONFIG_INVALID and a line number for invalid YAML', async () => {
    const root = await folder('bad-yaml');
    const path = join(root, 'spec.yaml');
    await writeFile(path, 'version: 1\ninputs:\n  x:\n    columns: [a, b\n  y: : :\n');
    await assert.rejects(loadSpec(request({ path, modelPath: join(root, 'model.onnx') })), (error: unknown) => {
      configInvalid(/spec\.yaml is not valid YAML or JSON/, /line \d+/)(error);
      // Only the first line of the parser's message: no multi-line source excerpt.
      assert.ok(!(error as Error).message.includes('^^^'), String(error));
      return true;
    });
  });

  it('fails with CONFIG_INVALID for truncated JSON', async () => {
    const root = await folder('bad-json');
    const path = join(root, 'spec.json');
    await writeFile(path, JSON_SPEC.slice(0, -5));
    await assert.rejects(loadSpec(request({ path, modelPath: join(root, 'model.onnx') })), configInvalid(/spec\.json is not valid YAML or JSON/));
  });

  it('fails with CONFIG_INVALID for a duplicated key instead of keeping the last one', async () => {
    const root = await folder('dup-key');
    const path = join(root, 'spec.yaml');
    await writeFile(path, 'version: 1\ninputs:\n  x:\n    columns: [a]\n    columns: [b]\n');
    await assert.rejects(loadSpec(request({ path, modelPath: join(root, 'model.onnx') })), configInvalid(/not valid YAML or JSON/));
  });

  it('fails with CONFIG_INVALID for several YAML documents in one file', async () => {
    const root = await folder('multi-doc');
    const path = join(root, 'spec.yaml');
    await writeFile(path, `${MINIMAL}---\n${MINIMAL}`);
    await assert.rejects(loadSpec(request({ path, modelPath: join(root, 'model.onnx') })), configInvalid(/not valid YAML or JSON/));
  });

  it('fails with CONFIG_INVALID for an empty file', async () => {
    const root = await folder('empty');
    const path = join(root, 'spec.yaml');
    await writeFile(path, '');
    await assert.rejects(loadSpec(request({ path, modelPath: join(root, 'model.onnx') })), configInvalid(/the spec: expected a mapping, got an empty document/));
  });

  it('fails with the spec problems of a file found beside the model (not ignored)', async () => {
    const root = await folder('beside-invalid');
    await writeFile(join(root, 'model.pipeline.yaml'), 'version: 2\ninputs:\n  x:\n    columns: [a]\n');
    await assert.rejects(loadSpec(request({ modelPath: join(root, 'model.onnx') })), configInvalid(/model\.pipeline\.yaml/, /version: expected 1, got number 2/));
  });

  it('fails with the spec problems of a spec in the metadata, naming the model', async () => {
    const root = await folder('metadata-invalid');
    const modelPath = join(root, 'model.onnx');
    await assert.rejects(
      loadSpec(request({ modelPath, modelMetadata: { [METADATA_KEY]: '{"version": 1}' } })),
      configInvalid(/model\.onnx#onnx_batch\.pipeline/, /inputs: required, but missing/),
    );
  });

  it('does not treat YAML merge keys (<<) as merges', async () => {
    const root = await folder('merge');
    const path = join(root, 'spec.yaml');
    await writeFile(path, 'base: &b\n  columns: [a]\nversion: 1\ninputs:\n  x:\n    <<: *b\n');
    await assert.rejects(loadSpec(request({ path, modelPath: join(root, 'model.onnx') })), configInvalid(/unknown key/));
  });
});

describe('loadSpec: untrusted YAML', () => {
  /** Runs loadSpec on the text, and returns the error or the loaded spec; it never throws. */
  async function attempt(name: string, text: string): Promise<unknown> {
    const root = await folder(name);
    const path = join(root, 'spec.yaml');
    await writeFile(path, text);
    try {
      return await loadSpec(request({ path, modelPath: join(root, 'model.onnx') }));
    } catch (error) {
      return error;
    }
  }

  it('never runs code from !!js/function or a custom tag (an error, or plain values)', async () => {
    const global = globalThis as { __onnxBatchPwned?: boolean };
    delete global.__onnxBatchPwned;
    const texts = [
      'version: 1\ninputs:\n  x:\n    columns: [!!js/function "function () { globalThis.__onnxBatchPwned = true; return \'a\' }"]\n',
      'version: 1\nsteps:\n  - log1p:\n      columns: !custom [a]\ninputs:\n  x:\n    columns: [a]\n',
      'version: !!js/undefined\ninputs:\n  x:\n    columns: [a]\n',
      'version: 1\ninputs: !!python/object/apply:os.system ["touch /tmp/onnx-batch-pwned"]\n',
    ];
    for (const [index, text] of texts.entries()) {
      const result = await attempt(`tags-${index}`, text);
      if (result instanceof Error) {
        configInvalid()(result);
      } else {
        // Loaded: every value is plain data (strings, numbers, lists, mappings), never a function.
        const seen = JSON.stringify(result, (_key, value: unknown) => {
          assert.notEqual(typeof value, 'function', `a function in the spec of text ${index}`);
          return value;
        });
        assert.ok(seen.length > 0);
      }
      assert.equal(global.__onnxBatchPwned, undefined, `text ${index} ran code`);
    }
  });

  it('loads a tagged string as the plain string, not code', async () => {
    const result = await attempt('tag-plain', 'version: 1\ninputs:\n  x:\n    columns: [!custom a]\n');
    if (!(result instanceof Error)) {
      assert.deepEqual((result as { spec: { inputs: Record<string, { columns: unknown }> } }).spec.inputs['x']?.columns, ['a']);
    } else {
      configInvalid()(result);
    }
  });

  it('refuses an alias bomb (billion laughs) quickly', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = 'abcdefghi';
    for (let level = 1; level < names.length; level++) {
      const previous = `*${names[level - 1]}`;
      lines.push(`${names[level]}: &${names[level]} [${Array.from({ length: 9 }, () => previous).join(',')}]`);
    }
    lines.push('version: 1', 'inputs:', '  x:', '    columns: *i');
    const started = performance.now();
    const result = await attempt('bomb', `${lines.join('\n')}\n`);
    const elapsed = performance.now() - started;
    assert.ok(result instanceof Error, 'the bomb must be refused');
    configInvalid(/not valid YAML or JSON/)(result);
    assert.ok(elapsed < 2000, `took ${Math.round(elapsed)} ms`);
  });

  it('refuses a small alias bomb nested in a step quickly', async () => {
    const text = [
      'x0: &x0 [a, a, a, a, a, a, a, a, a, a]',
      'x1: &x1 [*x0, *x0, *x0, *x0, *x0, *x0, *x0, *x0, *x0, *x0]',
      'x2: &x2 [*x1, *x1, *x1, *x1, *x1, *x1, *x1, *x1, *x1, *x1]',
      'x3: &x3 [*x2, *x2, *x2, *x2, *x2, *x2, *x2, *x2, *x2, *x2]',
      'x4: &x4 [*x3, *x3, *x3, *x3, *x3, *x3, *x3, *x3, *x3, *x3]',
      'x5: &x5 [*x4, *x4, *x4, *x4, *x4, *x4, *x4, *x4, *x4, *x4]',
      'version: 1',
      'steps:',
      '  - select:',
      '      columns: *x5',
      'inputs:',
      '  x:',
      '    columns: [a]',
      '',
    ].join('\n');
    const started = performance.now();
    const result = await attempt('bomb-small', text);
    assert.ok(result instanceof Error);
    configInvalid()(result);
    assert.ok(performance.now() - started < 2000);
  });

  it('still accepts a few ordinary anchors and aliases', async () => {
    const result = await attempt('aliases', 'cols: &cols [a, b]\nversion: 1\ninputs:\n  x:\n    columns: *cols\n');
    // An unknown top-level key 'cols' is reported: aliases are read, then the spec is checked as usual.
    assert.ok(result instanceof Error);
    configInvalid(/unknown key 'cols'/)(result);
  });
});
