// A pool of CSV range-parsing worker threads: each worker parses one range at a time; the first
// worker failure fails every pending job, so the reader stops at once instead of waiting on a dead thread.
import { Worker } from 'node:worker_threads';
import { InternalError } from '../errors.js';
import type { ParseSetup, RangeJob, RangeResult, WorkerReply } from './csv-range-worker.js';

const WORKER_URL = new URL('./csv-range-worker.js', import.meta.url);

/** Runs jobs on worker threads, each worker one job at a time. */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { readonly job: RangeJob; readonly settle: Settle }[] = [];
  private readonly running = new Map<Worker, Settle>();
  private failure: Error | undefined;
  private closed = false;

  constructor(count: number, setup: ParseSetup) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(WORKER_URL, { workerData: setup });
      worker.on('message', (reply: WorkerReply) => this.settled(worker, reply));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(new InternalError(`a CSV parse worker exited (code ${code})`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  run(job: RangeJob): Promise<RangeResult> {
    return new Promise<RangeResult>((resolve, reject) => {
      if (this.failure !== undefined) return reject(this.failure);
      this.queue.push({ job, settle: { resolve, reject } });
      this.startNext();
    });
  }

  async terminate(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new InternalError('the CSV read was closed'));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private startNext(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const { job, settle } = this.queue.shift() as { job: RangeJob; settle: Settle };
      this.running.set(worker, settle);
      worker.postMessage(job);
    }
  }

  private settled(worker: Worker, reply: WorkerReply): void {
    const settle = this.running.get(worker);
    this.running.delete(worker);
    this.idle.push(worker);
    if (settle !== undefined) {
      if (reply.ok) settle.resolve(reply.result);
      else settle.reject(new InternalError(`a CSV parse worker failed: ${reply.message}`));
    }
    this.startNext();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const settle of this.running.values()) settle.reject(error);
    this.running.clear();
    for (const { settle } of this.queue.splice(0)) settle.reject(error);
  }
}

interface Settle {
  readonly resolve: (result: RangeResult) => void;
  readonly reject: (error: unknown) => void;
}
