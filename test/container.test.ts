// Container image: the Dockerfile lints clean and keeps its promises (scripts/check-dockerfile.mjs
// --lint-only; CI also follows its build steps without Docker, see .ci/run).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/cli.js';

describe('Dockerfile', () => {
  it('lints clean: non-root numeric user, onnx-batch entrypoint, CPU image by default, every COPY source in the context', () => {
    const output = execFileSync(process.execPath, [join(ROOT, 'scripts', 'check-dockerfile.mjs'), '--lint-only'], { cwd: ROOT, encoding: 'utf8' });
    assert.match(output, /lint and checks passed \(build, app, cuda-libraries, cuda, cpu\)/);
  });
});
