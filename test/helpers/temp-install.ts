// Test helper: a throwaway installation of onnx-batch whose onnxruntime-node folder the test may
// change (add or remove provider libraries) without touching the repository's node_modules.
// Built files are copied; other packages and the 45 MB libonnxruntime.so.1 are linked: ONNX
// Runtime looks for provider libraries in the folder its library was opened from, the link's.
import { copyFileSync, cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';
import { tempDir } from './temp-dir.js';

export interface TempInstall {
  readonly root: string;
  /** Its bin/onnx-batch.js, for runCli's `bin`. */
  readonly bin: string;
  /** Where its onnxruntime-node keeps the binding and looks for provider libraries. */
  readonly bindingDir: string;
}

const BINDING = join('bin', 'napi-v6', process.platform, process.arch);

/** Makes the installation: package.json, bin/, dist/src/, schema/ and node_modules/ with its own onnxruntime-node. */
export async function makeTempInstall(): Promise<TempInstall> {
  const root = await tempDir('onnx-batch-install-');
  copyFileSync(join(ROOT, 'package.json'), join(root, 'package.json'));
  cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist', 'src'), join(root, 'dist', 'src'), { recursive: true });
  cpSync(join(ROOT, 'schema'), join(root, 'schema'), { recursive: true });
  mkdirSync(join(root, 'node_modules'));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name !== 'onnxruntime-node' && !name.startsWith('.')) symlinkSync(join(ROOT, 'node_modules', name), join(root, 'node_modules', name));
  }
  const from = join(ROOT, 'node_modules', 'onnxruntime-node');
  const to = join(root, 'node_modules', 'onnxruntime-node');
  mkdirSync(join(to, BINDING), { recursive: true });
  copyFileSync(join(from, 'package.json'), join(to, 'package.json'));
  cpSync(join(from, 'dist'), join(to, 'dist'), { recursive: true });
  copyFileSync(join(from, BINDING, 'onnxruntime_binding.node'), join(to, BINDING, 'onnxruntime_binding.node'));
  symlinkSync(join(from, BINDING, 'libonnxruntime.so.1'), join(to, BINDING, 'libonnxruntime.so.1'));
  return { root, bin: join(root, 'bin', 'onnx-batch.js'), bindingDir: join(to, BINDING) };
}
