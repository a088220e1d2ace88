// End to end: bad rows with --on-error fail|skip, the rejects file, --max-errors, --missing,
// invalid UTF-8 and --csv-safe.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { readCsvTable } from './helpers/golden.js';
import { failsOnOddBatchModel } from './helpers/models.js';

const MODEL = join(FIXTURES, 'iris-csv', 'model.onnx');
const BAD = [
  'id,a,b,c,d',
  '1,5.1,3.5,1.4,0.2',
  '2,x,3.5,1.4,0.2', // not a number
  '3,4.9,3.0,1.4', // a field short
  '4,"6.2",2.9,4.3,1.3',
  '5,1e39,1,1,1', // beyond float32
  '6,,3.0,1.4,0.2', // missing, and the model does not handle it: a bad row (issue 10)
  '"7,x",5.0,3.6,1.4,0.2',
].join('\n');

async function score(args: readonly string[], csv = BAD): Promise<{ dir: string; code: number | null; stderr: string }> {
  const dir = await tempDir();
  await writeFile(join(dir, 'in.csv'), `${csv}\n`);
  const result = await runCli(['score', '-m', MODEL, '-i', 'in.csv', '--features', 'a,b,c,d', '-o', 'out.csv', ...args], { cwd: dir });
  return { dir, code: result.code, stderr: result.stderr };
}

interface Report {
  status: string;
  rows: { read: number; scored: number; rejected: number };
  rejects: { path: string; count: number; byReason: Record<string, number> } | null;
  error: { code: string } | null;
}

describe('bad rows', () => {
  it('--on-error fail (the default) stops at the first bad row with its location', async () => {
    const { dir, code, stderr } = await score([]);
    assert.equal(code, 3);
    assert.match(stderr, /in\.csv at line 3, column 'a': expected a number, got "x"/);
    assert.ok(!existsSync(join(dir, 'out.csv')));
    assert.ok(!existsSync(join(dir, 'out.csv.rejects.csv')));
  });

  it('--on-error skip writes every bad row to the rejects file and scores the rest', async () => {
    const { dir, code, stderr } = await score(['--on-error', 'skip', '--max-errors', '10']);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /rejected 4 rows -> out\.csv\.rejects\.csv/);
    assert.deepEqual(readCsvTable(join(dir, 'out.csv')).get('id'), ['1', '4', '7,x']);
    const rejects = await readFile(join(dir, 'out.csv.rejects.csv'), 'utf8');
    assert.equal(
      rejects,
      [
        'source,line,row,column,reason,record',
        'in.csv,3,1,a,expected a number,"2,x,3.5,1.4,0.2"',
        'in.csv,4,2,,"expected 5 fields as in the header, got 4","3,4.9,3.0,1.4"',
        `in.csv,6,4,a,"out of float32 range (model input 'float_input', float32)","5,1e39,1,1,1"`,
        `in.csv,7,5,a,"a missing value, which the model does not handle here (--missing auto) (model input 'float_input', float32)","6,,3.0,1.4,0.2"`,
        '',
      ].join('\n'),
    );
    const report = JSON.parse(await readFile(join(dir, 'out.csv.report.json'), 'utf8')) as Report;
    assert.deepEqual(report.rows, { read: 7, scored: 3, rejected: 4, rejected_pct: (100 * 4) / 7 });
    assert.equal(report.rows.read, report.rows.scored + report.rows.rejected);
    assert.equal(report.rejects?.count, 4);
    assert.equal(report.rejects?.byReason['expected a number'], 1);
  });

  // Issue 10 case 7: a stray quote in an unquoted field is that row's problem, not the whole run's.
  const STRAY = ['id,a,b,c,d', '1,5.1,3.5,1.4,0.2', `2 5'11" tall,4.9,3.0,1.4,0.2`, '3,4.7,3.2,1.3,0.2', '4,6.4",3.2,4.5,1.5', '"5\nx",6.3,3.3,6.0,2.5', '6,5.8,2.7,5.1,1.9'].join('\n');
  for (const reader of [['--workers', '0'], ['--workers', '2'], ['--csv-parser', 'reference']]) {
    it(`--on-error skip rejects a row with a stray quote in an unquoted field and reads on (${reader.join(' ')})`, async () => {
      const { dir, code, stderr } = await score(['--on-error', 'skip', '--max-errors', '10', '--keep', 'id', ...reader], STRAY);
      assert.equal(code, 0, stderr);
      assert.deepEqual(readCsvTable(join(dir, 'out.csv')).get('id'), ['1', '3', '5\nx', '6']);
      assert.equal(
        await readFile(join(dir, 'out.csv.rejects.csv'), 'utf8'),
        [
          'source,line,row,column,reason,record',
          `in.csv,3,1,id,a quote in the middle of an unquoted field,"2 5'11"" tall,4.9,3.0,1.4,0.2"`,
          'in.csv,5,3,a,a quote in the middle of an unquoted field,"4,6.4"",3.2,4.5,1.5"',
          '',
        ].join('\n'),
      );
      const failed = await score([...reader], STRAY);
      assert.equal(failed.code, 3);
      assert.match(failed.stderr, /Malformed CSV in in\.csv at line 3: a quote in the middle of an unquoted field/);
    });
  }

  it('--missing nan feeds the missing value; the NaN the model returns still makes the row bad', async () => {
    const { dir, code, stderr } = await score(['--on-error', 'skip', '--max-errors', '10', '--missing', 'nan', '--rejects', 'bad.csv']);
    assert.equal(code, 0, stderr);
    assert.deepEqual(readCsvTable(join(dir, 'out.csv')).get('id'), ['1', '4', '7,x']);
    assert.match(await readFile(join(dir, 'bad.csv'), 'utf8'), /^in\.csv,7,5,probabilities_0,the model returned NaN,"6,,3\.0,1\.4,0\.2"$/m);
  });

  it('fails with exit 3 when the rejects exceed --max-errors, keeping the rejects but not the output', async () => {
    for (const budget of ['2', '10%']) {
      const { dir, code, stderr } = await score(['--on-error', 'skip', '--max-errors', budget]);
      assert.equal(code, 3, stderr);
      assert.match(stderr, /[34] bad rows.*more than --max-errors allows/);
      assert.ok(!existsSync(join(dir, 'out.csv')), 'no output');
      assert.ok(existsSync(join(dir, 'out.csv.rejects.csv')), 'rejects kept for diagnosis');
      const report = JSON.parse(await readFile(join(dir, 'out.csv.report.json'), 'utf8')) as Report;
      assert.equal(report.error?.code, 'TOO_MANY_BAD_ROWS');
    }
  });

  it('rejects rows of Arrow inputs with the row as JSON', async () => {
    const dir = await tempDir();
    const arrow = join(FIXTURES, 'named-inputs', 'input.arrow');
    const result = await runCli(['score', '-m', join(FIXTURES, 'named-inputs', 'model.onnx'), '-i', arrow, '-o', 'out.csv', '--on-error', 'skip', '--missing', 'reject', '--max-errors', '100%'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const rejects = readCsvTable(join(dir, 'out.csv.rejects.csv'));
    assert.ok((rejects.get('row') ?? []).length > 0);
    const record = JSON.parse(rejects.get('record')?.[0] ?? '{}') as Record<string, unknown>;
    assert.equal(record['âge'], null);
  });

  it('reads invalid UTF-8 in text as U+FFFD with a warning, and rejects it in numbers', async () => {
    const csv = Buffer.concat([Buffer.from('id,a,b,c,d\nok\xff,5.1,3.5,1.4,0.2\n', 'latin1'), Buffer.from('2,5.\xff,3.5,1.4,0.2\n', 'latin1')]);
    const dir = await tempDir();
    await writeFile(join(dir, 'in.csv'), csv);
    const result = await runCli(['score', '-m', MODEL, '-i', 'in.csv', '--features', 'a,b,c,d', '-o', 'out.csv', '--on-error', 'skip', '--max-errors', '1'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /1 text cells held invalid UTF-8/);
    assert.deepEqual(readCsvTable(join(dir, 'out.csv')).get('id'), ['ok\uFFFD']);
  });

  it('--csv-safe neutralises cells that spreadsheets would run as formulas', async () => {
    const csv = 'id,a,b,c,d\n=HYPERLINK(1),5.1,3.5,1.4,0.2\n+1,5.1,3.5,1.4,0.2\n@x,5.1,3.5,1.4,0.2\nplain,5.1,3.5,1.4,0.2';
    const { dir, code, stderr } = await score(['--csv-safe'], csv);
    assert.equal(code, 0, stderr);
    assert.deepEqual(readCsvTable(join(dir, 'out.csv')).get('id'), ["'=HYPERLINK(1)", "'+1", "'@x", 'plain']);
  });

  it('scores a row with a 10 MB quoted text field and keeps the field intact', async () => {
    const big = `${'x'.repeat(5_000_000)},"quoted ""part"",\n${'y'.repeat(5_000_000)}`;
    const csv = `id,a,b,c,d\n"${big.replaceAll('"', '""')}",5.1,3.5,1.4,0.2\nsmall,4.9,3.0,1.4,0.2`;
    const { dir, code, stderr } = await score([], csv);
    assert.equal(code, 0, stderr);
    const ids = readCsvTable(join(dir, 'out.csv')).get('id') ?? [];
    assert.equal(ids[0], big);
    assert.equal(ids[1], 'small');
  });

  it('--on-error skip to stdout needs --rejects', async () => {
    const { code, stderr } = await score(['--on-error', 'skip', '-o', '-']);
    assert.equal(code, 2);
    assert.match(stderr, /needs --rejects/);
  });
});

describe('bad rows leave where they are found', () => {
  // The model refuses a batch with an odd number of rows: batches of 5 with one bad row each score
  // only if the bad rows left before the model (4 rows each), whichever stage found them.
  it('rows the reader (a bad number, a short record) or the model input (out of range) refuses are never fed to the model', async () => {
    const dir = await tempDir();
    const model = await failsOnOddBatchModel(join(dir, 'odd.onnx'));
    const values = ['0', '1', 'abc', '3', '4', '5', '6,6', '7', '8', '9', '10', '11', '12', '1e39', '14'];
    await writeFile(join(dir, 'in.csv'), `x\n${values.join('\n')}\n`);
    const result = await runCli(['score', '-m', model, '-i', 'in.csv', '-o', 'out.csv', '-b', '5', '--on-error', 'skip', '--max-errors', '5'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readCsvTable(join(dir, 'out.csv')).get('x'), ['0', '1', '3', '4', '5', '7', '8', '9', '10', '11', '12', '14']);
    assert.deepEqual(readCsvTable(join(dir, 'out.csv')).get('y'), ['0', '1', '3', '4', '5', '7', '8', '9', '10', '11', '12', '14']);
    const rejects = readCsvTable(join(dir, 'out.csv.rejects.csv'));
    assert.deepEqual(rejects.get('line'), ['4', '8', '15']);
    assert.deepEqual(rejects.get('reason'), ['expected a number', 'expected 1 fields as in the header, got 2', "out of float32 range (model input 'x', float32)"]);
    const report = JSON.parse(await readFile(join(dir, 'out.csv.report.json'), 'utf8')) as Report;
    assert.deepEqual([report.rows.read, report.rows.scored, report.rows.rejected], [15, 12, 3]);
  });
});
