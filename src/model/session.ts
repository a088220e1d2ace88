// Model stage: the ONNX Runtime session, hosted off the main thread (session-child.ts): in a worker
// thread, which takes inputs without copying, or, with --batch-timeout, in a child process, which a
// kill stops even inside a native call (a worker cannot be stopped there, nor outlived by exit).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { InternalError, InterruptedError, ModelError } from '../errors.js';
import type { ModelFile } from './model-file.js';
import type { ChildReply, ChildRequest, TensorData, TensorSignature } from './session-protocol.js';
import { TensorBuffers } from './tensor-buffers.js';
import { commandLineBytes, workerStackMb } from './worker-stack.js';

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
  /** Host the session in a child process that a time limit can kill (else a worker thread). */
  readonly killable: boolean;
  /** Count the graph nodes each provider runs (profiling the first batch); see ModelSession.placement. */
  readonly countNodes?: boolean;
  /**
   * Receives ONNX Runtime's own log lines (its warnings), for --verbose; the session then runs in a
   * child process whose stderr is read. Without it they are not shown.
   */
  readonly runtimeLog?: ((line: string) => void) | undefined;
  /** Says why a provider cannot be used (a missing library, no GPU), before ONNX Runtime's own reason. */
  readonly explainFailure?: ((provider: ExecutionProvider) => Promise<string | undefined>) | undefined;
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
  /** Input buffers of batches that have run, for building the next ones. */
  readonly buffers: TensorBuffers;
  /** Graph nodes per provider ({ cuda: 40, cpu: 2 }) once a batch has run with countNodes; else null. */
  placement(): Readonly<Record<string, number>> | null;
  close(): Promise<void>;
}

const CHILD = new URL('./session-child.js', import.meta.url);

/** Creates a session for a checked model file, on the first provider that works. */
export async function createSession(file: ModelFile, options: SessionOptions): Promise<ModelSession> {
  // onnxruntime-node 1.29 starts Microsoft's telemetry on Linux unless told not to: every process that
  // loads it leaves mat-debug-<pid>.log and .ses in TMPDIR, writes under ~/.cache/Microsoft, and tries
  // to upload. A batch job on someone's data sends nothing anywhere. Set here, before the host starts,
  // so its worker thread or child process inherits it; a user's own non-empty ORT_DISABLE_TELEMETRY is kept.
  process.env.ORT_DISABLE_TELEMETRY ||= '1';
  const providers = options.executionProviders;
  const stackMb = workerStackMb(commandLineBytes());
  for (const [index, provider] of providers.entries()) {
    const child = new ModelHost(options.killable || options.runtimeLog !== undefined || stackMb === undefined, options.runtimeLog, stackMb);
    const profileDir = options.countNodes === true ? mkdtempSync(join(tmpdir(), 'onnx-batch-profile-')) : undefined;
    const removeProfile = (): void => {
      if (profileDir !== undefined) rmSync(profileDir, { recursive: true, force: true });
    };
    const loaded = await child.request({
      kind: 'load',
      path: file.path,
      bytes: file.rewritten,
      provider,
      threads: options.threads,
      profileDir,
      logSeverity: options.runtimeLog === undefined ? 4 : 2,
    });
    // A GPU is always named with its index, so a report says which one ran the model.
    if (loaded.kind === 'loaded') return sessionOf(child, loaded, provider.name === 'cpu' ? 'cpu' : `${provider.name}:${provider.deviceId ?? 0}`, removeProfile);
    await child.kill();
    removeProfile();
    const runtimeReason = loaded.kind === 'failed' ? loaded.message : 'unexpected reply';
    const cause = provider.name === 'cpu' ? undefined : await options.explainFailure?.(provider);
    const reason = cause === undefined ? runtimeReason : `${cause} (ONNX Runtime: ${runtimeReason.split('\n', 1)[0] ?? runtimeReason})`;
    const next = providers[index + 1];
    if (provider.name === 'cpu') {
      throw new ModelError('MODEL_LOAD_FAILED', `ONNX Runtime cannot load model ${file.path}: ${reason}`, {
        hint: 'check that the model uses opsets that ONNX Runtime 1.29 supports; `onnx-batch inspect` shows what the file declares',
      });
    }
    if (next === undefined) {
      throw new ModelError('DEVICE_UNAVAILABLE', `Execution provider '${providerLabel(provider)}' is not available: ${reason}`, {
        hint: 'run `onnx-batch doctor --ep cuda` to see what is missing, and `onnx-batch setup cuda` to install the provider; or use --ep cpu (--ep cuda,cpu falls back)',
      });
    }
    options.onFallback(`execution provider '${providerLabel(provider)}' is not available: ${reason.split('\n', 1)[0] ?? reason}; falling back to '${providerLabel(next)}'`);
  }
  throw new ModelError('DEVICE_UNAVAILABLE', 'No execution provider was given', { hint: 'pass --ep cpu' });
}

function sessionOf(child: ModelHost, loaded: Extract<ChildReply, { kind: 'loaded' }>, executionProvider: string, removeProfile: () => void): ModelSession {
  let nextId = 0;
  let nodes: Record<string, number> | null = null;
  const buffers = new TensorBuffers();
  return {
    buffers,
    placement: () => nodes,
    inputs: loaded.inputs,
    outputs: loaded.outputs,
    runtimeVersion: loaded.runtimeVersion,
    executionProvider,
    run: async (feeds, fetches, control = {}) => {
      const id = nextId++;
      const reply = await child.request({ kind: 'run', id, feeds, fetches }, control);
      if (reply.kind === 'ran') {
        buffers.giveBack(reply.inputs ?? []);
        if (reply.nodes !== undefined) nodes = reply.nodes;
        return reply.results;
      }
      if (reply.kind === 'failed') throw new ModelRunFailure(reply.message);
      throw new InternalError(`unexpected reply '${reply.kind}' from the model process`);
    },
    // A session closed before its first batch (an empty input, an early error) leaves its profile behind.
    close: async () => {
      await child.kill();
      removeProfile();
    },
  };
}

/** ONNX Runtime's own message for a batch it failed to run; model/index.ts names the rows and the file. */
export class ModelRunFailure extends Error {
  override readonly name = 'ModelRunFailure';
}

/** A way to reach the session-child.ts host: a worker thread or a child process. */
interface Channel {
  send(message: ChildRequest): void;
  /** While a reply is awaited the host keeps this process alive; idle, it does not. */
  hold(): void;
  release(): void;
  /** Stops the host at once. */
  kill(): Promise<void>;
}

interface ChannelEvents {
  readonly onMessage: (reply: ChildReply) => void;
  readonly onExit: (how: string) => void;
}

/** A worker thread: inputs are handed over without copying. It cannot be stopped inside a native call. */
function workerChannel(events: ChannelEvents, stackMb: number): Channel {
  const worker = new Worker(CHILD, { stdout: true, resourceLimits: { stackSizeMb: stackMb } });
  worker.on('message', events.onMessage);
  worker.on('error', (error) => events.onExit(`error ${error.message}`));
  worker.on('exit', (code) => events.onExit(`exit code ${code}`));
  return {
    send: (message) => worker.postMessage(message, message.kind === 'run' ? transferables(message) : []),
    hold: () => worker.ref(),
    release: () => worker.unref(),
    kill: async () => {
      await worker.terminate();
    },
  };
}

/** A child process: inputs are copied through a pipe, and a kill stops it even inside a native call. */
function processChannel(events: ChannelEvents, runtimeLog: ((line: string) => void) | undefined): Channel {
  const child: ChildProcess = fork(CHILD, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', runtimeLog === undefined ? 'inherit' : 'pipe', 'ipc'], execArgv: [] });
  if (runtimeLog !== undefined && child.stderr !== null) {
    let pending = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      // ONNX Runtime colours its lines for a terminal; they are passed on as plain text.
      for (const line of lines.map((text) => text.replace(/\u001b\[[0-9;]*m/g, ''))) if (line.trim() !== '') runtimeLog(line);
    });
    // Like the process itself, its stderr pipe must not keep the runner alive when idle.
    (child.stderr as Socket).unref();
  }
  child.on('message', events.onMessage);
  child.on('exit', (code, signal) => events.onExit(signal === null ? `exit code ${code}` : `signal ${signal}`));
  return {
    send: (message) =>
      child.send(message, (error) => {
        if (error !== null) events.onExit(`unreachable: ${error.message}`);
      }),
    hold: () => {
      child.ref();
      child.channel?.ref();
    },
    release: () => {
      child.channel?.unref();
      child.unref();
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.ref();
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function transferables(message: Extract<ChildRequest, { kind: 'run' }>): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const feed of Object.values(message.feeds)) {
    if (!Array.isArray(feed.data) && (feed.data as ArrayBufferView).buffer instanceof ArrayBuffer) buffers.push((feed.data as ArrayBufferView).buffer as ArrayBuffer);
  }
  return buffers;
}

/** Where a reply goes: to the request with its id ('load' for the one load). */
type RequestKey = number | 'load';

interface Pending {
  readonly resolve: (reply: ChildReply) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The session's host and its requests in flight. The host answers them one at a time, in the
 * order sent, so the next batch can wait there while this process writes the one before.
 */
class ModelHost {
  private readonly channel: Channel;
  private readonly pending = new Map<RequestKey, Pending>();
  private ended: string | undefined;

  /**
   * `killable`: a child process (needed for --batch-timeout, to read ONNX Runtime's log, and for very
   * long command lines), else a worker thread with `stackMb` of stack (see worker-stack.ts).
   */
  constructor(
    private readonly killable: boolean,
    runtimeLog: ((line: string) => void) | undefined,
    stackMb = 64,
  ) {
    const events: ChannelEvents = {
      onMessage: (reply) => this.settle(reply.kind === 'loaded' || reply.id === undefined ? 'load' : reply.id, (pending) => pending.resolve(reply)),
      onExit: (how) => {
        this.ended ??= how;
        this.settleAll(new ModelError('MODEL_RUN_FAILED', `The model runner ended unexpectedly (${how})`, { hint: 'the model may have run out of memory; try a smaller --batch-size' }));
      },
    };
    this.channel = killable ? processChannel(events, runtimeLog) : workerChannel(events, stackMb);
    this.channel.release();
  }

  /** Sends one request and waits for its reply, within the control's time limit and signal. */
  request(message: ChildRequest, control: RunControl = {}): Promise<ChildReply> {
    if (this.ended !== undefined) return Promise.reject(new ModelError('MODEL_RUN_FAILED', `The model runner has ended (${this.ended})`));
    const key: RequestKey = message.kind === 'load' ? 'load' : message.id;
    return new Promise<ChildReply>((resolve, reject) => {
      const { timeoutMs } = control;
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              void this.kill();
              this.settleAll(
                new ModelError('MODEL_RUN_FAILED', `A batch ran longer than --batch-timeout (${timeoutMs / 1000} s); the model process was stopped`, {
                  hint: 'the model may not terminate on some inputs (a Loop without end); raise --batch-timeout if batches are just slow',
                }),
              );
            }, timeoutMs);
      // A child process is stopped at once; a worker's batch is let finish (it cannot be stopped inside
      // ONNX Runtime), and the runner stops after it.
      const onAbort = (): void => {
        if (!this.killable) return;
        void this.kill();
        this.settleAll(InterruptedError.after(control.signal));
      };
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        control.signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(key, {
        resolve: (reply) => {
          done();
          resolve(reply);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      control.signal?.addEventListener('abort', onAbort, { once: true });
      this.channel.hold();
      this.channel.send(message);
      if (control.signal?.aborted === true) onAbort();
    });
  }

  private settle(key: RequestKey, action: (pending: Pending) => void): void {
    const pending = this.pending.get(key);
    this.pending.delete(key);
    if (this.pending.size === 0) this.channel.release();
    if (pending !== undefined) action(pending);
  }

  /** Fails every request in flight: the host is gone, so none of them will be answered. */
  private settleAll(error: unknown): void {
    for (const key of [...this.pending.keys()]) this.settle(key, (pending) => pending.reject(error));
  }

  /** Stops the host (a worker inside a native call stops when that call returns). */
  async kill(): Promise<void> {
    if (this.ended !== undefined) return;
    this.ended = 'stopped';
    await this.channel.kill();
  }
}
