import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cudaSettingsOf, sessionOptionsFor } from './session-options.js';

const load = (provider: { name: 'cpu' | 'cuda'; deviceId: number | undefined }, threads?: number) =>
  ({ kind: 'load', path: 'm.onnx', bytes: undefined, provider, threads, profileDir: undefined, logSeverity: 4 }) as const;

describe('sessionOptionsFor', () => {
  it('asks the CPU provider by name, with idle threads not spinning and errors-only logging', () => {
    assert.deepEqual(sessionOptionsFor(load({ name: 'cpu', deviceId: undefined })), {
      executionProviders: ['cpu'],
      logSeverityLevel: 4,
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  });

  it('gives CUDA its device index: 0 for --ep cuda, 1 for --ep cuda:1 (the only CUDA option onnxruntime-node passes on)', () => {
    assert.deepEqual(sessionOptionsFor(load({ name: 'cuda', deviceId: undefined })).executionProviders, [{ name: 'cuda', deviceId: 0 }]);
    assert.deepEqual(sessionOptionsFor(load({ name: 'cuda', deviceId: 1 })).executionProviders, [{ name: 'cuda', deviceId: 1 }]);
  });

  it('sets --threads as intra-op threads, --verbose as warning-level logs, and profiling only when asked', () => {
    const options = sessionOptionsFor({ ...load({ name: 'cpu', deviceId: undefined }, 3), logSeverity: 2 }, '/tmp/p/run');
    assert.equal(options.intraOpNumThreads, 3);
    assert.equal(options.logSeverityLevel, 2);
    assert.deepEqual([options.enableProfiling, options.profileFilePrefix], [true, '/tmp/p/run']);
    assert.equal('enableProfiling' in sessionOptionsFor(load({ name: 'cpu', deviceId: undefined })), false);
  });
});

describe('cudaSettingsOf', () => {
  it("records the device and ONNX Runtime's defaults for what Node cannot set", () => {
    assert.deepEqual(cudaSettingsOf(2), { deviceId: 2, gpuMemLimit: null, arenaExtendStrategy: 'kNextPowerOfTwo', cudnnConvAlgoSearch: 'EXHAUSTIVE' });
  });
});
