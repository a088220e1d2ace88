import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { InputError, UsageError } from '../errors.js';
import type { ScoreFlags } from './flags.js';
import { buildScoreJob } from './load.js';

let root = '';

before(async () => {
  root = await tempDir('onnx-batch-load-test-');
  const data = join(root, 'data');
  await mkdir(data);
  await mkdir(join(root, 'nested'));
  await mkdir(join(root, 'nested', 'archive.csv'));
  await writeFile(join(root, 'nested', 'a.csv'), 'x\n1\n');
  for (const name of ['b.csv', 'a.csv', 'c.arrow', 'd.tsv', 'e.arrows', 'notes.txt', 'README', '.hidden.csv', 'f.CSV']) {
    await writeFile(join(data, name), 'x\n1\n');
  }
  await mkdir(join(root, 'plain'));
  for (const name of ['b.csv', 'a.csv', 'c.arrow', 'ab.csv', 'x.txt']) await writeFile(join(root, 'plain', name), 'x\n1\n');
  await mkdir(join(root, 'empty'));
  await mkdir(join(root, 'textonly'));
  await writeFile(join(root, 'textonly', 'notes.txt'), 'hi');
  // A Hive layout: key=value subdirectories are read, others not; names in byte order, depth first.
  for (const path of ['hive/day=10/b.csv', 'hive/day=10/a.csv.gz', 'hive/day=09/x.parquet', 'hive/z.csv', 'hive/other/c.csv', 'hive/.day=1/d.csv']) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), 'x\n1\n');
  }
});

function flags(overrides: Partial<ScoreFlags> = {}): ScoreFlags {
  return {
    model: 'model.onnx',
    input: ['in.csv'],
    output: 'out.csv',
    delimiter: ',',
    keep: 'all',
    batchSize: '4096',
    ep: 'cpu',
    compression: 'snappy',
    rowGroupRows: '131072',
    onError: 'fail',
    maxErrors: '1%',
    csvParser: 'fast',
    workers: 'auto',
    maxRecordSize: '64MiB',
    decodeWorkers: '2',
    progress: true,
    progressInterval: '10',
    logFormat: 'text',
    missing: 'auto',
    stats: true,
    ...overrides,
  };
}

function notFound(pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    assert.equal(error.code, 'INPUT_NOT_FOUND');
    assert.equal(error.exitCode, 3);
    assert.match(error.message, pattern);
    return true;
  };
}

function usageError(...patterns: RegExp[]): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  };
}

describe('buildScoreJob defaults', () => {
  it('builds a job from the default flags', async () => {
    const job = await buildScoreJob(flags());
    assert.deepEqual(job, {
      model: 'model.onnx',
      inputs: [{ path: 'in.csv', format: 'csv' }],
      output: { path: 'out.csv', format: 'csv' },
      report: 'out.csv.report.json',
      pipeline: undefined,
      features: undefined,
      keep: 'all',
      batchSize: 4096,
      threads: undefined,
      batchTimeoutMs: undefined,
      executionProviders: [{ name: 'cpu', deviceId: undefined }],
      delimiter: ',',
      csvParser: 'fast',
      workers: 'auto',
      maxRecordBytes: 64 << 20,
      decodeWorkers: 2,
      onError: 'fail',
      maxErrors: { percent: 1 },
      rejects: undefined,
      missing: 'auto',
      csvSafe: false,
      parquet: { compression: 'snappy', rowGroupRows: 131072 },
      rowsPerPart: undefined,
      resume: false,
      state: undefined,
      shard: undefined,
      monitoring: { stats: true, baseline: undefined, labelColumn: undefined, groupBy: undefined, gates: [], reportMarkdown: undefined, reportHtml: undefined, junit: undefined },
      profile: false,
    });
  });

  it('writes no report by default when the output is stdout', async () => {
    const job = await buildScoreJob(flags({ output: '-' }));
    assert.equal(job.report, undefined);
    assert.deepEqual(job.output, { path: '-', format: 'csv' });
  });

  it('uses an explicit --report, also for stdout output', async () => {
    assert.equal((await buildScoreJob(flags({ report: 'r.json' }))).report, 'r.json');
    assert.equal((await buildScoreJob(flags({ output: '-', report: 'r.json' }))).report, 'r.json');
  });

  it('tells input and output formats from extensions, or takes them from the flags', async () => {
    const job = await buildScoreJob(flags({ input: ['a.tsv', 'b.feather', 'c.arrows'], output: 'out.arrow' }));
    assert.deepEqual(job.inputs.map((input) => input.format), ['tsv', 'arrow', 'arrows']);
    assert.equal(job.output.format, 'arrow');
    const explicit = await buildScoreJob(flags({ input: ['data.txt'], inputFormat: 'csv', output: 'out.bin', outputFormat: 'arrows' }));
    assert.deepEqual(explicit.inputs, [{ path: 'data.txt', format: 'csv' }]);
    assert.equal(explicit.output.format, 'arrows');
  });

  it('reads stdin (-) as CSV', async () => {
    const job = await buildScoreJob(flags({ input: ['-'] }));
    assert.deepEqual(job.inputs, [{ path: '-', format: 'csv' }]);
  });
});

describe('buildScoreJob option checks', () => {
  it('accepts a whole --batch-size of at least 1, or auto', async () => {
    assert.equal((await buildScoreJob(flags({ batchSize: 'auto' }))).batchSize, 'auto');
    assert.equal((await buildScoreJob(flags({ batchSize: '1' }))).batchSize, 1);
    assert.equal((await buildScoreJob(flags({ batchSize: '250' }))).batchSize, 250);
  });

  for (const bad of ['0', 'abc', '1.5', '-3', '', '1e3', '0x10']) {
    it(`refuses --batch-size ${JSON.stringify(bad)} with a UsageError`, async () => {
      await assert.rejects(buildScoreJob(flags({ batchSize: bad })), usageError(/--batch-size/));
    });
  }

  it('checks --threads like --batch-size', async () => {
    assert.equal((await buildScoreJob(flags({ threads: '4' }))).threads, 4);
    await assert.rejects(buildScoreJob(flags({ threads: '0' })), usageError(/--threads/));
  });

  it('takes --workers auto, 0 or a whole number, and names what it takes when refusing', async () => {
    assert.equal((await buildScoreJob(flags({ workers: 'auto' }))).workers, 'auto');
    assert.equal((await buildScoreJob(flags({ workers: '0' }))).workers, 0);
    assert.equal((await buildScoreJob(flags({ workers: '3' }))).workers, 3);
    for (const bad of ['-1', 'two', '1.5', '']) await assert.rejects(buildScoreJob(flags({ workers: bad })), usageError(/--workers must be auto or a whole number of at least 0/));
    assert.equal((await buildScoreJob(flags({ decodeWorkers: '3' }))).decodeWorkers, 3);
    assert.ok((await buildScoreJob(flags({ decodeWorkers: 'auto' }))).decodeWorkers >= 1);
    await assert.rejects(buildScoreJob(flags({ decodeWorkers: '0' })), usageError(/--decode-workers must be auto or a whole number of at least 1/));
  });

  it('reads --max-record-size in bytes or with a unit, and refuses what is not a size up to 1GiB', async () => {
    const bytes = async (text: string): Promise<number> => (await buildScoreJob(flags({ maxRecordSize: text }))).maxRecordBytes;
    assert.equal(await bytes('1048576'), 1 << 20);
    assert.equal(await bytes('512KiB'), 512 << 10);
    assert.equal(await bytes('2mb'), 2_000_000);
    assert.equal(await bytes('1 GiB'), 1 << 30);
    for (const bad of ['0', '2GiB', '1.5MiB', 'big', '', '-1', '10 parsecs']) await assert.rejects(buildScoreJob(flags({ maxRecordSize: bad })), usageError(/--max-record-size must be a size/));
  });

  it('lists every problem in one UsageError', async () => {
    await assert.rejects(buildScoreJob(flags({ batchSize: '0', ep: 'gpu', threads: 'x' })), usageError(/--batch-size/, /--ep/, /--threads/));
  });

  it("parses --ep 'cuda,cpu' into CUDA then CPU", async () => {
    const job = await buildScoreJob(flags({ ep: 'cuda,cpu' }));
    assert.deepEqual(job.executionProviders, [
      { name: 'cuda', deviceId: undefined },
      { name: 'cpu', deviceId: undefined },
    ]);
  });

  it("parses --ep 'cuda:1' into CUDA on device 1", async () => {
    const job = await buildScoreJob(flags({ ep: 'cuda:1' }));
    assert.deepEqual(job.executionProviders, [{ name: 'cuda', deviceId: 1 }]);
  });

  it('accepts --ep in any case and with spaces around the names', async () => {
    const job = await buildScoreJob(flags({ ep: 'CUDA:0, cpu' }));
    assert.deepEqual(job.executionProviders, [
      { name: 'cuda', deviceId: 0 },
      { name: 'cpu', deviceId: undefined },
    ]);
  });

  for (const bad of ['gpu', 'cpu:0', 'cuda:', 'cuda:x', '', 'cuda,,cpu']) {
    it(`refuses --ep ${JSON.stringify(bad)} with a UsageError`, async () => {
      await assert.rejects(buildScoreJob(flags({ ep: bad })), usageError(/--ep/));
    });
  }

  it('splits --features on commas and joins repeated flags, keeping the order', async () => {
    const job = await buildScoreJob(flags({ features: ['b,a', 'd', 'c'] }));
    assert.deepEqual(job.features, ['b', 'a', 'd', 'c']);
  });

  it('keeps spaces around --features names (column names may have them)', async () => {
    const job = await buildScoreJob(flags({ features: ['a, b'] }));
    assert.deepEqual(job.features, ['a', ' b']);
  });

  it('refuses --features naming a column twice with a UsageError naming it', async () => {
    await assert.rejects(buildScoreJob(flags({ features: ['a,b', 'a'] })), usageError(/'a'/, /twice/));
  });

  it('refuses --features without any column name', async () => {
    await assert.rejects(buildScoreJob(flags({ features: [','] })), usageError(/--features/));
  });

  it('reads --keep all, none or a comma-separated list', async () => {
    assert.equal((await buildScoreJob(flags({ keep: 'all' }))).keep, 'all');
    assert.equal((await buildScoreJob(flags({ keep: 'none' }))).keep, 'none');
    assert.deepEqual((await buildScoreJob(flags({ keep: 'id,name' }))).keep, ['id', 'name']);
    assert.deepEqual((await buildScoreJob(flags({ keep: 'id' }))).keep, ['id']);
  });

  it("turns --delimiter '\\t' (backslash t) into a tab", async () => {
    assert.equal((await buildScoreJob(flags({ delimiter: '\\t' }))).delimiter, '\t');
    assert.equal((await buildScoreJob(flags({ delimiter: '\t' }))).delimiter, '\t');
    assert.equal((await buildScoreJob(flags({ delimiter: ';' }))).delimiter, ';');
  });

  for (const bad of ['', ';;', '"', '\n']) {
    it(`refuses --delimiter ${JSON.stringify(bad)} with a UsageError`, async () => {
      await assert.rejects(buildScoreJob(flags({ delimiter: bad })), usageError(/--delimiter/));
    });
  }
});

describe('buildScoreJob inputs', () => {
  it('expands a directory into its CSV and Arrow files, sorted, skipping other and hidden files', async () => {
    const data = join(root, 'data');
    const job = await buildScoreJob(flags({ input: [data] }));
    assert.deepEqual(job.inputs, [
      { path: join(data, 'a.csv'), format: 'csv' },
      { path: join(data, 'b.csv'), format: 'csv' },
      { path: join(data, 'c.arrow'), format: 'arrow' },
      { path: join(data, 'd.tsv'), format: 'tsv' },
      { path: join(data, 'e.arrows'), format: 'arrows' },
      { path: join(data, 'f.CSV'), format: 'csv' },
    ]);
  });

  it('leaves subdirectories out of a directory expansion, even one named like a CSV file', async () => {
    // Regression: a subdirectory named like a data file is not an input.
    const nested = join(root, 'nested');
    const job = await buildScoreJob(flags({ input: [nested] }));
    assert.deepEqual(job.inputs.map((input) => input.path), [join(nested, 'a.csv')]);
  });

  it('expands a wildcard in the file name into the matching files, sorted', async () => {
    const plain = join(root, 'plain');
    const job = await buildScoreJob(flags({ input: [join(plain, '*.csv')] }));
    assert.deepEqual(job.inputs, [
      { path: join(plain, 'a.csv'), format: 'csv' },
      { path: join(plain, 'ab.csv'), format: 'csv' },
      { path: join(plain, 'b.csv'), format: 'csv' },
    ]);
  });

  it('expands a ? wildcard to exactly one character', async () => {
    const plain = join(root, 'plain');
    const job = await buildScoreJob(flags({ input: [join(plain, '?.csv')] }));
    assert.deepEqual(job.inputs.map((input) => input.path), [join(plain, 'a.csv'), join(plain, 'b.csv')]);
  });

  it('treats regex characters in a wildcard pattern literally', async () => {
    const plain = join(root, 'plain');
    await assert.rejects(buildScoreJob(flags({ input: [join(plain, 'a.csv+*')] })), notFound(/No input file matches/));
    const job = await buildScoreJob(flags({ input: [join(plain, 'a?csv*')] }));
    assert.deepEqual(job.inputs.map((input) => input.path), [join(plain, 'a.csv')]);
  });

  it('leaves hidden files out of a wildcard expansion, as the shell and directory expansion do', async () => {
    // Regression: as in the shell, a wildcard does not match hidden files.
    const data = join(root, 'data');
    const job = await buildScoreJob(flags({ input: [join(data, '*.csv')] }));
    assert.deepEqual(job.inputs.map((input) => input.path), [join(data, 'a.csv'), join(data, 'b.csv')]);
  });

  it('keeps the order of several inputs, expanding each in place', async () => {
    const plain = join(root, 'plain');
    const job = await buildScoreJob(flags({ input: ['z.csv', join(plain, 'b*.csv'), 'y.arrow'] }));
    assert.deepEqual(job.inputs.map((input) => input.path), ['z.csv', join(plain, 'b.csv'), 'y.arrow']);
  });

  it('a wildcard that matches nothing is a missing input (exit 3, like a missing file; issue 10)', async () => {
    await assert.rejects(buildScoreJob(flags({ input: [join(root, 'data', '*.parquet')] })), notFound(/No input file matches/));
    await assert.rejects(buildScoreJob(flags({ input: [join(root, 'missing-dir', '*.csv')] })), notFound(/No input file matches/));
  });

  it('expands a Hive-partitioned directory depth first, names in byte order, key=value subdirectories only', async () => {
    const job = await buildScoreJob(flags({ input: [join(root, 'hive')] }));
    assert.deepEqual(job.inputs, [
      { path: join(root, 'hive', 'day=09', 'x.parquet'), format: 'parquet' },
      { path: join(root, 'hive', 'day=10', 'a.csv.gz'), format: 'csv' },
      { path: join(root, 'hive', 'day=10', 'b.csv'), format: 'csv' },
      { path: join(root, 'hive', 'z.csv'), format: 'csv' },
    ]);
  });

  it('expands wildcards in directory names too', async () => {
    const job = await buildScoreJob(flags({ input: [join(root, 'hive', 'day=*', '*.csv*')] }));
    assert.deepEqual(job.inputs.map((input) => input.path), [join(root, 'hive', 'day=10', 'a.csv.gz'), join(root, 'hive', 'day=10', 'b.csv')]);
  });

  it('a directory without input files is a missing input (exit 3; issue 10)', async () => {
    await assert.rejects(buildScoreJob(flags({ input: [join(root, 'empty')] })), notFound(/holds no CSV, Arrow, Parquet or JSON Lines files/));
    await assert.rejects(buildScoreJob(flags({ input: [join(root, 'textonly')] })), notFound(/holds no CSV, Arrow, Parquet or JSON Lines files/));
  });

  it('with --allow-empty, or with --state, finding no input is a job with no inputs', async () => {
    assert.deepEqual((await buildScoreJob(flags({ input: [join(root, 'empty'), join(root, 'data', '*.parquet')], allowEmpty: true }))).inputs, []);
    const incremental = await buildScoreJob(flags({ input: [join(root, 'data', '*.parquet')], output: join(root, 'scored'), state: join(root, 'state.json') }));
    assert.deepEqual(incremental.inputs, []);
  });

  it('refuses an output, report, rejects or state path that is one of the inputs, also through a symlink (issue 10)', async () => {
    const input = join(root, 'plain', 'a.csv');
    const link = join(root, 'link-to-a.csv');
    await symlink(input, link);
    await assert.rejects(buildScoreJob(flags({ input: [input], output: input })), usageError(/--output would overwrite a file this run reads \(--input\)/));
    await assert.rejects(buildScoreJob(flags({ input: [join(root, 'plain', '*.csv')], report: link })), usageError(/--report would overwrite .*link-to-a\.csv is .*a\.csv/));
    await assert.rejects(buildScoreJob(flags({ input: [input], onError: 'skip', rejects: link })), usageError(/--rejects/));
    await assert.rejects(buildScoreJob(flags({ input: [input], model: input, output: join(root, 'o.csv'), report: input })), usageError(/--report/));
    await assert.rejects(buildScoreJob(flags({ input: [input], output: join(root, 'scored'), state: link })), usageError(/--state/));
    assert.equal((await buildScoreJob(flags({ input: [input], output: join(root, 'other.csv') }))).inputs.length, 1);
  });

  it('refuses an input with an unknown extension with a UsageError', async () => {
    await assert.rejects(buildScoreJob(flags({ input: ['data.xlsx'] })), usageError(/data\.xlsx/));
    await assert.rejects(buildScoreJob(flags({ input: ['data'] })), usageError(/format/));
  });

  it('refuses an output with an unknown extension with a UsageError', async () => {
    await assert.rejects(buildScoreJob(flags({ output: 'out.json' })), usageError(/out\.json/));
  });

  it('refuses stdin (-) combined with other inputs with a UsageError', async () => {
    await assert.rejects(buildScoreJob(flags({ input: ['-', 'a.csv'] })), usageError(/stdin/));
    await assert.rejects(buildScoreJob(flags({ input: ['a.csv', '-'] })), usageError(/stdin/));
    await assert.rejects(buildScoreJob(flags({ input: ['-', '-'] })), usageError(/stdin/));
  });
});

describe('buildScoreJob with a shard', () => {
  const env = { JOB_COMPLETION_INDEX: '1' };

  it('writes -o DIR/ as part-<k>-of-<n> with its report and rejects beside it', async () => {
    const job = await buildScoreJob(flags({ input: [join(root, 'plain', 'a.csv')], output: join(root, 'parts') + '/', shardCount: '3', onError: 'skip' }), env);
    assert.deepEqual(job.shard, { index: 1, count: 3 });
    assert.equal(job.output.path, join(root, 'parts', 'part-1-of-3.csv'));
    assert.equal(job.report, `${job.output.path}.report.json`);
    assert.equal(job.rejects, `${job.output.path}.rejects.csv`);
  });

  it('refuses an explicit --report, --rejects or rendering that every shard of -o DIR/ would overwrite (issue 14)', async () => {
    const base = { input: [join(root, 'plain', 'a.csv')], output: join(root, 'parts') + '/', shardCount: '3' };
    await assert.rejects(buildScoreJob(flags({ ...base, report: 'r.json' }), env), usageError(/every shard would write --report r\.json over the other shards' copy: leave it out/));
    await assert.rejects(buildScoreJob(flags({ ...base, onError: 'skip', rejects: 'bad.csv', report: 'r.json' }), env), usageError(/--report r\.json and --rejects bad\.csv .*leave them out/));
    await assert.rejects(buildScoreJob(flags({ ...base, reportMd: 'r.md', junit: 'j.xml' }), env), usageError(/--report-md, --junit over the other shards' copy: .*report merge/));
    // -o FILE: each worker names its own files.
    const own = await buildScoreJob(flags({ input: base.input, output: join(root, 'part-1.csv'), shard: '1/3', report: join(root, 'r1.json') }));
    assert.equal(own.report, join(root, 'r1.json'));
  });

  it('keeps a state file per shard with --state, and refuses the combinations that cannot be right', async () => {
    const job = await buildScoreJob(flags({ input: [join(root, 'plain', '*.csv')], output: join(root, 'scored'), state: join(root, 'state', 'nightly.json'), shardCount: '12' }), { JOB_COMPLETION_INDEX: '7' });
    assert.equal(job.state, join(root, 'state', 'nightly.shard-07-of-12.json'));
    assert.equal(job.output.path, join(root, 'scored'), 'the directory of per-input outputs, not a part');
    const base = { input: [join(root, 'plain', 'a.csv')], shard: '0/2' };
    await assert.rejects(buildScoreJob(flags({ ...base, output: '-' })), usageError(/cannot be combined with -o -/));
    await assert.rejects(buildScoreJob(flags({ ...base, output: join(root, 'p') + '/', rowsPerPart: '10' })), usageError(/cannot be combined with --rows-per-part/));
    await assert.rejects(buildScoreJob(flags({ ...base, input: ['-'] })), usageError(/a shard reads files, not stdin/));
  });

  it('refuses --report and --rejects with --state, where each input gets its own beside its output', async () => {
    const base = { input: [join(root, 'plain', '*.csv')], output: join(root, 'scored'), state: join(root, 'state.json') };
    await assert.rejects(buildScoreJob(flags({ ...base, report: join(root, 'night.json') })), usageError(/--state writes each input's report .*leave out --report;/));
    await assert.rejects(buildScoreJob(flags({ ...base, onError: 'skip', rejects: join(root, 'bad.csv') })), usageError(/leave out --rejects;/));
    assert.equal((await buildScoreJob(flags(base))).state, base.state);
  });

  it('refuses --state or --rows-per-part into an -o that is a file, not a directory', async () => {
    const file = join(root, 'plain', 'a.csv');
    const input = [join(root, 'plain', '*.csv')];
    await assert.rejects(buildScoreJob(flags({ input, output: file, state: join(root, 'state.json') })), usageError(/--state writes into the directory -o names, but .*a\.csv is not a directory/));
    await assert.rejects(buildScoreJob(flags({ input, output: file, rowsPerPart: '10' })), usageError(/--rows-per-part writes into the directory -o names/));
  });
});
