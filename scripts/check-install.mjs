// Checks that the npm package installs and runs outside the clone (README "Install"): `npm pack`, then
// `npm install --global` of the tarball into a clean temporary prefix, from a folder outside the
// repository (so its .npmrc does not apply), with onnxruntime-node's download turned off by the flag
// the README gives and its download host made unreachable (a dead proxy for the install script), so an
// install that still tried to download would fail. Then `onnx-batch --version` and a score of the
// bundled Iris fixture, run from the prefix. Needs a build (dist/) and the npm registry (or its cache).
// Usage: node scripts/check-install.mjs [--keep]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const { name, version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
  console.error('check-install: no build: run `npm run build` first');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'onnx-batch-install-check-'));
const prefix = join(work, 'prefix');
const elsewhere = join(work, 'elsewhere');
mkdirSync(elsewhere);
// What the user's shell would have: no ONNXRUNTIME_NODE_INSTALL, no npm_config_* from a calling npm.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'ONNXRUNTIME_NODE_INSTALL' && !key.toLowerCase().startsWith('npm_')));
const started = Date.now();
try {
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], ROOT, env);
  const tarball = join(work, `${name}-${version}.tgz`);
  if (!existsSync(tarball)) fail(`npm pack wrote no ${tarball}`);
  run(
    'npm',
    ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball, '--onnxruntime-node-install=skip'],
    elsewhere,
    // onnxruntime-node's install script routes its downloads through global-agent, which reads these.
    { ...env, GLOBAL_AGENT_HTTP_PROXY: 'http://127.0.0.1:9', GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9' },
  );
  const bin = join(prefix, 'bin', 'onnx-batch');
  const printed = run(bin, ['--version'], elsewhere, env).trim();
  if (printed !== version) fail(`onnx-batch --version printed ${JSON.stringify(printed)}, expected ${version}`);
  const fixture = join(prefix, 'lib', 'node_modules', name, 'fixtures', 'iris-csv');
  run(bin, ['score', '-m', join(fixture, 'model.onnx'), '-i', join(fixture, 'input.csv'), '-o', 'preds.csv', '-q'], elsewhere, env);
  const rows = readFileSync(join(elsewhere, 'preds.csv'), 'utf8').trim().split('\n').length - 1;
  if (rows !== 150) fail(`the installed onnx-batch scored ${rows} rows of the Iris fixture, expected 150`);
  console.log(`check-install: ${name}-${version}.tgz installs into a clean prefix without the provider download and scores (${((Date.now() - started) / 1000).toFixed(1)} s)`);
} catch (error) {
  console.error(`check-install: ${error.message}`);
  process.exitCode = 1;
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

function run(command, args, cwd, env) {
  try {
    return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    fail(`${command} ${args.join(' ')} failed (exit ${error.status}):\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
}

function fail(message) {
  throw new Error(message);
}
