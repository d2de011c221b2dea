#!/usr/bin/env node
// The packages as an outside study gets them: build, `npm pack` each package, install the tarballs
// into a copy of examples/external-study (a separate npm project, not a workspace member), type-check
// it against the installed `.d.ts` and run the study. A broken export, a file missing from a tarball
// or a wrong type fails here. Also checks that every source map in the tarballs points at a shipped file.
//
//   nx build ─▶ npm pack (8 tarballs, temp dir) ─▶ copy example ─▶ npm install tarballs ─▶ source maps resolve?
//     ─▶ tsc (strict, lib check on) ─▶ node dist/study.js (exits 1 on an undefined or implausible figure)
//
// Usage: node tools/scripts/external-study.mjs [--keep] [--backend wasm|cpu]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: { keep: { type: 'boolean', default: false }, backend: { type: 'string', default: 'wasm' } },
});
const env = { ...process.env, NX_DAEMON: 'false', FORCE_COLOR: '0', npm_config_update_notifier: 'false' };
const work = mkdtempSync(join(tmpdir(), 'ehr-backdoor-external-study-'));
const started = Date.now();
const timings = [];

function step(name, command, commandArgs, cwd) {
  const t0 = Date.now();
  process.stdout.write(`\n[external-study] ${name}: ${command} ${commandArgs.join(' ')}\n`);
  const result = spawnSync(command, commandArgs, { cwd, env, stdio: 'inherit' });
  timings.push([name, (Date.now() - t0) / 1000]);
  if (result.status !== 0) fail(`${name} failed (exit ${result.status ?? result.signal})`);
}

function fail(message) {
  process.stderr.write(`\n[external-study] FAILED: ${message}${args.keep ? `\n[external-study] kept ${work}` : ''}\n`);
  if (!args.keep) rmSync(work, { recursive: true, force: true });
  process.exit(1);
}

try {
  const packages = readdirSync(join(root, 'packages')).filter((name) => existsSync(join(root, 'packages', name, 'package.json')));

  step('build', 'npx', ['nx', 'run-many', '-t', 'build', '--projects', packages.join(','), '--outputStyle=static'], root);

  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  // One npm process for all packages (eight separate `npm pack` runs cost ~20 s of npm start-up).
  step(
    'pack',
    'npm',
    ['pack', '--silent', '--pack-destination', tarballs, ...packages.flatMap((name) => ['-w', `packages/${name}`])],
    root,
  );
  const files = readdirSync(tarballs)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(tarballs, f));
  if (files.length !== packages.length) fail(`expected ${packages.length} tarballs in ${tarballs}, found ${files.length}`);

  const study = join(work, 'study');
  cpSync(join(root, 'examples', 'external-study'), study, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|dist)([/\\]|$)/.test(relative(root, src)) && !src.endsWith('package-lock.json'),
  });
  // All tarballs at once, so the packages' dependencies on each other resolve to these tarballs, never
  // to the registry. Third-party dependencies come from the registry (cache first). The optional
  // @tensorflow/tfjs-node fails to build without network; npm then leaves it out, as in the workspace.
  step('install', 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...files], study);

  checkSourceMaps(join(study, 'node_modules', '@ehr-backdoor'));

  step('typecheck + compile', 'npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], study);
  step('study', 'node', ['dist/study.js', '--backend', args.backend], study);

  const total = (Date.now() - started) / 1000;
  process.stdout.write(
    `\n[external-study] ok in ${total.toFixed(1)} s (${timings.map(([n, s]) => `${n} ${s.toFixed(1)} s`).join(', ')})\n`,
  );
  if (args.keep) process.stdout.write(`[external-study] kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
} catch (error) {
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
}

/** Every `.map` in the installed packages names sources that exist in the same package (debuggers and go-to-definition use them). */
function checkSourceMaps(scope) {
  const missing = [];
  let maps = 0;
  for (const pkg of readdirSync(scope)) {
    const base = join(scope, pkg);
    const walk = (dir) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) {
          if (entry !== 'node_modules') walk(path);
        } else if (entry.endsWith('.map')) {
          maps++;
          const map = JSON.parse(readFileSync(path, 'utf8'));
          for (const source of map.sources ?? []) {
            const target = resolve(dirname(path), map.sourceRoot ?? '', source);
            if (target.startsWith(base) && existsSync(target)) continue;
            // A map whose source is gone from the repository too is a stale build output (tsc -b never deletes
            // the outputs of a removed source file): it would be published all the same.
            const inRepo = join(root, 'packages', pkg, relative(base, target));
            missing.push(
              `${relative(scope, path)} → ${source}${existsSync(inRepo) ? '' : ' (stale: no such source in the repository; delete packages/*/dist and rebuild)'}`,
            );
          }
        }
      }
    };
    walk(base);
  }
  process.stdout.write(`\n[external-study] source maps: ${maps} checked, ${missing.length} pointing at missing files\n`);
  if (maps === 0) fail('no source maps found in the installed packages');
  if (missing.length > 0)
    fail(
      `source maps point at files not in the tarballs:\n  ${missing.slice(0, 10).join('\n  ')}${missing.length > 10 ? `\n  … and ${missing.length - 10} more` : ''}`,
    );
}
