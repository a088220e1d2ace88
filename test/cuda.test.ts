// End to end, on a machine without a GPU: what `--ep cuda`, `doctor` and `setup cuda` say when the CUDA
// provider's pieces are missing one by one. Each case runs a throwaway installation whose
// onnxruntime-node folder holds what the case needs: nothing, or the small stand-ins of
// fixtures/cuda (real shared libraries that need what ORT's CUDA provider needs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { create } from 'tar';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { makeTempInstall, type TempInstall } from './helpers/temp-install.js';

const IRIS = join(FIXTURES, 'iris-csv');
const FAKES = join(FIXTURES, 'cuda');
const LIBRARIES = ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'];
const CUDA_NEEDS = ['libcublasLt.so.13', 'libcublas.so.13', 'libcurand.so.10', 'libcudart.so.13', 'libcuda.so.1'];
// These cases describe a machine without NVIDIA's driver; a GPU machine runs test/cuda-gpu.test.ts instead.
const gpuMachine = existsSync('/proc/driver/nvidia') ? 'this machine has an NVIDIA driver: the CUDA tests (ONNX_BATCH_TEST_CUDA=1) cover it' : false;

/** What glibc's own tool says the loader's cache holds: the independent check of which libraries are missing here. */
const ldconfigLines = (() => {
  try {
    return execFileSync(existsSync('/sbin/ldconfig') ? '/sbin/ldconfig' : 'ldconfig', ['-p'], { encoding: 'utf8' });
  } catch {
    return '';
  }
})();
const missingHere = (names: readonly string[]): string[] => names.filter((name) => !ldconfigLines.includes(`\t${name} (libc6,x86-64)`));

function withFakes(install: TempInstall, kind: 'missing-deps' | 'resolvable'): void {
  for (const name of LIBRARIES) copyFileSync(join(FAKES, kind, name), join(install.bindingDir, name));
}

interface Report {
  executionProvider: { requested: string; asked: string[]; used: string; fallbackReason: string | null; nodes: Record<string, number> | null; cuda: unknown };
  warnings: string[];
}

interface DoctorJson {
  ok: boolean;
  providers: Record<string, { ok: boolean; library: string | null; missing: string[]; devices: unknown[]; dependencies: { name: string; path: string | null; via: string | null }[] }>;
}

async function score(install: TempInstall, ep: string, env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; report: Report }> {
  const out = join(await tempDir(), 'out.csv');
  const result = await runCli(['score', '-m', join(IRIS, 'model.onnx'), '-i', join(IRIS, 'input.csv'), '-o', out, '--ep', ep], { bin: install.bin, env });
  return { code: result.code, stderr: result.stderr, report: JSON.parse(await readFile(`${out}.report.json`, 'utf8')) as Report };
}

describe('--ep cuda without a GPU', { skip: gpuMachine }, () => {
  it('names the missing provider library first (exit 4)', async () => {
    const install = await makeTempInstall();
    const { code, stderr } = await score(install, 'cuda');
    assert.equal(code, 4, stderr);
    const first = stderr.split('\n')[0] ?? '';
    assert.match(first, /Execution provider 'cuda' is not available: libonnxruntime_providers_cuda\.so and libonnxruntime_providers_shared\.so are not in .*napi-v6/);
    assert.match(stderr, /hint: run `onnx-batch doctor --ep cuda`.*`onnx-batch setup cuda`/);
  });

  it('names each missing dependency of the provider library (exit 4)', async () => {
    const install = await makeTempInstall();
    withFakes(install, 'missing-deps');
    const { code, stderr } = await score(install, 'cuda', { LD_LIBRARY_PATH: '' });
    assert.equal(code, 4, stderr);
    const missing = missingHere([...CUDA_NEEDS, 'libcudnn.so.9']);
    assert.ok(missing.includes('libcuda.so.1'), 'without a driver, libcuda.so.1 is missing');
    assert.match(stderr.split('\n')[0] ?? '', new RegExp(`not available: missing shared libraries: ${missing.join(', ').replaceAll('.', '\\.')} \\(searched LD_LIBRARY_PATH`));
  });

  it('says no GPU is visible when every library resolves (exit 4)', async () => {
    const install = await makeTempInstall();
    withFakes(install, 'resolvable');
    // cuDNN, which the provider opens at run time, from LD_LIBRARY_PATH (any x86-64 library of that name).
    const libraries = await tempDir();
    copyFileSync(join(FAKES, 'resolvable', 'libonnxruntime_providers_shared.so'), join(libraries, 'libcudnn.so.9'));
    const { code, stderr } = await score(install, 'cuda:1', { LD_LIBRARY_PATH: libraries });
    assert.equal(code, 4, stderr);
    assert.match(stderr.split('\n')[0] ?? '', /Execution provider 'cuda:1' is not available: no NVIDIA GPU is visible/);
  });

  it('--ep cuda,cpu falls back to the CPU with a warning and says why in the report', async () => {
    const install = await makeTempInstall();
    withFakes(install, 'missing-deps');
    const { code, stderr, report } = await score(install, 'cuda,cpu', { LD_LIBRARY_PATH: '' });
    assert.equal(code, 0, stderr);
    assert.match(stderr, /warning: execution provider 'cuda' is not available: missing shared libraries: libcublasLt\.so\.13.*; falling back to 'cpu'/);
    const ep = report.executionProvider;
    assert.deepEqual([ep.requested, ep.asked, ep.used, ep.cuda], ['cuda,cpu', ['cuda', 'cpu'], 'cpu', null]);
    assert.match(ep.fallbackReason ?? '', /missing shared libraries: libcublasLt\.so\.13/);
    assert.deepEqual(ep.nodes, { cpu: 1 }, 'the iris model is one LinearClassifier node');
    assert.deepEqual(report.warnings, [ep.fallbackReason]);
  });
});

describe('doctor', { skip: gpuMachine }, () => {
  it('reports the CPU working and the CUDA provider library missing; exit 0 for cpu, 4 for --ep cuda', async () => {
    const install = await makeTempInstall();
    const plain = await runCli(['doctor'], { bin: install.bin });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /provider cpu: ok\n/);
    assert.match(plain.stdout, /smoke {5}passed/);
    const asked = await runCli(['doctor', '--ep', 'cuda', '--json'], { bin: install.bin });
    assert.equal(asked.code, 4, asked.stderr);
    const report = JSON.parse(asked.stdout) as DoctorJson;
    assert.equal(report.ok, false);
    assert.deepEqual(report.providers['cuda'], { ...report.providers['cuda'], ok: false, library: null, missing: LIBRARIES, devices: [] });
    assert.equal(report.providers['cpu']?.ok, true);
  });

  it('lists the missing dependencies by name, and finds one that LD_LIBRARY_PATH provides', async () => {
    const install = await makeTempInstall();
    withFakes(install, 'missing-deps');
    const libraries = await tempDir();
    // Any x86-64 shared library named libcudart.so.13 satisfies the loader's lookup by name.
    copyFileSync(join(FAKES, 'resolvable', 'libonnxruntime_providers_shared.so'), join(libraries, 'libcudart.so.13'));
    const result = await runCli(['doctor', '--ep', 'cuda', '--json'], { bin: install.bin, env: { LD_LIBRARY_PATH: libraries } });
    assert.equal(result.code, 4, result.stderr);
    const cuda = (JSON.parse(result.stdout) as DoctorJson).providers['cuda'];
    assert.equal(cuda?.library, join(install.bindingDir, 'libonnxruntime_providers_cuda.so'));
    assert.deepEqual(cuda?.missing, missingHere([...CUDA_NEEDS.filter((name) => name !== 'libcudart.so.13'), 'libcudnn.so.9']));
    assert.deepEqual(
      cuda?.dependencies.find((dependency) => dependency.name === 'libcudart.so.13'),
      { name: 'libcudart.so.13', path: join(libraries, 'libcudart.so.13'), via: 'LD_LIBRARY_PATH', foundOutside: [] },
    );
    assert.ok(cuda?.dependencies.some((dependency) => dependency.name === 'libc.so.6' && dependency.path !== null && dependency.via === 'ld.so.cache'));
  });
});

describe('setup cuda --from', { skip: gpuMachine }, () => {
  async function tarball(name: string, version: string): Promise<string> {
    const dir = await tempDir();
    const libraryDir = join(dir, 'package', 'Plugins', 'Linux', 'x64');
    mkdirSync(libraryDir, { recursive: true });
    writeFileSync(join(dir, 'package', 'package.json'), JSON.stringify({ name, version }));
    for (const library of LIBRARIES) copyFileSync(join(FAKES, 'missing-deps', library), join(libraryDir, library));
    const file = join(dir, `${name}-${version}.tgz`);
    await create({ gzip: true, file, cwd: dir }, ['package']);
    return file;
  }

  it('installs both provider libraries next to the binding, byte for byte, then runs the doctor', async () => {
    const install = await makeTempInstall();
    const result = await runCli(['setup', 'cuda', '--from', await tarball('com.github.asus4.onnxruntime.linux-x64-gpu', '0.4.9')], { bin: install.bin, env: { LD_LIBRARY_PATH: '' } });
    for (const library of LIBRARIES) {
      assert.deepEqual(readFileSync(join(install.bindingDir, library)), readFileSync(join(FAKES, 'missing-deps', library)), library);
      assert.match(result.stderr, new RegExp(`installed .*${library.replaceAll('.', '\\.')} \\(\\d+ bytes, sha256 [0-9a-f]{64}\\)`));
    }
    // The stand-ins' dependencies are not on this machine: the doctor says which, and setup exits 4.
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stdout, /provider cuda: NOT AVAILABLE\n/);
    assert.match(result.stdout, /missing {3}libcublasLt\.so\.13/);
  });

  it('refuses a tarball of another package, installing nothing', async () => {
    const install = await makeTempInstall();
    const result = await runCli(['setup', 'cuda', '--from', await tarball('some-other-package', '1.0.0')], { bin: install.bin });
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /is not the com\.github\.asus4\.onnxruntime\.linux-x64-gpu package \(its package\.json names "some-other-package"\)/);
    for (const library of LIBRARIES) assert.equal(existsSync(join(install.bindingDir, library)), false);
  });
});
