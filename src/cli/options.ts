// CLI: the commander options and the README's option reference, built from the one flag table.
// A new flag goes in that table, src/config/flags.ts (config owns what a flag means), and its handling in config/load.ts.
import { Option, type Command } from 'commander';
import { FlagNames, type FlagKey } from '../config/flag-names.js';
import { SCORE_FLAGS, type FlagSpec } from '../config/flags.js';

const specs: readonly FlagSpec[] = Object.values(SCORE_FLAGS);

/** commander Options built from the table. */
export function scoreOptions(): Option[] {
  return specs.map((spec) => {
    const option = new Option(spec.flags, spec.description);
    if (spec.defaultValue !== undefined) option.default(spec.defaultValue);
    if (spec.choices !== undefined) option.choices(spec.choices);
    if (spec.env !== undefined) option.env(spec.env);
    if (spec.required === true) option.makeOptionMandatory();
    if (spec.repeatable === true && !spec.flags.includes('...')) {
      option.argParser((value: string, previous: unknown) => [...(Array.isArray(previous) ? (previous as string[]) : []), value]);
    }
    return option;
  });
}

/** How messages name the settings of a parsed command: by the ONNX_BATCH_* variable where one gave the value. */
export function flagNamesOf(command: Command): FlagNames {
  const keys = Object.keys(SCORE_FLAGS) as FlagKey[];
  return new FlagNames(new Set(keys.filter((key) => command.getOptionValueSource(key) === 'env')));
}

/** Flags of `profile`: how to read the reference set and feed the model, with -o naming the baseline file. */
const PROFILE_FLAGS = new Set(['--model', '--input', '--pipeline', '--input-format', '--delimiter', '--csv-parser', '--workers', '--max-record-size', '--decode-workers', '--features', '--batch-size', '--threads', '--ep', '--on-error', '--max-errors', '--rejects', '--missing', '--quiet', '--verbose']);

export function profileOptions(): Option[] {
  const output = new Option('-o, --output <path>', 'the baseline file (JSON: a report with statistics, no predictions)').makeOptionMandatory();
  return [...scoreOptions().filter((option) => PROFILE_FLAGS.has(option.long ?? '')), output];
}

/** The README's option reference, as a Markdown table (kept in sync by a test). */
export function optionsMarkdown(): string {
  const rows = specs.map((spec) => {
    const notes = [
      spec.required === true ? 'required' : undefined,
      spec.defaultValue !== undefined ? `default \`${spec.defaultValue}\`` : undefined,
      spec.choices !== undefined ? `one of ${spec.choices.map((choice) => `\`${choice}\``).join(', ')}` : undefined,
      spec.env !== undefined ? `env \`${spec.env}\`` : undefined,
    ].filter((note) => note !== undefined);
    return `| \`${spec.flags}\` | ${spec.description.replaceAll('|', '\\|')} | ${notes.join('; ')} |`;
  });
  return ['| flag | meaning | notes |', '| --- | --- | --- |', ...rows].join('\n');
}
