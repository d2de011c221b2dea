#!/usr/bin/env node
// `npm test`: every project's typecheck, lint and tests through Nx, then the workspace-wide checks below (each a
// command that exits non-zero on failure), then one plain closing line summing Jest's counts over all
// projects ("jest: N passed, N failed, N skipped"), one naming the Nx targets that failed (a lint or typecheck
// failure runs no test, so the Jest line alone can read "0 failed"), and one for the checks.
import { spawn } from 'node:child_process';

const env = { ...process.env, NX_DAEMON: 'false', FORCE_COLOR: '0' };
const runMany = ['nx', 'run-many', '-t', 'typecheck', 'lint', 'test', '--parallel=2', '--outputStyle=stream', ...process.argv.slice(2)];

// Checks that are not one project's target: they need the whole workspace (packed tarballs, all entry points).
// One entry per check; keep them independent so a failure in one still runs the others.
const checks = [
  { name: 'external-study', command: 'node', args: ['tools/scripts/external-study.mjs'] },
  { name: 'release-dry-run', command: 'node', args: ['tools/scripts/release-dry-run.mjs'] },
  { name: 'api-docs', command: 'node', args: ['tools/scripts/check-api-docs.mjs'] },
  // Import cycles between files of one project (lint sees only those between projects).
  { name: 'import-cycles', command: 'node', args: ['tools/scripts/check-import-cycles.mjs'] },
  // Every project's error-code catalogue against the codes its sources throw (issue 19).
  { name: 'error-codes', command: 'node', args: ['tools/scripts/check-error-codes.mjs'] },
  // No source file over 350 lines, no function over 80, but those code-size-allow.json names (issue 19).
  { name: 'code-size', command: 'node', args: ['tools/scripts/check-code-size.mjs'] },
  // Each package's Stryker config loads, so its equivalent-mutant list names code that is still there (issue 22).
  { name: 'stryker-configs', command: 'node', args: ['tools/scripts/check-stryker-configs.mjs'] },
  // SIGKILLs, full disks, read-only folders and two sweeps on one folder against the real CLIs (docs/reliability.md).
  { name: 'fault-injection', command: 'node', args: ['tools/scripts/fault-injection.mjs'] },
  // Every tracked file as Prettier would write it (.prettierrc.json, .prettierignore; `npx nx format` fixes it).
  { name: 'format', command: 'npx', args: ['nx', 'format:check', '--all'] },
  // Commit subjects since enforcement began: Conventional Commits, at most 72 characters (commitlint.config.mjs).
  { name: 'commits', command: 'node', args: ['tools/scripts/check-commits.mjs'] },
];

const totals = { passed: 0, failed: 0, skipped: 0, suitesFailed: 0 };
// Nx's closing "Failed tasks:" list (`- runner:lint`), so the summary can say which targets failed.
const failedTasks = [];
let inFailedTasks = false;
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
  if (/Failed tasks:/.test(line)) inFailedTasks = true;
  else if (inFailedTasks) {
    const task = /^\s*-\s+(\S+:\S+)/.exec(line);
    if (task) failedTasks.push(task[1]);
    else if (line.trim() !== '') inFailedTasks = false;
  }
}

function run(command, args, { countJest = false } = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      if (countJest) scan(d);
    });
    child.stderr.on('data', (d) => {
      process.stderr.write(d);
      if (countJest) scan(d);
    });
    child.on('close', (code) => resolvePromise(code ?? 1));
  });
}

// The exit code of `nx run-many -t typecheck lint test`: non-zero when any of the three failed in any project.
const runManyCode = await run('npx', runMany, { countJest: true });
if (pending) count(pending.replace(ansi, ''));
const failedChecks = [];
for (const check of checks) {
  process.stdout.write(`\n> check: ${check.name}\n`);
  if ((await run(check.command, check.args)) !== 0) failedChecks.push(check.name);
}
// A suite that fails to load counts no tests; count it as a failure so it is never hidden.
const failed = totals.failed + (totals.failed === 0 ? totals.suitesFailed : 0);
process.stdout.write(`\njest: ${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped\n`);
if (runManyCode !== 0) {
  const byTarget = ['typecheck', 'lint', 'test']
    .map((target) => [target, failedTasks.filter((t) => t.endsWith(`:${target}`))])
    .filter(([, tasks]) => tasks.length > 0);
  process.stdout.write(
    byTarget.length > 0
      ? `targets: ${byTarget.map(([target, tasks]) => `${target} failed (${tasks.join(', ')})`).join('; ')}\n`
      : `targets: nx run-many (typecheck, lint, test) exited with code ${runManyCode}\n`,
  );
}
if (checks.length > 0) {
  process.stdout.write(
    `checks: ${checks.length - failedChecks.length} passed, ${failedChecks.length} failed${failedChecks.length ? ` (${failedChecks.join(', ')})` : ''}\n`,
  );
}
process.exit(runManyCode !== 0 ? runManyCode : failedChecks.length > 0 ? 1 : 0);
