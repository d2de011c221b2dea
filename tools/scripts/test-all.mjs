#!/usr/bin/env node
// `npm test`: every project's typecheck and tests through Nx, then one plain closing line summing Jest's counts
// over all projects ("jest: N passed, N failed, N skipped"), so CI and people read one figure.
import { spawn } from 'node:child_process';

const args = ['nx', 'run-many', '-t', 'typecheck', 'test', '--parallel=2', '--outputStyle=stream', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NX_DAEMON: 'false', FORCE_COLOR: '0' } });
const totals = { passed: 0, failed: 0, skipped: 0, suitesFailed: 0 };
let pending = '';
const ansi = /\u001b\[[0-9;]*m/g;
function scan(chunk) {
  pending += chunk.toString();
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const raw of lines) count(raw.replace(ansi, ''));
}
function count(line) {
  const tests = /Tests:\s+(.*)\s+total/.exec(line);
  if (tests) {
    for (const [, n, kind] of tests[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
      if (kind === 'todo') totals.skipped += Number(n);
      else totals[kind] += Number(n);
    }
  }
  const suites = /Test Suites:\s+(\d+) failed/.exec(line);
  if (suites) totals.suitesFailed += Number(suites[1]);
}
child.stdout.on('data', (d) => { process.stdout.write(d); scan(d); });
child.stderr.on('data', (d) => { process.stderr.write(d); scan(d); });
child.on('close', (code) => {
  if (pending) count(pending.replace(ansi, ''));
  // A suite that fails to load counts no tests; count it as a failure so it is never hidden.
  const failed = totals.failed + (totals.failed === 0 ? totals.suitesFailed : 0);
  process.stdout.write(`\njest: ${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped\n`);
  process.exit(code ?? 1);
});
