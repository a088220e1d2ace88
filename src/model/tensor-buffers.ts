// Model stage: input tensor buffers that the model thread hands back once a batch has run, for the
// next batches to reuse. Allocating (and zero-filling) half a MiB per batch, and collecting it
// later, cost W2 (Arrow, 5M rows) 8% of its time and 15 MB of peak memory.

/** Buffers kept per size: two batches are at the model at a time, and one is being built. */
const KEPT_PER_SIZE = 4;

/** Free buffers by byte length. Their contents are stale: whoever takes one writes all of it. */
export class TensorBuffers {
  private readonly free = new Map<number, ArrayBuffer[]>();

  /** A buffer of exactly `byteLength` bytes, if one came back. */
  take(byteLength: number): ArrayBuffer | undefined {
    return this.free.get(byteLength)?.pop();
  }

  giveBack(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      const list = this.free.get(buffer.byteLength) ?? [];
      if (list.length < KEPT_PER_SIZE) list.push(buffer);
      this.free.set(buffer.byteLength, list);
    }
  }
}
