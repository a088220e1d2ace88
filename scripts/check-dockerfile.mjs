// Checks the Dockerfile where no Docker engine runs (CI): lints it with dockerfile-utils (the
// validator behind VS Code's Docker support), checks what the images promise (a non-root numeric
// user, the onnx-batch entrypoint, the CPU image as the default target, a context that holds every
// COPY source), then follows the `build` and `app` stages step by step in a clean temporary folder:
// each stage's file system is a folder, COPY copies into it, RUN runs the same shell line there
// with the stage's ENV. The CUDA stages need NVIDIA's base image and the GPU package download;
// they are linted, not followed.
// Usage: node scripts/check-dockerfile.mjs [--lint-only] [--keep]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from 'dockerfile-utils';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FOLLOWED = ['build', 'app'];
const lintOnly = process.argv.includes('--lint-only');
const keep = process.argv.includes('--keep');

const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const problems = [];

for (const diagnostic of validate(text)) {
  problems.push(`Dockerfile:${diagnostic.range.start.line + 1}: ${diagnostic.severity === 1 ? 'error' : 'warning'}: ${diagnostic.message}`);
}

const stages = parseStages(text);
const last = stages.at(-1);
if (last?.name !== 'cpu') problems.push(`the last stage (the default target) must be the CPU image 'cpu', got '${last?.name}'`);
for (const name of ['cpu', 'cuda']) {
  const stage = stages.find((candidate) => candidate.name === name);
  if (stage === undefined) {
    problems.push(`no stage '${name}'`);
    continue;
  }
  const user = stage.steps.filter((step) => step.op === 'USER').at(-1)?.args;
  if (user === undefined || !/^[1-9]\d*(:\d+)?$/.test(user)) problems.push(`stage '${name}' must end as a numeric non-root USER (Kubernetes runAsNonRoot checks it), got ${user ?? 'root'}`);
  const entrypoint = stage.steps.filter((step) => step.op === 'ENTRYPOINT').at(-1)?.args;
  if (entrypoint !== '["onnx-batch"]') problems.push(`stage '${name}' must have ENTRYPOINT ["onnx-batch"], got ${entrypoint}`);
}
if (!/npm ci --omit=dev/.test(text)) problems.push('the app stage must install with npm ci --omit=dev');

const ignore = parseDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
for (const stage of stages) {
  for (const step of stage.steps.filter((candidate) => candidate.op === 'COPY' && !candidate.args.startsWith('--from='))) {
    for (const source of copyParts(step.args).sources) {
      if (isIgnored(ignore, source)) problems.push(`Dockerfile:${step.line}: COPY ${source}, which .dockerignore leaves out of the context`);
      if (!existsSync(join(ROOT, source))) problems.push(`Dockerfile:${step.line}: COPY ${source}, which does not exist`);
    }
  }
}

if (problems.length > 0) fail(problems);
console.log(`Dockerfile: lint and checks passed (${stages.map((stage) => stage.name).join(', ')})`);
if (lintOnly) process.exit(0);

const work = mkdtempSync(join(tmpdir(), 'onnx-batch-docker-'));
try {
  for (const name of FOLLOWED) follow(stages.find((stage) => stage.name === name), work);
  console.log(`Dockerfile: followed stages ${FOLLOWED.join(', ')} in ${work}`);
} catch (error) {
  console.error(`check-dockerfile: ${error.message}`);
  process.exitCode = 1;
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

/** Runs a stage's COPY and RUN steps with its folder standing for the image's root. */
function follow(stage, work) {
  const root = join(work, stage.name);
  const inRoot = (path) => join(root, path);
  let workdir = '/';
  const env = {};
  for (const step of stage.steps) {
    if (step.op === 'WORKDIR') {
      workdir = isAbsolute(step.args) ? step.args : join(workdir, step.args);
      mkdirSync(inRoot(workdir), { recursive: true });
    } else if (step.op === 'ENV') {
      for (const [key, value] of parseEnv(step.args)) env[key] = value.replace(/(^|:)(\/[^:$]*)/g, (_, before, path) => before + inRoot(path)).replaceAll('$PATH', process.env.PATH ?? '');
    } else if (step.op === 'COPY') {
      const { from, sources, destination } = copyParts(step.args);
      const target = inRoot(isAbsolute(destination) ? destination : join(workdir, destination));
      for (const source of sources) {
        const origin = from === undefined ? join(ROOT, source) : join(work, from, source);
        const into = destination.endsWith('/') ? join(target, source.split('/').at(-1)) : target;
        mkdirSync(dirname(into), { recursive: true });
        cpSync(origin, into, { recursive: true });
      }
    } else if (step.op === 'RUN') {
      const command = step.args.replace(/^(--mount=\S+\s+)+/, '');
      console.log(`[${stage.name}] RUN ${command}`);
      execFileSync('sh', ['-ec', command], { cwd: inRoot(workdir), env: { ...process.env, ...env }, stdio: 'inherit' });
    }
  }
  console.log(`[${stage.name}] done: ${relative(work, inRoot(workdir))}`);
}

/** Stages with their steps; line continuations joined, comments and parser directives dropped. */
function parseStages(dockerfile) {
  const stages = [];
  let pending = '';
  let startLine = 0;
  dockerfile.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending === '') startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const whole = (pending + line).trim();
    pending = '';
    const [, op, args] = /^(\S+)\s*(.*)$/.exec(whole);
    const step = { op: op.toUpperCase(), args: args.trim(), line: startLine };
    if (step.op === 'FROM') {
      const named = /\sAS\s+(\S+)$/i.exec(step.args);
      stages.push({ name: named?.[1] ?? String(stages.length), from: step.args.split(/\s+/)[0], steps: [] });
    } else {
      stages.at(-1)?.steps.push(step);
    }
  });
  return stages;
}

function copyParts(args) {
  const words = args.split(/\s+/);
  const from = words[0]?.startsWith('--from=') ? words.shift().slice('--from='.length) : undefined;
  const destination = words.pop();
  return { from, sources: words.map((word) => word.replace(/^\.\//, '')), destination };
}

function parseEnv(args) {
  return [...args.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map(([, key, value]) => [key, value.replace(/^"|"$/g, '')]);
}

/** .dockerignore rules in order: the last matching rule decides (a `!` rule lets a path back in). */
function parseDockerignore(content) {
  return content
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
      const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
      return { negated, regex: new RegExp(`^${regex}(/.*)?$`) };
    });
}

function isIgnored(rules, path) {
  let ignored = false;
  for (const rule of rules) if (rule.regex.test(path)) ignored = !rule.negated;
  return ignored;
}

function fail(lines) {
  for (const line of lines) console.error(`check-dockerfile: ${line}`);
  process.exit(1);
}
