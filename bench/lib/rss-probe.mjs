// Loaded with `node --import` into a child when /usr/bin/time is unavailable:
// writes the process's peak RSS (kilobytes) and CPU time (user + system, microseconds, all threads)
// to $BENCH_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}`);
});
