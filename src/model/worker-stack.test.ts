import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLineBytes, workerStackMb } from './worker-stack.js';

describe('workerStackMb', () => {
  it('gives at least 64 MiB, and 1 KiB per byte of command line beyond that', () => {
    assert.equal(workerStackMb(200), 64);
    assert.equal(workerStackMb(18_000), 64);
    assert.equal(workerStackMb(65_536), 64);
    assert.equal(workerStackMb(300_000), 293);
    assert.equal(workerStackMb(1 << 20), 1024);
  });

  it('asks for a child process past 1 MiB of command line', () => {
    assert.equal(workerStackMb((1 << 20) + 1), undefined);
  });
});

describe('commandLineBytes', () => {
  it("counts this process's arguments with their separators", () => {
    const expected = [process.execPath, ...process.execArgv, ...process.argv.slice(1)].join('\0').length + 1;
    assert.equal(commandLineBytes(), expected);
  });
});
