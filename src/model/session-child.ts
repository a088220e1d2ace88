// Model stage: the host of the ONNX Runtime session (the only importer of onnxruntime-node), run as a
// worker thread or, with --batch-timeout, as a child process. ONNX Runtime runs a model synchronously,
// so off the main thread the runner stays free to read, write and handle signals while it runs; and a
// model that runs forever (a Loop that never ends) can only be stopped when it is in a process of its own.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { sessionOptionsFor } from './session-options.js';
import type { ChildReply, ChildRequest, TensorData, TensorSignature } from './session-protocol.js';
import { InternalError } from '../errors.js';

if (parentPort === null) {
  // Ctrl-C reaches the whole process group: the parent decides when this process stops.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  process.on('disconnect', () => process.exit(0));
}

// The runtime's own logger writes to stderr what our errors say more clearly; with --verbose its
// warnings are let through (the parent reads this process's stderr and prefixes them).
ort.env.logLevel = 'fatal';

let session: ort.InferenceSession | undefined;
/** Where the first run's profile goes, while the nodes are still to be counted. */
let profileDir: string | undefined;

function reply(message: ChildReply, transfer: ArrayBuffer[] = []): void {
  if (parentPort !== null) parentPort.postMessage(message, transfer);
  else process.send?.(message);
}

function toSignature(metadata: ort.InferenceSession.ValueMetadata): TensorSignature {
  if (!metadata.isTensor) return { name: metadata.name, isTensor: false, type: undefined, shape: [] };
  return { name: metadata.name, isTensor: true, type: metadata.type, shape: [...metadata.shape] };
}

async function handle(request: ChildRequest): Promise<void> {
  if (request.kind === 'load') {
    try {
      if (request.logSeverity === 2) ort.env.logLevel = 'warning';
      profileDir = request.profileDir;
      const options = sessionOptionsFor(request, profileDir === undefined ? undefined : join(profileDir, 'run'));
      session = request.bytes === undefined ? await ort.InferenceSession.create(request.path, options) : await ort.InferenceSession.create(request.bytes, options);
      reply({ kind: 'loaded', inputs: session.inputMetadata.map(toSignature), outputs: session.outputMetadata.map(toSignature), runtimeVersion: ort.env.versions.common ?? 'unknown' });
    } catch (error) {
      reply({ kind: 'failed', message: (error as Error).message ?? String(error) });
    }
    return;
  }
  try {
    if (session === undefined) throw new InternalError('a batch reached the model process before its model was loaded');
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, feed] of Object.entries(request.feeds)) feeds[name] = new ort.Tensor(feed.type, feed.data as ort.Tensor.DataType, [...feed.dims]);
    const results = await session.run(feeds, [...request.fetches]);
    const plain: Record<string, TensorData> = {};
    for (const [name, tensor] of Object.entries(results)) plain[name] = { type: tensor.type, data: tensor.data, dims: tensor.dims };
    // A worker hands the input buffers back for the next batches; a child process would copy them.
    const inputs = parentPort === null ? [] : Object.values(request.feeds).flatMap((feed) => (ArrayBuffer.isView(feed.data) && feed.data.buffer instanceof ArrayBuffer ? [feed.data.buffer] : []));
    const nodes = profileDir === undefined ? undefined : countNodes(session, profileDir);
    profileDir = undefined;
    reply({ kind: 'ran', id: request.id, results: plain, ...(inputs.length > 0 ? { inputs } : {}), ...(nodes === undefined ? {} : { nodes }) }, inputs);
  } catch (error) {
    reply({ kind: 'failed', id: request.id, message: (error as Error).message ?? String(error) });
  }
}

/**
 * Ends profiling (so later runs are not slowed) and counts the nodes that ran on each provider in the
 * first run: a model that mostly fell back from CUDA to the CPU shows here.
 */
function countNodes(profiled: ort.InferenceSession, dir: string): Record<string, number> | undefined {
  try {
    profiled.endProfiling();
    const file = readdirSync(dir).find((name) => name.endsWith('.json'));
    if (file === undefined) return undefined;
    const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { cat?: string; name?: string; args?: { provider?: string } }[];
    const nodesByProvider = new Map<string, Set<string>>();
    for (const event of events) {
      const provider = event.args?.provider;
      if (event.cat !== 'Node' || provider === undefined || event.name === undefined) continue;
      const name = provider.replace(/ExecutionProvider$/, '').toLowerCase();
      nodesByProvider.set(name, (nodesByProvider.get(name) ?? new Set()).add(event.name));
    }
    return Object.fromEntries([...nodesByProvider].map(([name, nodes]) => [name, nodes.size]));
  } catch {
    // The counts are a diagnostic: a profile that cannot be read leaves them unknown (null in the report).
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Requests are handled one at a time, in the order they came: the parent may send the next batch
// while one runs, and its replies must come back in order.
let queue = Promise.resolve();
const receive = (request: ChildRequest): void => {
  queue = queue.then(() => handle(request));
};
if (parentPort !== null) parentPort.on('message', receive);
else process.on('message', receive);
