// CLI: `onnx-batch pipeline check|init`: help for writing a preprocessing spec.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { OutputError } from '../../errors.js';
import { inputFormatOf, INPUT_FORMATS, type InputFormat } from '../../sources/index.js';
import { checkSpec, draftSpec, type SpecToolRequest } from '../../run/index.js';

interface SpecFlags {
  readonly model: string;
  readonly pipeline?: string;
  readonly input?: string;
  readonly inputFormat?: InputFormat;
  readonly delimiter: string;
  readonly output?: string;
}

function requestOf(flags: SpecFlags): SpecToolRequest {
  return {
    model: flags.model,
    pipeline: flags.pipeline,
    sample: flags.input === undefined ? undefined : { path: flags.input, format: inputFormatOf(flags.input, flags.inputFormat) },
    delimiter: flags.delimiter === '\\t' ? '\t' : flags.delimiter,
    output: flags.output,
  };
}

function withInputOptions(command: Command): Command {
  return command
    .requiredOption('-m, --model <path>', 'ONNX model file')
    .option('--input-format <format>', `sample format (${INPUT_FORMATS.join(', ')}), instead of guessing from the extension`)
    .option('--delimiter <char>', 'CSV field delimiter of the sample', ',');
}

/** Adds `pipeline check` and `pipeline init` to the program. */
export function addPipelineCommand(program: Command): void {
  const pipeline = program.command('pipeline').description('check or draft a preprocessing spec (see README "Preprocessing")');

  withInputOptions(pipeline.command('check'))
    .description('validate a spec against the model, and against a sample file when given, without scoring')
    .option('-p, --pipeline <spec>', 'the spec (default: <model>.pipeline.yaml beside the model, else the model metadata)')
    .option('-i, --input <sample>', 'a sample input: its columns and first rows are run through the steps')
    .addHelpText('after', '\nExamples:\n  $ onnx-batch pipeline check -m model.onnx -p spec.yaml\n  $ onnx-batch pipeline check -m model.onnx -p spec.yaml -i sample.csv')
    .action(async (flags: SpecFlags) => {
      const result = await checkSpec(requestOf(flags));
      const feeds = result.feeds.map((feed) => `  ${feed.input} (${feed.type}) <- ${feed.columns.join(', ')}`);
      const sample = result.sampleRows === undefined ? 'no sample given: columns were not checked against a file' : `${result.sampleRows} sample rows went through the steps`;
      process.stdout.write(
        [`ok: ${result.spec} fits ${flags.model}: ${result.steps} steps; ${sample}`, 'model inputs:', ...feeds, `output columns: ${result.outputColumns.join(', ')}`, ''].join('\n'),
      );
    });

  withInputOptions(pipeline.command('init'))
    .description('draft a starting spec from the model and a sample file, to edit and then check')
    .requiredOption('-i, --input <sample>', 'a sample input file')
    .option('-o, --output <spec>', 'write the spec to this file instead of stdout')
    .addHelpText('after', '\nExamples:\n  $ onnx-batch pipeline init -m model.onnx -i sample.csv -o model.pipeline.yaml')
    .action(async (flags: SpecFlags) => {
      const text = await draftSpec(requestOf(flags));
      if (flags.output === undefined) {
        process.stdout.write(text);
        return;
      }
      try {
        await writeFile(flags.output, text, { flag: 'wx' });
      } catch (error) {
        throw new OutputError('OUTPUT_FAILED', `Cannot write ${flags.output}: ${(error as Error).message}`, {
          hint: (error as { code?: unknown }).code === 'EEXIST' ? 'the file exists; choose another name or remove it first' : 'check the directory and permissions',
          cause: error,
        });
      }
      process.stderr.write(`onnx-batch: wrote ${flags.output}; edit it, then run: onnx-batch pipeline check -m ${flags.model} -p ${flags.output} -i ${flags.input ?? 'SAMPLE'}\n`);
    });
}
