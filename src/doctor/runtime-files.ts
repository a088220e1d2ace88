// Doctor: where onnxruntime-node keeps its native files. ONNX Runtime opens an execution provider's
// library from the directory of its own libonnxruntime.so, which is the binding's directory.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The installed onnxruntime-node: its version and the directory of its native binding. */
export interface RuntimeFiles {
  readonly version: string;
  readonly packageDir: string;
  /** bin/napi-v6/<platform>/<arch>: the binding, libonnxruntime.so.1, and provider libraries beside them. */
  readonly bindingDir: string;
}

/** Provider libraries by execution provider: what ONNX Runtime opens for it, and what it opens first. */
export const PROVIDER_LIBRARIES = {
  cuda: { library: 'libonnxruntime_providers_cuda.so', bridge: 'libonnxruntime_providers_shared.so' },
} as const;

/** The core runtime library, which every provider needs. */
export const CORE_LIBRARY = 'libonnxruntime.so.1';

/** Finds onnxruntime-node as this installation resolves it (not by importing it: that loads the runtime). */
export async function findRuntimeFiles(): Promise<RuntimeFiles> {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('onnxruntime-node/package.json');
  const packageDir = dirname(packageJson);
  const { version } = JSON.parse(await readFile(packageJson, 'utf8')) as { version: string };
  return { version, packageDir, bindingDir: join(packageDir, 'bin', 'napi-v6', process.platform, process.arch) };
}
