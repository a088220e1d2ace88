// Docs: the README's generated reference tables match the code they describe.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { updateSections } from '../src/cli/docs.js';
import { ROOT } from './helpers/cli.js';

describe('README', () => {
  it('has up-to-date option and error-code tables (run `npm run docs:options`)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.match(readme, /<!-- options:start -->/);
    assert.match(readme, /<!-- errors:start -->/);
    assert.equal(updateSections(readme), readme);
  });

  it('documents every exit code', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const code of [0, 1, 2, 3, 4, 5, 6, 130, 143]) assert.match(readme, new RegExp(`^\\| ${code} \\|`, 'm'), `exit code ${code}`);
  });
});
