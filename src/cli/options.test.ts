import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command, Option } from 'commander';
import { SCORE_FLAGS } from '../config/flags.js';
import { scoreOptions } from './options.js';

describe('the score flag table', () => {
  it('keys each flag by the name commander stores its value under, so the derived ScoreFlags type is what the CLI hands over', () => {
    for (const [key, spec] of Object.entries(SCORE_FLAGS)) assert.equal(new Option(spec.flags).attributeName(), key, spec.flags);
  });

  it('parses a command line into values under the table keys only, with the defaults and lists the type promises', () => {
    const command = new Command().exitOverride();
    for (const option of scoreOptions()) command.addOption(option);
    command.parse(['-m', 'm.onnx', '-i', 'a.csv', 'b.csv', '-o', 'out.csv', '--features', 'x,y', '--features', 'z', '--missing', 'reject'], { from: 'user' });
    const parsed = command.opts();
    assert.deepEqual(Object.keys(parsed).filter((key) => !(key in SCORE_FLAGS)), []);
    assert.deepEqual(parsed['input'], ['a.csv', 'b.csv']);
    assert.deepEqual(parsed['features'], ['x,y', 'z']);
    assert.equal(parsed['missing'], 'reject');
    assert.equal(parsed['progress'], true);
    assert.equal(parsed['csvParser'], 'fast');
    assert.equal(parsed['onError'], 'fail');
  });
});
