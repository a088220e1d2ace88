// Model stage: how much stack the model's worker thread gets. ONNX Runtime reads the process's command
// line (/proc/self/cmdline) when it creates a session, with a recursion as deep as that text is long
// (measured with onnxruntime-node 1.29: about 300 bytes of stack per byte of command line). A worker
// thread's default stack (4 MiB) overflowed at about 20 KB, a --features list of 3072 columns (a
// CIFAR-size image), and the whole process died with SIGSEGV: no message, no report.

/** Stack of a worker thread for this command line (MiB), or undefined when only a child process will do. */
export function workerStackMb(commandLineBytes: number): number | undefined {
  // A child process (fork) has a short command line of its own; past 1 MiB, one is used instead.
  if (commandLineBytes > 1 << 20) return undefined;
  // 1 KiB per byte: three times what was measured. A thread's stack is address space reserved at
  // creation and backed by memory only as deep as it is used.
  return Math.max(64, Math.ceil(commandLineBytes / 1024));
}

/** The length of this process's command line as the kernel holds it (NUL-separated). */
export function commandLineBytes(): number {
  return [process.execPath, ...process.execArgv, ...process.argv.slice(1)].reduce((total, arg) => total + Buffer.byteLength(arg) + 1, 0);
}
