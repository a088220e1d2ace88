// Test helper: runs the built CLI (bin/onnx-batch.js) as a user would, in a subprocess.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';

/** The repository root (tests run from dist/test/...). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = join(ROOT, 'fixtures');
const BIN = join(ROOT, 'bin', 'onnx-batch.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** stdout as bytes, for binary output (-o - with Arrow). */
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  /** Another installation's bin/onnx-batch.js (see helpers/temp-install.ts). */
  readonly bin?: string;
  readonly stdin?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
  /** Called with the child right after it starts (to send signals). */
  readonly onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

/** Runs `onnx-batch ...args` and collects its exit code and output. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      try {
        // A usage error (exit 2) writes nothing: a path its arguments name is not its report.
        if (code !== 2) validateReports(args, options.cwd ?? ROOT);
      } catch (error) {
        reject(error as Error);
        return;
      }
      const stdoutBytes = Buffer.concat(stdout);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
    options.onSpawn?.(child);
  });
}

// Most CLI tests take a folder for their outputs from here.
export { tempDir } from './temp-dir.js';

let validator: ReturnType<Ajv['compile']> | undefined;

/**
 * Every report a test run writes must fit the published schema (schema/report.schema.json): the
 * report the run's arguments name (--report, -o of profile and report merge, else <output>.report.json
 * or a parts directory's _report.json) is checked after each run that wrote one.
 */
function validateReports(args: readonly string[], cwd: string): void {
  const valueOf = (...names: string[]): string | undefined => {
    const at = args.findIndex((arg) => names.includes(arg));
    return at < 0 ? undefined : args[at + 1];
  };
  const command = args[0] === 'report' ? `report ${args[1] ?? ''}` : args[0];
  const output = valueOf('-o', '--output');
  const named = valueOf('--report');
  let path: string | undefined;
  if (command === 'profile' || command === 'report merge') path = output;
  else if (command === 'score') path = named ?? (output === undefined || output === '-' ? undefined : `${output}.report.json`);
  const paths = path === undefined ? [] : [path];
  if (command === 'score' && named === undefined && output !== undefined && existsSync(resolvePath(cwd, output)) && statSync(resolvePath(cwd, output)).isDirectory()) {
    // A parts directory's _report.json, or the reports of shard parts (part-<k>-of-<n>.<ext>.report.json).
    paths.splice(0, paths.length, join(output, '_report.json'), ...readdirSync(resolvePath(cwd, output)).filter((name) => /^part-\d+-of-\d+\..*\.report\.json$/.test(name)).map((name) => join(output, name)));
  }
  for (const each of paths) validateReport(resolvePath(cwd, each), args);
}

function validateReport(full: string, args: readonly string[]): void {
  if (!existsSync(full) || !statSync(full).isFile()) return;
  validator ??= new Ajv({ allErrors: true, validateFormats: false }).compile(JSON.parse(readFileSync(join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object);
  if (!validator(JSON.parse(readFileSync(full, 'utf8')))) {
    throw new Error(`report ${full} (onnx-batch ${args.join(' ')}) does not fit schema/report.schema.json: ${JSON.stringify(validator.errors?.slice(0, 5))}`);
  }
}
