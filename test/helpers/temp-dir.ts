// Test helper: temporary folders that are removed when the test file's process ends.
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

// Removed at process exit rather than in a node:test after() hook: folders are made in hooks, in
// tests and at module level, and some are shared by several tests of a file, so only the end of the
// file's process (node --test runs each file in its own) is a safe moment for all of them.
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test file ends. */
export async function tempDir(prefix = 'onnx-batch-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
