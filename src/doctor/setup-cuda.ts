// Doctor: `onnx-batch setup cuda`. Puts ONNX Runtime's CUDA provider libraries next to
// onnxruntime-node's binding without its install script's download (from a host build machines often
// cannot reach): from an npm registry package that carries the same ORT build, or from a local tarball.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelError, OutputError, UsageError } from '../errors.js';
import { findRuntimeFiles, PROVIDER_LIBRARIES } from './runtime-files.js';

/** The npm package with ORT 1.29.0's Linux x64 CUDA 13 / cuDNN 9 provider libraries (a Unity package). */
export const CUDA_PACKAGE = { name: 'com.github.asus4.onnxruntime.linux-x64-gpu', version: '0.4.9', libraryDir: 'package/Plugins/Linux/x64' } as const;

/** One installed file. */
export interface InstalledFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** What `setup cuda` did. */
export interface SetupResult {
  readonly source: string;
  readonly packageVersion: string;
  readonly installed: readonly InstalledFile[];
  /** Notes for the user (a package version other than the tested one). */
  readonly warnings: readonly string[];
}

const LIBRARIES = [PROVIDER_LIBRARIES.cuda.bridge, PROVIDER_LIBRARIES.cuda.library];

/** Installs the CUDA provider libraries from `from` (a .tgz or .tar of the package), or from the npm registry. */
export async function setupCuda(from: string | undefined): Promise<SetupResult> {
  const runtime = await findRuntimeFiles();
  const work = await mkdtemp(join(tmpdir(), 'onnx-batch-setup-'));
  try {
    const tarball = from ?? (await npmPack(work));
    if ((await stat(tarball).catch(() => undefined))?.isFile() !== true) {
      throw new UsageError('USAGE', `--from ${tarball}: no such file`, { hint: `give the tarball that \`npm pack ${CUDA_PACKAGE.name}@${CUDA_PACKAGE.version}\` writes` });
    }
    const wanted = new Set(['package/package.json', ...LIBRARIES.map((name) => `${CUDA_PACKAGE.libraryDir}/${name}`)]);
    // Loaded here: only `setup` needs it, and every command would pay for loading it at start-up.
    const { extract } = await import('tar');
    try {
      await extract({ file: tarball, cwd: work, filter: (path) => wanted.has(path.replace(/^\.\//, '')) });
    } catch (error) {
      throw new ModelError('SETUP_FAILED', `Cannot read ${tarball} as a tarball: ${(error as Error).message}`, { hint: 'give a .tgz or .tar of the npm package', cause: error });
    }
    const manifest = await readFile(join(work, 'package', 'package.json'), 'utf8').catch(() => undefined);
    const { name, version } = (manifest === undefined ? {} : JSON.parse(manifest)) as { name?: string; version?: string };
    if (name !== CUDA_PACKAGE.name) {
      throw new ModelError('SETUP_FAILED', `${tarball} is not the ${CUDA_PACKAGE.name} package (its package.json names ${JSON.stringify(name ?? null)})`, {
        hint: `npm pack ${CUDA_PACKAGE.name}@${CUDA_PACKAGE.version}`,
      });
    }
    const warnings = version === CUDA_PACKAGE.version ? [] : [`${name}@${version ?? '?'} is not the tested version ${CUDA_PACKAGE.version}; its libraries are checked against ONNX Runtime ${runtime.version} all the same`];
    const installed: InstalledFile[] = [];
    for (const library of LIBRARIES) {
      const extracted = join(work, CUDA_PACKAGE.libraryDir, library);
      if ((await stat(extracted).catch(() => undefined))?.isFile() !== true) {
        throw new ModelError('SETUP_FAILED', `${tarball} has no ${CUDA_PACKAGE.libraryDir}/${library}`, { hint: 'the package layout changed: use the tested version' });
      }
      // The version string is in the provider library (the bridge library carries none).
      if (library === PROVIDER_LIBRARIES.cuda.library && !(await containsText(extracted, `\0${runtime.version}\0`))) {
        throw new ModelError('SETUP_FAILED', `${library} in ${tarball} was not built for ONNX Runtime ${runtime.version} (onnxruntime-node's version)`, {
          hint: `use ${CUDA_PACKAGE.name}@${CUDA_PACKAGE.version}, which carries ORT 1.29.0, or the official route: ONNXRUNTIME_NODE_INSTALL=cuda12`,
        });
      }
      installed.push(await install(extracted, join(runtime.bindingDir, library)));
    }
    return { source: from ?? `${CUDA_PACKAGE.name}@${CUDA_PACKAGE.version} (npm registry)`, packageVersion: version ?? '?', installed, warnings };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `npm pack` of the package into `dir`; the path of the tarball. */
function npmPack(dir: string): Promise<string> {
  const spec = `${CUDA_PACKAGE.name}@${CUDA_PACKAGE.version}`;
  return new Promise((resolve, reject) => {
    execFile('npm', ['pack', spec, '--pack-destination', dir, '--json', '--silent'], { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const filename = error === null ? (JSON.parse(stdout) as { filename?: string }[])[0]?.filename : undefined;
      if (filename !== undefined) {
        resolve(join(dir, filename));
        return;
      }
      const reason = (stderr || error?.message || 'no tarball written').trim().split('\n').slice(-1)[0] ?? '';
      reject(new ModelError('SETUP_FAILED', `npm pack ${spec} failed: ${reason}`, { hint: 'on a machine without registry access, npm pack it elsewhere and pass the tarball with --from' }));
    });
  });
}

/** Copies a library into place under a temporary name, then renames it (a running process never sees half a file). */
async function install(from: string, to: string): Promise<InstalledFile> {
  const temporary = `${to}.${process.pid}.tmp`;
  try {
    await copyFile(from, temporary);
    await chmod(temporary, 0o755);
    await rename(temporary, to);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new OutputError('OUTPUT_FAILED', `Cannot write ${to}: ${(error as Error).message}`, { hint: 'run setup as the user that owns node_modules', cause: error });
  }
  const [expected, written] = await Promise.all([sha256(from), sha256(to)]);
  if (expected !== written) throw new OutputError('OUTPUT_FAILED', `${to} differs from the package's file after copying`, { hint: 'check the disk, then run setup again' });
  return { path: to, bytes: (await stat(to)).size, sha256: written };
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Whether a (large) file holds these bytes, read as a stream. */
async function containsText(path: string, text: string): Promise<boolean> {
  const needle = Buffer.from(text, 'latin1');
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const window = Buffer.concat([tail, chunk as Buffer]);
    if (window.includes(needle)) return true;
    tail = window.subarray(Math.max(0, window.length - needle.length + 1));
  }
  return false;
}
