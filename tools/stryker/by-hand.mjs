// Checks a kill by hand: applies each mutant (one exact, unique substring of a source file replaced),
// runs the Jest spec pattern given, reports KILLED (the spec failed), SURVIVED, TIMEOUT or NO SPEC (the
// pattern matched none), and restores the file.
//
//   node tools/stryker/by-hand.mjs mutants.json
//
// mutants.json: [[file, original, replacement, specPattern], …], file relative to the repository root.
// The file is restored even when Jest hangs or the process is interrupted.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const list = process.argv[2];
if (!list) {
  console.error('usage: node tools/stryker/by-hand.mjs mutants.json   ([[file, original, replacement, specPattern], …])');
  process.exit(2);
}
const mutants = JSON.parse(readFileSync(list, 'utf8'));
let restore;
process.on('SIGINT', () => {
  restore?.();
  process.exit(130);
});
for (const [file, original, replacement, pattern] of mutants) {
  const path = join(root, file);
  const source = readFileSync(path, 'utf8');
  const count = source.split(original).length - 1;
  if (count !== 1) {
    console.log(`SKIP (${count} matches)  ${file}: ${JSON.stringify(original)}`);
    continue;
  }
  restore = () => writeFileSync(path, source);
  writeFileSync(
    path,
    source.replace(original, () => replacement),
  );
  try {
    const project = file.split('/src/')[0];
    const jest = spawnSync(
      process.execPath,
      ['--experimental-vm-modules', '--no-warnings', 'node_modules/.bin/jest', '-c', `${project}/jest.config.cjs`, pattern],
      { cwd: root, encoding: 'utf8', timeout: 900_000 },
    );
    const output = `${jest.stdout}${jest.stderr}`;
    // Jest exits 1 when the pattern matches no spec: that is no verdict, not a kill.
    const status = jest.error ? 'TIMEOUT' : /No tests found/.test(output) ? 'NO SPEC' : jest.status === 0 ? 'SURVIVED' : 'KILLED';
    console.log(`${status}  ${file}: ${JSON.stringify(original)} → ${JSON.stringify(replacement)}`);
  } finally {
    restore();
    restore = undefined;
  }
}
