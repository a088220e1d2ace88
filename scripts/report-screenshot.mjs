// Opens a report page (--report-html) in headless Chromium: checks that it logs no console errors,
// fetches nothing and draws its charts, and writes a screenshot for review.
// Usage: node scripts/report-screenshot.mjs report.html [screenshot.png]   (CHROMIUM=path to override /usr/bin/chromium)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [page, shot = page.replace(/\.html?$/i, '') + '.png'] = process.argv.slice(2);
if (page === undefined) {
  process.stderr.write('usage: node scripts/report-screenshot.mjs report.html [screenshot.png]\n');
  process.exit(2);
}
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  process.stderr.write(`report-screenshot: ${chromium} not found (apt-get install chromium, or set CHROMIUM)\n`);
  process.exit(2);
}
const url = pathToFileURL(resolve(page)).href;
// Any request to the network fails: a self-contained page does not notice.
const common = ['--headless', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0', '--host-resolver-rules=MAP * ~NOTFOUND', '--virtual-time-budget=2000'];
const run = (args) => spawnSync(chromium, [...common, ...args, url], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

const dom = run(['--dump-dom']);
const consoleErrors = dom.stderr.split('\n').filter((line) => /CONSOLE|Uncaught|ERR_NAME_NOT_RESOLVED|Failed to load/i.test(line) && !/dbus|gcm|sandbox/i.test(line));
const charts = (dom.stdout.match(/<svg class="histogram"/g) ?? []).length;
const bars = (dom.stdout.match(/<rect /g) ?? []).length;
const shotRun = run([`--screenshot=${resolve(shot)}`, '--window-size=1200,2600', '--hide-scrollbars']);
const ok = dom.status === 0 && shotRun.status === 0 && consoleErrors.length === 0 && charts > 0 && bars > 0 && existsSync(shot);
process.stdout.write(`${JSON.stringify({ page, screenshot: shot, charts, bars, consoleErrors, ok }, null, 2)}\n`);
process.exit(ok ? 0 : 1);
