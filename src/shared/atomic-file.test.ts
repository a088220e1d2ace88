import assert from 'node:assert/strict';
import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/helpers/temp-dir.js';
import { openAtomicFile } from './atomic-file.js';
import { writeReport } from '../report/report.js';
import type { RunReport } from '../report/report.js';

/** A directory holding a victim file and a symlink to it at the temporary name older versions used. */
async function plantedSymlink(output: string): Promise<{ dir: string; victim: string }> {
  const dir = await tempDir('onnx-batch-atomic-');
  const victim = join(dir, 'victim.txt');
  await writeFile(victim, 'precious\n');
  await symlink(victim, join(dir, `.${output}.${process.pid}.partial`));
  return { dir, victim };
}

describe('temporary files cannot be pre-planted (issue 10, CWE-377)', () => {
  it('an output is written to an unpredictable new file, not through a symlink planted at the old name', async () => {
    const { dir, victim } = await plantedSymlink('out.csv');
    const file = await openAtomicFile(join(dir, 'out.csv'));
    await file.write('a,b\n1,2\n');
    await file.commit();
    assert.equal(await readFile(victim, 'utf8'), 'precious\n');
    assert.equal(await readFile(join(dir, 'out.csv'), 'utf8'), 'a,b\n1,2\n');
    assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith('.partial')), [`.out.csv.${process.pid}.partial`]);
  });

  it('two files opened for the same path get different temporary names', async () => {
    const { dir } = await plantedSymlink('x.csv');
    const [first, second] = [await openAtomicFile(join(dir, 'x.csv')), await openAtomicFile(join(dir, 'x.csv'))];
    assert.equal((await readdir(dir)).filter((name) => name.endsWith('.partial')).length, 3);
    await first.abort();
    await second.abort();
  });

  it('a report is written to an unpredictable new file, not through a planted symlink', async () => {
    const { dir, victim } = await plantedSymlink('r.json');
    await writeReport(join(dir, 'r.json'), { schemaVersion: 1 } as unknown as RunReport);
    assert.equal(await readFile(victim, 'utf8'), 'precious\n');
    assert.equal(JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')).schemaVersion, 1);
  });
});
