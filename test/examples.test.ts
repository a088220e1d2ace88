// Recipes in examples/: each parses, has the fields its scheduler requires, and every onnx-batch
// command line in it parses with the CLI's own commands and options (commander, as `onnx-batch` runs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { parse, parseAllDocuments } from 'yaml';
import { addReportCommand } from '../src/cli/commands/report.js';
import { addScoreCommand } from '../src/cli/commands/score.js';
import { ROOT } from './helpers/cli.js';

const EXAMPLES = join(ROOT, 'examples');

/** Thrown instead of running the command: parsing is all the test wants. */
class Parsed extends Error {
  constructor(readonly options: Record<string, unknown>) {
    super('parsed');
  }
}

/** Parses `argv` (without `onnx-batch`) with the real command definitions; returns the options, or throws commander's error. */
function parseCommandLine(argv: readonly string[]): Record<string, unknown> {
  const program = new Command('onnx-batch').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  addScoreCommand(program, { signal: new AbortController().signal, verbose: false });
  addReportCommand(program);
  program.hook('preAction', (_program, action) => {
    throw new Parsed(action.opts());
  });
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof Parsed) return error.options;
    throw new assert.AssertionError({ message: `onnx-batch ${argv.join(' ')}: ${(error as Error).message}` });
  }
  throw new assert.AssertionError({ message: `onnx-batch ${argv.join(' ')}: no command ran` });
}

/** Words of a shell command line: quotes and backslash-newlines as sh reads them; no expansion. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] as string;
    if (char === '\\' && line[i + 1] === '\n') {
      i++;
    } else if (char === "'" || char === '"') {
      const end = line.indexOf(char, i + 1);
      assert.ok(end > i, `unclosed quote in ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

function readYaml(path: string): Record<string, any> {
  return parse(readFileSync(join(EXAMPLES, path), 'utf8')) as Record<string, any>;
}

/** The value after `flag` in argv. */
function valueOf(argv: readonly string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at < 0 ? undefined : argv[at + 1];
}

/** A pod spec: restartPolicy Never, non-root, and every mount backed by a volume. */
function checkPod(pod: Record<string, any>, what: string): { args: string[]; container: Record<string, any> } {
  assert.equal(pod.restartPolicy, 'Never', `${what}: restartPolicy`);
  assert.equal(pod.securityContext?.runAsNonRoot, true, `${what}: runAsNonRoot`);
  assert.ok(pod.terminationGracePeriodSeconds >= 60, `${what}: time to finish a batch and write the report after SIGTERM`);
  const [container] = pod.containers as Record<string, any>[];
  assert.ok(container !== undefined && typeof container.image === 'string' && container.image.includes('onnx-batch'), `${what}: image`);
  assert.ok(container.resources?.requests?.cpu !== undefined && container.resources?.requests?.memory !== undefined, `${what}: resource requests`);
  const volumes = new Set((pod.volumes as { name: string }[]).map((volume) => volume.name));
  for (const mount of container.volumeMounts as { name: string }[]) assert.ok(volumes.has(mount.name), `${what}: volume ${mount.name}`);
  const args = (container.args as unknown[]).map(String);
  parseCommandLine(args);
  return { args, container };
}

describe('examples', () => {
  for (const [file, gpu] of [['kubernetes/indexed-job.yaml', false], ['kubernetes/indexed-job-cuda.yaml', true]] as const) {
    it(`${file}: an Indexed Job whose --shard-count is its completions and parallelism`, () => {
      const job = readYaml(file);
      assert.equal(job.apiVersion, 'batch/v1');
      assert.equal(job.kind, 'Job');
      assert.equal(job.spec.completionMode, 'Indexed');
      assert.ok(Number.isInteger(job.spec.completions) && job.spec.completions > 1);
      assert.equal(job.spec.parallelism, job.spec.completions);
      const { args, container } = checkPod(job.spec.template.spec, file);
      assert.equal(args[0], 'score');
      assert.equal(valueOf(args, '--shard-count'), String(job.spec.completions), 'the index comes from JOB_COMPLETION_INDEX, the count from the flag');
      assert.ok((valueOf(args, '-o') ?? '').endsWith('/'), 'parts into a directory');
      if (gpu) {
        assert.ok(container.resources.limits['nvidia.com/gpu'] >= 1, 'a GPU per pod');
        assert.equal(valueOf(args, '--ep'), 'cuda');
        assert.match(container.image, /cuda/);
      } else {
        assert.equal(container.resources.limits?.['nvidia.com/gpu'], undefined);
      }
    });
  }

  it('kubernetes/cronjob.yaml: a nightly CronJob of Indexed Jobs with --state on a volume every worker mounts, never two at once', () => {
    const documents = parseAllDocuments(readFileSync(join(EXAMPLES, 'kubernetes/cronjob.yaml'), 'utf8')).map((document) => document.toJS() as Record<string, any>);
    const claim = documents.find((document) => document.kind === 'PersistentVolumeClaim');
    const cron = documents.find((document) => document.kind === 'CronJob');
    assert.ok(claim !== undefined && cron !== undefined);
    assert.equal(cron.apiVersion, 'batch/v1');
    assert.equal(cron.spec.schedule.split(' ').length, 5);
    assert.equal(cron.spec.concurrencyPolicy, 'Forbid');
    const job = cron.spec.jobTemplate.spec;
    assert.equal(job.completionMode, 'Indexed');
    assert.equal(job.parallelism, job.completions);
    const pod = job.template.spec;
    const { args, container } = checkPod(pod, 'cronjob');
    assert.equal(valueOf(args, '--shard-count'), String(job.completions), 'the index comes from JOB_COMPLETION_INDEX, the count from the flag');
    assert.deepEqual(claim.spec.accessModes, ['ReadWriteMany'], 'each worker writes its state file on the claim');
    const state = valueOf(args, '--state') ?? '';
    const mount = (container.volumeMounts as { name: string; mountPath: string }[]).find((candidate) => state.startsWith(`${candidate.mountPath}/`));
    const volume = (pod.volumes as { name: string; persistentVolumeClaim?: { claimName: string } }[]).find((candidate) => candidate.name === mount?.name);
    assert.equal(volume?.persistentVolumeClaim?.claimName, claim.metadata.name, 'the state file is on the claim');
  });

  it('aws-batch: an array job whose size is ONNX_BATCH_SHARD_COUNT', () => {
    const definition = JSON.parse(readFileSync(join(EXAMPLES, 'aws-batch/job-definition.json'), 'utf8')) as Record<string, any>;
    const submit = JSON.parse(readFileSync(join(EXAMPLES, 'aws-batch/submit-job.json'), 'utf8')) as Record<string, any>;
    assert.equal(definition.type, 'container');
    const container = definition.containerProperties;
    assert.ok(typeof container.image === 'string' && container.image.length > 0);
    const types = (container.resourceRequirements as { type: string }[]).map((requirement) => requirement.type);
    assert.ok(types.includes('VCPU') && types.includes('MEMORY'));
    const volumes = new Set((container.volumes as { name: string }[]).map((volume) => volume.name));
    for (const mount of container.mountPoints as { sourceVolume: string }[]) assert.ok(volumes.has(mount.sourceVolume));
    assert.notEqual(container.user, 'root');
    parseCommandLine(container.command);
    const count = (container.environment as { name: string; value: string }[]).find((variable) => variable.name === 'ONNX_BATCH_SHARD_COUNT')?.value;
    assert.equal(submit.jobDefinition, definition.jobDefinitionName);
    assert.ok(submit.arrayProperties.size >= 2 && submit.arrayProperties.size <= 10000, 'AWS Batch array sizes are 2 to 10,000');
    assert.equal(count, String(submit.arrayProperties.size));
  });

  it('airflow: one mapped pod task per shard, then a merge; the command lines parse', () => {
    const dag = readFileSync(join(EXAMPLES, 'airflow/score_history.py'), 'utf8');
    const lists = new Map([...dag.matchAll(/^(\w+_ARGS) = (\[.*\])$/gm)].map((match) => [match[1] as string, parse(match[2] as string) as string[]]));
    const score = lists.get('SCORE_ARGS');
    const merge = lists.get('MERGE_ARGS');
    assert.ok(score !== undefined && merge !== undefined);
    const shards = Number(/^SHARDS = (\d+)$/m.exec(dag)?.[1]);
    assert.ok(shards > 1);
    for (const k of [0, shards - 1]) assert.equal(parseCommandLine([...score, '--shard', `${k}/${shards}`]).shard, `${k}/${shards}`);
    assert.equal(merge.slice(0, 2).join(' '), 'report merge');
    parseCommandLine(merge);
    assert.match(dag, /KubernetesPodOperator\.partial\(/);
    assert.match(dag, /\.expand\(arguments=\[SCORE_ARGS \+ \["--shard", f"\{k\}\/\{SHARDS\}"\] for k in range\(SHARDS\)\]\)/);
    assert.match(dag, /score >> merge/);
  });

  it('github-actions: scores a test set, gates on the report, keeps the reports', () => {
    const workflow = readYaml('github-actions/score-test-set.yml');
    assert.ok(workflow.on !== undefined && workflow.name !== undefined);
    const [job] = Object.values(workflow.jobs as Record<string, any>);
    assert.ok(job !== undefined && typeof job['runs-on'] === 'string');
    const steps = job.steps as Record<string, any>[];
    for (const step of steps) assert.ok(step.uses !== undefined || step.run !== undefined);
    const lines = steps
      .filter((step) => typeof step.run === 'string')
      .flatMap((step) => (step.run as string).replace(/\\\n/g, ' ').split('\n'))
      .map((line) => line.trim())
      .filter((line) => line.startsWith('onnx-batch '));
    assert.ok(lines.length > 0);
    for (const line of lines) {
      const options = parseCommandLine(shellWords(line).slice(1));
      assert.ok(Array.isArray(options.failOn) && options.failOn.length > 0, 'gates');
      assert.ok(typeof options.report === 'string');
    }
    const upload = steps.find((step) => String(step.uses).startsWith('actions/upload-artifact'));
    assert.equal(upload?.if, 'always()', 'reports are kept when a gate fails');
  });

  it('the command-line parser of this test refuses what onnx-batch refuses', () => {
    assert.throws(() => parseCommandLine(['score', '-m', 'm.onnx', '-i', 'x.csv', '-o', 'y.csv', '--on-error', 'maybe']), /--on-error/);
    assert.throws(() => parseCommandLine(['score', '-i', 'x.csv', '-o', 'y.csv']), /--model/);
    assert.throws(() => parseCommandLine(['score', '-m', 'm.onnx', '-i', 'x.csv', '-o', 'y.csv', '--shards', '2']), /unknown option/);
    assert.deepEqual(shellWords("a 'b c' \"d\"e \\\n f"), ['a', 'b c', 'de', 'f']);
  });
});
