// End to end: each failure gives its documented exit code, one clear message naming what and where,
// a hint, no stack trace, a report with status "failed", and nothing under the output's final name.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ERRORS, type ErrorCode } from '../src/errors.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const IRIS = join(FIXTURES, 'iris-csv');
const IRIS_MODEL = join(IRIS, 'model.onnx');
const NAMED_MODEL = join(FIXTURES, 'named-inputs', 'model.onnx');
const GOOD_CSV = 'a,b,c,d\n1,2,3,4\n5,6,7,8\n';

interface ErrorCase {
  readonly name: string;
  readonly files?: Readonly<Record<string, string | Buffer>>;
  /** Arguments; 'MODEL' is the iris model, other names are files of the case. */
  readonly args: readonly string[];
  readonly exitCode: number;
  readonly stderr: readonly RegExp[];
  /** A report with status failed is expected at out.csv.report.json. */
  readonly report?: boolean;
  /** The error code (errors.ts), for the cases whose error comes from a file. */
  readonly code?: ErrorCode;
  /** The file the first line must name: the input, the model ('MODEL' is the iris model) or the spec. */
  readonly subject?: string;
  readonly notInStderr?: RegExp;
}

const cases: readonly ErrorCase[] = [
  {
    name: 'a non-number in a numeric feature names file, line and column',
    files: { 'in.csv': 'a,b,c,d\n1,2,3,4\n5,x,7,8\n' },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/Bad value in in\.csv at line 3, column 'b': expected a number, got "x"/],
    report: true,
    code: 'BAD_VALUE',
    subject: 'in.csv',
  },
  {
    name: 'hex and blank values are refused, not read as numbers (Number() would accept them)',
    files: { 'in.csv': 'a,b,c,d\n1,2,3,0x1A\n' },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/line 2, column 'd': expected a number, got "0x1A"/],
  },
  {
    name: 'a row with the wrong number of fields',
    files: { 'in.csv': 'a,b,c,d\n1,2,3,4\n5,6,7\n' },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/Malformed CSV in in\.csv at line 3: expected 4 fields as in the header, got 3/],
    code: 'CSV_MALFORMED',
    subject: 'in.csv',
  },
  {
    name: 'an unterminated quote',
    files: { 'in.csv': 'a,b,c,d\n1,2,3,"4\n5,6,7,8\n' },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/Malformed CSV in in\.csv.*quoted field is not closed/],
  },
  {
    name: 'a duplicate header name',
    files: { 'in.csv': 'a,b,c,a\n1,2,3,4\n' },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/names column 'a' twice/],
  },
  {
    name: 'a zero-byte CSV',
    files: { 'in.csv': '' },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/in\.csv is empty: expected a header row/],
  },
  {
    name: 'a UTF-16 CSV',
    files: { 'in.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD_CSV, 'utf16le')]) },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/UTF-16/, /iconv/],
  },
  {
    name: 'columns that do not fit the model list the inputs and the columns',
    files: { 'in.csv': 'a,b,c\n1,2,3\n' },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/Cannot tell which columns of in\.csv feed model .*model\.onnx/, /'float_input' float32 \[N,4\]/, /'a', 'b', 'c'/, /--features a,b,c/],
    code: 'SCHEMA_MISMATCH',
    subject: 'in.csv',
  },
  {
    name: '--features naming a missing column',
    files: { 'in.csv': GOOD_CSV },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv', '--features', 'a,b,c,zz'],
    exitCode: 3,
    stderr: [/Input in\.csv lacks columns that model input 'float_input' needs: 'zz'/],
    code: 'SCHEMA_MISMATCH',
    subject: 'in.csv',
  },
  {
    name: '--features with the wrong count',
    files: { 'in.csv': GOOD_CSV },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv', '--features', 'a,b,c'],
    exitCode: 4,
    stderr: [/has shape \[N,4\], but 3 columns were given/],
    code: 'MODEL_SIGNATURE',
    subject: 'MODEL',
  },
  {
    name: 'a missing named input column',
    files: { 'in.csv': 'âge,home city\n30,Paris\n' },
    args: ['score', '-m', NAMED_MODEL, '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    // A model fed by name is not helped by --features (issue 10).
    stderr: [/no column is named 'visits\/week'/, /hint: .*Rename the input columns to the model input names, or write a pipeline spec/],
    notInStderr: /--features/,
  },
  {
    name: 'a non-integer in an int64 input',
    files: { 'in.csv': 'âge,home city,visits/week\n30,Paris,2.5\n' },
    args: ['score', '-m', NAMED_MODEL, '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/in\.csv at line 2, column 'visits\/week' \(model input 'visits\/week', int64\): expected an integer, got "2\.5"/],
  },
  {
    name: 'a value beyond float32',
    files: { 'in.csv': 'a,b,c,d\n1,2,3,1e39\n' },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/line 2, column 'd'.*out of float32 range/],
  },
  {
    name: 'a zero-byte Arrow file',
    files: { 'in.arrow': '' },
    args: ['score', '-m', 'MODEL', '-i', 'in.arrow', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/Arrow input in\.arrow is empty/],
  },
  {
    name: 'a file that is not Arrow',
    files: { 'in.arrow': GOOD_CSV },
    args: ['score', '-m', 'MODEL', '-i', 'in.arrow', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/Cannot read Arrow IPC data from in\.arrow/],
    code: 'ARROW_MALFORMED',
    subject: 'in.arrow',
  },
  {
    name: 'a missing input file',
    args: ['score', '-m', 'MODEL', '-i', 'missing.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/Input file not found: missing\.csv/],
    code: 'INPUT_NOT_FOUND',
    subject: 'missing.csv',
  },
  {
    name: 'a missing model',
    files: { 'in.csv': GOOD_CSV },
    args: ['score', '-m', 'missing.onnx', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 4,
    stderr: [/Cannot read model missing\.onnx: no such file/],
    report: true,
    code: 'MODEL_NOT_FOUND',
    subject: 'missing.onnx',
  },
  {
    name: 'a zero-byte model',
    files: { 'in.csv': GOOD_CSV, 'model.onnx': '' },
    args: ['score', '-m', 'model.onnx', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 4,
    stderr: [/Model model\.onnx is empty \(0 bytes\)/],
  },
  {
    name: 'a truncated model',
    files: { 'in.csv': GOOD_CSV, 'model.onnx': readFileSync(IRIS_MODEL).subarray(0, 200) },
    args: ['score', '-m', 'model.onnx', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 4,
    stderr: [/Model model\.onnx is not a valid ONNX file: .*truncated/],
    code: 'MODEL_LOAD_FAILED',
    subject: 'model.onnx',
  },
  {
    name: 'a file that is not a model',
    files: { 'in.csv': GOOD_CSV, 'model.onnx': 'hello, I am not protobuf at all\n'.repeat(20) },
    args: ['score', '-m', 'model.onnx', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 4,
    stderr: [/Model model\.onnx is not a valid ONNX file/],
  },
  {
    name: 'an unavailable execution provider without fallback',
    files: { 'in.csv': GOOD_CSV },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv', '--ep', 'cuda'],
    exitCode: 4,
    stderr: [/Execution provider 'cuda' is not available/, /--ep cpu/],
  },
  {
    name: 'an output directory that does not exist',
    files: { 'in.csv': GOOD_CSV },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'nodir/out.csv'],
    exitCode: 5,
    stderr: [/Cannot write output nodir\/out\.csv: the directory does not exist/],
  },
  {
    name: 'an output format that cannot be guessed',
    files: { 'in.csv': GOOD_CSV },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.txt'],
    exitCode: 2,
    stderr: [/Cannot tell the format of output out\.txt/, /--output-format/],
  },
  {
    name: 'a missing required flag',
    args: ['score', '-m', 'MODEL', '-i', 'in.csv'],
    exitCode: 2,
    stderr: [/required option '-o, --output <path>' not specified/],
  },
  {
    name: 'an invalid batch size',
    files: { 'in.csv': GOOD_CSV },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv', '-b', '0'],
    exitCode: 2,
    stderr: [/--batch-size must be auto or a whole number of at least 1, got "0"/],
  },
  {
    name: 'an invalid number of parse workers',
    files: { 'in.csv': GOOD_CSV },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv', '--workers', 'many'],
    exitCode: 2,
    stderr: [/--workers must be auto or a whole number of at least 0, got "many"/],
  },
  {
    name: 'an unknown option',
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv', '--bogus'],
    exitCode: 2,
    stderr: [/unknown option '--bogus'/],
  },
  {
    name: 'inspect on a data file takes --rows as a whole number (issue 12)',
    files: { 'in.csv': GOOD_CSV },
    args: ['inspect', 'in.csv', '--rows', 'many'],
    exitCode: 2,
    stderr: [/--rows must be a whole number from 0 to 1000, got "many"/],
  },
  {
    name: 'inspect on a missing model does not blame --model (issue 10)',
    args: ['inspect', 'missing.onnx'],
    exitCode: 4,
    stderr: [/Cannot read model missing\.onnx: no such file\n  hint: check the model path\n/],
  },
  {
    name: 'an output column that clashes with a kept column',
    files: { 'in.csv': 'a,b,c,label\n1,2,3,4\n' },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv', '--features', 'a,b,c,label'],
    exitCode: 2,
    stderr: [/Output column 'label' would be written twice/, /--keep/],
  },
  {
    name: '--keep naming a column the input lacks is a missing column (exit 3, as for --features and specs)',
    files: { 'in.csv': GOOD_CSV },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv', '--keep', 'id'],
    exitCode: 3,
    stderr: [/Input in\.csv lacks columns that --keep names: 'id'/],
    code: 'SCHEMA_MISMATCH',
    subject: 'in.csv',
  },
  {
    name: 'a spec reading a column the input lacks names the input and the spec path (exit 3, as without a spec)',
    files: { 'in.csv': GOOD_CSV, 'spec.yaml': 'version: 1\nsteps:\n  - impute:\n      columns: [a, zz]\n      values: [0, 0]\ninputs:\n  float_input:\n    columns: [a, b, c, d]\n' },
    args: ['score', '-m', 'MODEL', '-p', 'spec.yaml', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/Input in\.csv lacks column 'zz' that pipeline spec spec\.yaml reads at steps\[0\]\.impute\.columns\[1\]/],
    code: 'SCHEMA_MISMATCH',
    subject: 'in.csv',
  },
  {
    name: 'an invalid spec names the spec file and the path in it',
    files: { 'in.csv': GOOD_CSV, 'spec.yaml': 'version: 1\nsteps:\n  - standardise:\n      columns: [a]\ninputs:\n  float_input:\n    columns: [a, b, c, d]\n' },
    args: ['score', '-m', 'MODEL', '-p', 'spec.yaml', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 2,
    stderr: [/steps\[0\]: unknown step 'standardise'/],
    code: 'CONFIG_INVALID',
    subject: 'spec.yaml',
  },
  {
    name: 'a compressed file of a kind that is not read',
    files: { 'in.csv': Buffer.concat([Buffer.from('BZh91AY&SY'), Buffer.alloc(64, 1)]) },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/bzip2/],
    code: 'INPUT_UNREADABLE',
    subject: 'in.csv',
  },
  {
    name: 'a malformed JSON Lines record names file and line',
    files: { 'in.jsonl': '{"a":1,"b":2,"c":3,"d":4}\n{"a":1,\n' },
    args: ['score', '-m', 'MODEL', '-i', 'in.jsonl', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/in\.jsonl:2/],
    code: 'JSONL_MALFORMED',
    subject: 'in.jsonl',
  },
  {
    name: 'a file named .parquet that is not Parquet',
    files: { 'in.parquet': GOOD_CSV },
    args: ['score', '-m', 'MODEL', '-i', 'in.parquet', '-o', 'out.csv'],
    exitCode: 3,
    stderr: [/in\.parquet/],
    code: 'PARQUET_MALFORMED',
    subject: 'in.parquet',
  },
  {
    name: 'more bad rows than --max-errors allows names the rejects file',
    files: { 'in.csv': 'a,b,c,d\n1,2,3,4\nx,2,3,4\ny,2,3,4\n' },
    args: ['score', '-m', 'MODEL', '-i', 'in.csv', '-o', 'out.csv', '--on-error', 'skip', '--max-errors', '1'],
    exitCode: 3,
    stderr: [/more than --max-errors allows/],
    code: 'TOO_MANY_BAD_ROWS',
    subject: 'in.csv',
  },
];

describe('errors: exit codes and messages', () => {
  for (const errorCase of cases) {
    it(`${errorCase.name} (exit ${errorCase.exitCode})`, async () => {
      const dir = await tempDir();
      for (const [name, content] of Object.entries(errorCase.files ?? {})) await writeFile(join(dir, name), content);
      const args = errorCase.args.map((arg) => (arg === 'MODEL' ? IRIS_MODEL : arg));
      const result = await runCli(args, { cwd: dir });
      assert.equal(result.code, errorCase.exitCode, result.stderr);
      for (const pattern of errorCase.stderr) assert.match(result.stderr, pattern);
      if (errorCase.notInStderr !== undefined) assert.doesNotMatch(result.stderr, errorCase.notInStderr);
      if (errorCase.subject !== undefined) {
        const subject = errorCase.subject === 'MODEL' ? IRIS_MODEL : errorCase.subject;
        const text = result.stderr.split('\n  hint:')[0] ?? '';
        assert.ok(text.includes(subject), `the error names ${subject}:\n${result.stderr}`);
      }
      assert.match(result.stderr, /^onnx-batch: error: .+\n(.*\n)*  hint: .+/, 'one line prefixed "onnx-batch: error:", then a hint');
      assert.doesNotMatch(result.stderr, /^\s+at .*\(.*:\d+:\d+\)$/m, 'no stack trace for a user error');
      assert.ok(!existsSync(join(dir, 'out.csv')), 'no output under the final name');
      if (errorCase.report === true) {
        const report = JSON.parse(readFileSync(join(dir, 'out.csv.report.json'), 'utf8')) as { status: string; error: { exitCode: number; code: string } };
        assert.equal(report.status, 'failed');
        assert.equal(report.error.exitCode, errorCase.exitCode);
        if (errorCase.code !== undefined) assert.equal(report.error.code, errorCase.code);
      }
    });
  }

  it('every error code that can come from a file has a case that checks the file is named (issue 10)', () => {
    // INTERNAL, USAGE, DEVICE_UNAVAILABLE, SETUP_FAILED, OUTPUT_FAILED, LOCKED, GATE_FAILED and INTERRUPTED
    // are about the command line, the machine, the output or a gate; MODEL_RUN_FAILED is covered in
    // score.test.ts (a model that fails on a batch), which needs a model built for it.
    const fromFiles = (Object.keys(ERRORS) as ErrorCode[]).filter((code) => ![1, 2, 5, 6, 130, 143].includes(ERRORS[code].exitCode) || code === 'CONFIG_INVALID');
    const covered = new Set(cases.filter((errorCase) => errorCase.subject !== undefined).map((errorCase) => errorCase.code));
    const notCovered = fromFiles.filter((code) => !covered.has(code) && !['DEVICE_UNAVAILABLE', 'SETUP_FAILED', 'MODEL_RUN_FAILED'].includes(code));
    assert.deepEqual(notCovered, []);
  });
});
