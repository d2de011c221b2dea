// Mutation-test a package in chunks that each end, so that each writes its results to the incremental
// file: Stryker writes nothing until a run ends, and a whole run of a large package (detect: ≈ 5 000
// mutants, hours on 2 cores) is lost if it is stopped (docs/development.md, "Mutation testing").
//
//   node tools/stryker/chunks.mjs <package> [--lines N] [--from K] [--dry-run] [-- <stryker options>]
//
// Groups the package's mutated files (src/**/*.ts but specs, testing helpers and index.ts), smallest
// first, into chunks of about N source lines (default 800), and runs `stryker run` on each in turn with
// every spec and the options after `--` (e.g. `--concurrency 3`). After each chunk the incremental file
// (packages/<package>/stryker-incremental.json, tracked) is copied to reports/stryker-incremental.chunk-K.json. --from K resumes at chunk K. A last whole run
// (`nx run <package>:mutate`) then reuses every chunk's results and gives the package's figure.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** The files Stryker mutates in a package, as tools/stryker/config.mjs selects them. */
export function mutatedFiles(name) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        if (entry !== 'testing' && entry !== '__fixtures__') walk(path);
      } else if (entry.endsWith('.ts') && !entry.endsWith('.spec.ts') && !entry.endsWith('.test-d.ts') && entry !== 'testing.ts') {
        found.push(relative(root, path));
      }
    }
  };
  walk(join(root, 'packages', name, 'src'));
  return found.filter((file) => file !== `packages/${name}/src/index.ts`);
}

/** Files (with their line counts) grouped smallest first into chunks of about `lines` lines. */
export function planChunks(files, lines) {
  const chunks = [];
  let current = [];
  let size = 0;
  for (const { file, count } of [...files].sort((a, b) => a.count - b.count || a.file.localeCompare(b.file))) {
    if (current.length > 0 && size + count > lines) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(file);
    size += count;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

if (process.argv[1] === import.meta.filename) {
  const dashDash = process.argv.indexOf('--');
  const own = dashDash < 0 ? process.argv.slice(2) : process.argv.slice(2, dashDash);
  const passOn = dashDash < 0 ? [] : process.argv.slice(dashDash + 1);
  const option = (flag, fallback) => (own.includes(flag) ? Number(own[own.indexOf(flag) + 1]) : fallback);
  const name = own.find((a, i) => !a.startsWith('--') && !['--lines', '--from'].includes(own[i - 1]));
  const lines = option('--lines', 800);
  const from = option('--from', 1);
  if (!name || !existsSync(join(root, 'packages', name, 'stryker.config.mjs')) || !(lines > 0) || !(from >= 1)) {
    console.error(
      'usage: node tools/stryker/chunks.mjs <package with a stryker.config.mjs> [--lines N > 0] [--from K ≥ 1] [--dry-run] [-- <stryker options>]',
    );
    process.exit(2);
  }
  const files = mutatedFiles(name).map((file) => ({ file, count: readFileSync(join(root, file), 'utf8').split('\n').length }));
  const chunks = planChunks(files, lines);
  const incremental = join(root, 'packages', name, 'stryker-incremental.json');
  for (let k = from; k <= chunks.length; k++) {
    console.log(`chunk ${k}/${chunks.length} (${new Date().toISOString()}): ${chunks[k - 1].join(' ')}`);
    if (own.includes('--dry-run')) continue;
    const args = ['stryker', 'run', `packages/${name}/stryker.config.mjs`, '--mutate', chunks[k - 1].join(','), ...passOn];
    const result = spawnSync('npx', args, { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) {
      console.error(`chunk ${k} ended with exit code ${result.status}; resume with --from ${k}.`);
      process.exit(1);
    }
    // Copies go to the git-ignored reports/, beside the tracked incremental file's latest state.
    if (existsSync(incremental)) {
      mkdirSync(join(root, 'packages', name, 'reports'), { recursive: true });
      copyFileSync(incremental, join(root, 'packages', name, 'reports', `stryker-incremental.chunk-${k}.json`));
    }
  }
}
