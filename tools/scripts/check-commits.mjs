#!/usr/bin/env node
// Fails when a commit since enforcement began breaks the commit-message rule (commitlint.config.mjs:
// Conventional Commits, subject line at most 72 characters), because `nx release` reads versions and the
// changelog from those messages. History before ENFORCED_AFTER predates the rule and is left as it is.
// Merge commits are skipped (commitlint's default ignores), so a merge's subject is free.
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '../..');
// The last commit before commitlint was adopted (the end of session 4, 2026-12-05).
const ENFORCED_AFTER = 'b828b4060e0d7fd12b7a2431d1567875ed61cecf';

function git(...args) {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

let insideRepository = true;
try {
  git('rev-parse', '--git-dir');
} catch {
  insideRepository = false;
}
if (!insideRepository) {
  process.stdout.write('check-commits: not a git checkout (a release tarball?): no history to check.\n');
  process.exit(0);
}

let from = ENFORCED_AFTER;
try {
  git('cat-file', '-e', `${ENFORCED_AFTER}^{commit}`);
} catch {
  // A shallow clone may not reach back to the start of enforcement: check the commits it has.
  if (git('rev-parse', '--is-shallow-repository') !== 'true') {
    process.stderr.write(
      `check-commits: commit ${ENFORCED_AFTER} is not in this repository's history; update ENFORCED_AFTER in tools/scripts/check-commits.mjs.\n`,
    );
    process.exit(1);
  }
  from = '';
}
const range = from ? `${from}..HEAD` : 'HEAD';
const count = Number(git('rev-list', '--count', '--no-merges', range));
const args = from ? ['--from', from, '--to', 'HEAD'] : ['--last'];
const result = spawnSync(process.execPath, [resolve(root, 'node_modules/@commitlint/cli/cli.js'), ...args], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status === 0)
  process.stdout.write(`check-commits: ${count} commit(s) since ${from ? from.slice(0, 7) : 'the shallow boundary'} follow the rule.\n`);
process.exit(result.status ?? 1);
