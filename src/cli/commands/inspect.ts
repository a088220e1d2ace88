// CLI: `onnx-batch inspect model.onnx|data-file [--json]`: a model's signature and what `score` needs
// to feed it, or what the reader sees in a data file (and, with -m, how it would feed the model).
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { describeModel, loadModel, type ModelDescription } from '../../model/index.js';
import { hasDataExtension, INPUT_FORMATS, inputFormatOf, type InputFormat } from '../../sources/index.js';
import { textTable as table } from '../text-table.js';
import { inspectDataFile, type DataFlags } from './inspect-data.js';

const EXAMPLES = `
Examples:
  $ onnx-batch inspect model.onnx
  $ onnx-batch inspect model.onnx --json | jq '.inputs'
  $ onnx-batch inspect events.parquet
  $ onnx-batch inspect events.csv.gz -m model.onnx`;

/** Adds the `inspect` command to the program. */
export function addInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('show a model\'s inputs, outputs, opsets and metadata, and how `score` feeds it; or a data file\'s columns, types and first rows')
    .argument('<file>', 'ONNX model file, or a data file (any input format)')
    .option('--json', 'print JSON instead of text')
    .option('-m, --model <path>', 'data file only: also show which columns feed which model input, and what is missing')
    .option('-p, --pipeline <spec>', 'data file only, with -m: the preprocessing spec (default: as score finds it)')
    .option('--features <cols>', 'data file only, with -m: the columns for a single [N,K] model input, as score takes them')
    .option('--input-format <format>', `data file only: its format (${INPUT_FORMATS.join(', ')}), instead of guessing from the extension`)
    .option('--delimiter <char>', 'data file only: CSV field delimiter', ',')
    .option('--rows <n>', 'data file only: first rows shown', '5')
    .addHelpText('after', EXAMPLES)
    .action(async (path: string, flags: DataFlags & { json?: boolean }) => {
      const dataFormat = flags.inputFormat ?? dataFormatOf(path);
      if (dataFormat !== undefined) {
        await inspectDataFile(path, dataFormat, flags);
        return;
      }
      if (flags.model !== undefined) {
        throw new UsageError('USAGE', `-m is for inspecting a data file, and ${path} is not one`, {
          hint: `inspect a model alone (onnx-batch inspect ${path}), or a data file with its model (onnx-batch inspect data.csv -m ${flags.model})`,
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
/** The format of a data file's name; undefined for a model. A compressed Arrow or Parquet name is refused as score refuses it. */
function dataFormatOf(path: string): InputFormat | undefined {
  return path !== '-' && hasDataExtension(path) ? inputFormatOf(path, undefined) : undefined;
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
