// Shared: a small pool of worker threads running one module, for work that must not stall the main
// thread (image decoding). Tasks go to the worker with the fewest in flight; idle workers do not
// keep the process alive, and a worker that dies fails its tasks instead of hanging them.
import { parentPort, Worker, type Transferable } from 'node:worker_threads';
import { InternalError } from '../errors.js';

interface Task {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Member {
  readonly worker: Worker;
  readonly tasks: Map<number, Task>;
}

type Reply = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly message: string };

/** Worker threads that each answer requests with one handler (see `serveRequests`). */
export class WorkerPool<Request, Response> {
  private readonly members: Member[] = [];
  private nextId = 0;
  private closed = false;

  /** `size` workers are started on the first request, each running the module at `url`. */
  constructor(
    private readonly url: URL,
    readonly size: number,
  ) {}

  /** Sends one request to the least busy worker; `transfer` moves buffers instead of copying them. */
  run(request: Request, transfer: readonly Transferable[] = []): Promise<Response> {
    if (this.closed) return Promise.reject(new InternalError('worker pool used after close'));
    if (this.members.length === 0) for (let i = 0; i < this.size; i++) this.members.push(this.start());
    const member = this.members.reduce((best, candidate) => (candidate.tasks.size < best.tasks.size ? candidate : best));
    const id = this.nextId++;
    return new Promise<Response>((resolve, reject) => {
      member.tasks.set(id, { resolve: resolve as (value: unknown) => void, reject });
      member.worker.ref();
      member.worker.postMessage({ id, request }, [...transfer]);
    });
  }

  /** Stops every worker; requests still in flight fail. */
  async close(): Promise<void> {
    this.closed = true;
    const members = this.members.splice(0);
    await Promise.all(members.map((member) => member.worker.terminate()));
  }

  private start(): Member {
    const worker = new Worker(this.url);
    const member: Member = { worker, tasks: new Map() };
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const task = member.tasks.get(reply.id);
      member.tasks.delete(reply.id);
      if (member.tasks.size === 0) worker.unref();
      if (reply.ok) task?.resolve(reply.value);
      else task?.reject(new InternalError(reply.message));
    });
    const fail = (error: Error): void => {
      for (const task of member.tasks.values()) task.reject(new InternalError(`a worker thread stopped: ${error.message}`, { cause: error }));
      member.tasks.clear();
      const index = this.members.indexOf(member);
      if (index >= 0 && !this.closed) this.members[index] = this.start();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed && member.tasks.size > 0) fail(new Error(`exit code ${code}`));
    });
    return member;
  }
}

/** The worker's side: answers each request with `handle`, moving the buffers it names back. */
export function serveRequests<Request, Response>(handle: (request: Request) => Promise<{ value: Response; transfer: readonly Transferable[] }>): void {
  const port = parentPort;
  if (port === null) throw new InternalError('serveRequests runs in a worker thread only');
  port.on('message', ({ id, request }: { id: number; request: Request }) => {
    handle(request).then(
      ({ value, transfer }) => port.postMessage({ id, ok: true, value } satisfies Reply, [...transfer]),
      (error: unknown) => port.postMessage({ id, ok: false, message: (error as Error)?.stack ?? String(error) } satisfies Reply),
    );
  });
}
