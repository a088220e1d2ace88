// CLI: `onnx-batch inspect model.onnx [--json]`: the model's signature and what `score` needs to feed it.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { describeModel, loadModel, type ModelDescription } from '../../model/index.js';
import { inputFormatOf, type InputFormat } from '../../sources/index.js';

const EXAMPLES = `
Examples:
  $ onnx-batch inspect model.onnx
  $ onnx-batch inspect model.onnx --json | jq '.inputs'`;

/** Adds the `inspect` command to the program. */
export function addInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('show a model\'s inputs, outputs, opsets and metadata, and how `score` feeds it')
    .argument('<model>', 'ONNX model file')
    .option('--json', 'print JSON instead of text')
    .addHelpText('after', EXAMPLES)
    .action(async (path: string, flags: { json?: boolean }) => {
      const dataFormat = dataFormatOf(path);
      if (dataFormat !== undefined) {
        throw new UsageError('USAGE', `${path} is a data file (${dataFormat}), not an ONNX model`, {
          hint: `inspect takes a model (.onnx); to score this file: onnx-batch score -m model.onnx -i ${path} -o out.csv`,
        });
      }
      const model = await loadModel(path, { threads: 1, executionProviders: [{ name: 'cpu', deviceId: undefined }], onFallback: () => undefined, killable: false });
      try {
        const description = describeModel(model);
        process.stdout.write(flags.json === true ? `${JSON.stringify(description, null, 2)}\n` : renderText(description));
      } finally {
        await model.session.close();
      }
    });
}

/** The data format an input of this name would be read as, if any. */
function dataFormatOf(path: string): InputFormat | undefined {
  try {
    return inputFormatOf(path, undefined);
  } catch {
    return undefined;
  }
}

function renderText(model: ModelDescription): string {
  const opsets = Object.entries(model.opsets).map(([domain, version]) => `${domain} ${version}`).join(', ');
  const lines = [
    `Model    ${model.path}`,
    `         ${(model.bytes / 1024).toFixed(1)} KiB, sha256 ${model.sha256}`,
    `         producer ${model.producer || 'unknown'}, IR version ${model.irVersion}, opsets ${opsets}`,
    '',
    'Inputs',
    ...table(model.inputs.map((input) => [input.name, input.type, `[${input.shape.join(',')}]`])),
    '',
    'Outputs',
    ...table(
      model.outputs.map((output) => [output.name, output.type, `[${output.shape.join(',')}]`, output.columns.length === 0 ? '(not written)' : `-> ${output.columns.join(', ')}`]),
    ),
    ...model.outputs.filter((output) => output.note !== undefined).map((output) => `  note: ${output.name}: ${output.note}`),
    '',
    `Feeding  ${model.feeding}`,
  ];
  const metadata = Object.entries(model.metadata);
  if (metadata.length > 0) lines.push('', 'Metadata', ...metadata.map(([key, value]) => `  ${key}: ${value.length > 200 ? `${value.slice(0, 200)}...` : value}`));
  return `${lines.join('\n')}\n`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`);
}
