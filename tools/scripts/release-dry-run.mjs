#!/usr/bin/env node
// CI check of the release configuration (nx.json `release`): `nx release --dry-run --skip-publish`
// must succeed, and must leave HEAD, the tags and every file a real release would write unchanged.
// No network: nothing is published, no GitHub release is created, versions come from git tags or disk.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const env = { ...process.env, NX_DAEMON: 'false', FORCE_COLOR: '0' };

const git = (...args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();
const releaseFiles = [
  'package-lock.json',
  'CHANGELOG.md',
  ...readdirSync(join(root, 'packages')).flatMap((name) => [`packages/${name}/package.json`, `packages/${name}/CHANGELOG.md`]),
];
function snapshot() {
  return {
    head: git('rev-parse', 'HEAD'),
    tags: git('tag', '--list'),
    files: Object.fromEntries(
      releaseFiles.map((f) => [
        f,
        existsSync(join(root, f))
          ? createHash('sha256')
              .update(readFileSync(join(root, f)))
              .digest('hex')
          : null,
      ]),
    ),
  };
}

const before = snapshot();
const result = spawnSync('npx', ['nx', 'release', '--dry-run', '--skip-publish', '--verbose'], { cwd: root, env, stdio: 'inherit' });
const after = snapshot();

const changed = [
  // HEAD may move under a local run in a shared tree (someone else commits); only a release commit counts.
  ...git('log', '--format=%s', `${before.head}..${after.head}`)
    .split('\n')
    .filter((subject) => subject.startsWith('chore(release)'))
    .map((subject) => `a release commit was made ("${subject}")`),
  ...(before.tags !== after.tags ? ['tags changed'] : []),
  ...releaseFiles.filter((f) => before.files[f] !== after.files[f]).map((f) => `${f} changed`),
];
if (result.status !== 0) {
  process.stderr.write(`release-dry-run: nx release --dry-run failed (exit ${result.status ?? result.signal})\n`);
  process.exit(1);
}
if (changed.length > 0) {
  process.stderr.write(`release-dry-run: the dry run changed the repository: ${changed.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write('release-dry-run: ok (nothing written, tagged or published)\n');
