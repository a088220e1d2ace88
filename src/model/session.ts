// Model stage: the ONNX Runtime session, held in a child process (session-child.ts) that can be killed
// when a batch runs past --batch-timeout or a signal arrives, which a session in this thread cannot.
import { fork, type ChildProcess } from 'node:child_process';
import { InterruptedError, ModelError } from '../errors.js';
import type { ModelFile } from './model-file.js';
import type { ChildReply, ChildRequest, TensorData, TensorSignature } from './session-protocol.js';

export type { ElementType, TensorData, TensorSignature } from './session-protocol.js';

/** Execution providers the tool can ask for. */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda'] as const;

/** An execution provider and, for GPUs, the device index ('cuda:1'). */
export interface ExecutionProvider {
  readonly name: (typeof EXECUTION_PROVIDERS)[number];
  readonly deviceId: number | undefined;
}

export interface SessionOptions {
  readonly threads: number | undefined;
  /** Tried in order; a later one is used only when the earlier ones cannot be created. */
  readonly executionProviders: readonly ExecutionProvider[];
  /** Told about each provider that could not be used before a later one worked. */
  readonly onFallback: (message: string) => void;
}

/** Limits on one batch's inference. */
export interface RunControl {
  /** The batch fails (and the model process is killed) when it runs longer. */
  readonly timeoutMs?: number | undefined;
  /** Aborting kills the model process and rejects with an InterruptedError. */
  readonly signal?: AbortSignal | undefined;
}

/** 'cuda:1' style name of a provider. */
export function providerLabel(provider: ExecutionProvider): string {
  return provider.deviceId === undefined ? provider.name : `${provider.name}:${provider.deviceId}`;
}

/** A loaded model, ready to run batches. */
export interface ModelSession {
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  readonly runtimeVersion: string;
  /** The execution provider the session runs on. */
  readonly executionProvider: string;
  run(feeds: Readonly<Record<string, TensorData>>, fetches: readonly string[], control?: RunControl): Promise<Record<string, TensorData>>;
  close(): Promise<void>;
}

const CHILD = new URL('./session-child.js', import.meta.url);

/** Creates a session for a checked model file, on the first provider that works. */
export async function createSession(file: ModelFile, options: SessionOptions): Promise<ModelSession> {
  const providers = options.executionProviders;
  for (const [index, provider] of providers.entries()) {
    const child = new ModelProcess();
    const loaded = await child.request({ kind: 'load', path: file.path, bytes: file.rewritten, provider, threads: options.threads });
    if (loaded.kind === 'loaded') return sessionOf(child, loaded, providerLabel(provider));
    await child.kill();
    const reason = loaded.kind === 'failed' ? loaded.message : 'unexpected reply';
    const next = providers[index + 1];
    if (provider.name === 'cpu') {
      throw new ModelError('MODEL_LOAD_FAILED', `ONNX Runtime cannot load model ${file.path}: ${reason}`, {
        hint: 'check that the model uses opsets that ONNX Runtime 1.29 supports; `onnx-batch inspect` shows what the file declares',
      });
    }
    if (next === undefined) {
      throw new ModelError('DEVICE_UNAVAILABLE', `Execution provider '${providerLabel(provider)}' is not available: ${reason}`, {
        hint: 'use --ep cpu (or --ep cuda,cpu to fall back), or see the README section "CUDA" for what the CUDA provider needs',
      });
    }
    options.onFallback(`execution provider '${providerLabel(provider)}' is not available (${reason.split('\n', 1)[0] ?? reason}); falling back to '${providerLabel(next)}'`);
  }
  throw new ModelError('DEVICE_UNAVAILABLE', 'No execution provider was given', { hint: 'pass --ep cpu' });
}

function sessionOf(child: ModelProcess, loaded: Extract<ChildReply, { kind: 'loaded' }>, executionProvider: string): ModelSession {
  let nextId = 0;
  return {
    inputs: loaded.inputs,
    outputs: loaded.outputs,
    runtimeVersion: loaded.runtimeVersion,
    executionProvider,
    run: async (feeds, fetches, control = {}) => {
      const id = nextId++;
      const reply = await child.request({ kind: 'run', id, feeds, fetches }, control);
      if (reply.kind === 'ran') return reply.results;
      throw new Error(reply.kind === 'failed' ? reply.message : 'unexpected reply from the model process');
    },
    close: () => child.kill(),
  };
}

/** One child process and its single request in flight. */
class ModelProcess {
  private readonly child: ChildProcess;
  private pending: { resolve: (reply: ChildReply) => void; reject: (error: unknown) => void } | undefined;
  private ended: string | undefined;

  constructor() {
    this.child = fork(CHILD, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
    this.child.on('message', (reply: ChildReply) => this.settle((pending) => pending.resolve(reply)));
    this.child.on('exit', (code, signal) => {
      this.ended = signal === null ? `exit code ${code}` : `signal ${signal}`;
      this.settle((pending) => pending.reject(new ModelError('MODEL_RUN_FAILED', `The model process ended unexpectedly (${this.ended})`, { hint: 'the model may have run out of memory; try a smaller --batch-size' })));
    });
    this.idle();
  }

  /** Sends one request and waits for its reply, within the control's time limit and signal. */
  request(message: ChildRequest, control: RunControl = {}): Promise<ChildReply> {
    if (this.ended !== undefined) return Promise.reject(new ModelError('MODEL_RUN_FAILED', `The model process has ended (${this.ended})`));
    return new Promise<ChildReply>((resolve, reject) => {
      const stop = (error: unknown): void => {
        void this.kill();
        reject(error);
      };
      const { timeoutMs } = control;
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => stop(new ModelError('MODEL_RUN_FAILED', `A batch ran longer than --batch-timeout (${timeoutMs / 1000} s); the model process was stopped`, {
              hint: 'the model may not terminate on some inputs (a Loop without end); raise --batch-timeout if batches are just slow',
            })), timeoutMs);
      const onAbort = (): void => stop(new InterruptedError(control.signal?.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'));
      control.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending = {
        resolve: (reply) => {
          if (timer !== undefined) clearTimeout(timer);
          control.signal?.removeEventListener('abort', onAbort);
          resolve(reply);
        },
        reject: (error) => {
          if (timer !== undefined) clearTimeout(timer);
          control.signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      // While a reply is awaited, the child keeps this process alive; idle, it does not.
      this.child.ref();
      this.child.channel?.ref();
      this.child.send(message, (error) => {
        if (error !== null) stop(new ModelError('MODEL_RUN_FAILED', `Cannot reach the model process: ${error.message}`));
      });
      if (control.signal?.aborted === true) onAbort();
    });
  }

  private settle(action: (pending: NonNullable<ModelProcess['pending']>) => void): void {
    const pending = this.pending;
    this.pending = undefined;
    this.idle();
    if (pending !== undefined) action(pending);
  }

  private idle(): void {
    this.child.channel?.unref();
    this.child.unref();
  }

  /** Stops the process at once (it may be stuck in native code, where only a kill reaches it). */
  async kill(): Promise<void> {
    if (this.ended !== undefined || this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.ref();
    this.child.kill('SIGKILL');
    await exited;
  }
}
