// CLI: `onnx-batch doctor` (what can run here, what is missing) and `onnx-batch setup cuda`.
import { Argument, type Command } from 'commander';
import { parseExecutionProviders } from '../../config/load.js';
import { CUDA_PACKAGE, renderDoctor, runDoctor, setupCuda, type DoctorReport } from '../../doctor/index.js';
import { ERRORS } from '../../errors.js';

/** Prints the doctor's report and sets the exit code: 0 when the asked providers work, 4 when not. */
function printDoctor(report: DoctorReport, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
  if (!report.ok) process.exitCode = ERRORS.DEVICE_UNAVAILABLE.exitCode;
}

/** Adds `doctor` and `setup` to the program. */
export function addDoctorCommands(program: Command): void {
  program
    .command('doctor')
    .description('check what can run here: Node, ONNX Runtime, each execution provider\'s libraries, GPUs, and a smoke test per provider')
    .option('--ep <providers>', 'the providers that must work for exit 0 (cpu, cuda, cuda:1); all are checked', 'cpu')
    .option('--json', 'print JSON instead of text')
    .addHelpText('after', '\nExamples:\n  $ onnx-batch doctor\n  $ onnx-batch doctor --ep cuda --json | jq .providers.cuda')
    .action(async (flags: { ep: string; json?: boolean }) => {
      printDoctor(await runDoctor(parseExecutionProviders(flags.ep)), flags.json === true);
    });

  program
    .command('setup')
    .description('install an execution provider\'s libraries next to onnxruntime-node, then run the doctor')
    .addArgument(new Argument('<provider>', 'the execution provider').choices(['cuda']))
    .option('--from <tarball>', `a local .tgz of ${CUDA_PACKAGE.name} (offline machines), instead of npm pack`)
    .option('--json', 'print the doctor\'s report as JSON')
    .addHelpText('after', `\nExamples:\n  $ onnx-batch setup cuda\n  $ npm pack ${CUDA_PACKAGE.name}@${CUDA_PACKAGE.version}   # elsewhere, then:\n  $ onnx-batch setup cuda --from ${CUDA_PACKAGE.name}-${CUDA_PACKAGE.version}.tgz`)
    .action(async (_provider: 'cuda', flags: { from?: string; json?: boolean }) => {
      const result = await setupCuda(flags.from);
      for (const warning of result.warnings) process.stderr.write(`onnx-batch: warning: ${warning}\n`);
      for (const file of result.installed) process.stderr.write(`onnx-batch: installed ${file.path} (${file.bytes} bytes, sha256 ${file.sha256})\n`);
      printDoctor(await runDoctor([{ name: 'cuda', deviceId: undefined }]), flags.json === true);
    });
}
