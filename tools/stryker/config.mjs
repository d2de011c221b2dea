// Shared StrykerJS configuration: each package's `stryker.config.mjs` calls `strykerConfig(name, …)`,
// and its `mutate` Nx target runs `stryker run packages/<name>/stryker.config.mjs` from the workspace
// root (docs/development.md, "Mutation testing").
//
// Why from the root: a package's jest.config.cjs requires ../../jest.preset.cjs, whose moduleNameMapper
// sends `@ehr-backdoor/<name>` to packages/<name>/src/index.ts. Stryker copies the files it needs into a
// sandbox and runs Jest there, so the sandbox holds the root files and the package with the workspace
// packages it imports (nothing else: datasets/, apps/, docs/ and unrelated packages are left out), and the
// package's own Jest config is used unchanged (SWC transform, ESM, mapper).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The package and every workspace package it imports, transitively (its runtime and test dependencies). */
function workspaceClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
  for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) {
    if (dep.startsWith('@ehr-backdoor/')) workspaceClosure(dep.slice('@ehr-backdoor/'.length), seen);
  }
  return seen;
}

/** Each package's `equivalent` list as its config declared it (tools/stryker/survivors.mjs reads them). */
export const declaredEquivalents = new Map();

/**
 * @param {string} name the package under packages/
 * @param {{ equivalent?: { file: string; code: string; also?: string[]; mutator: string; why: string }[] } & Record<string, unknown>} [options]
 *   `equivalent`: the surviving mutants that change no behaviour any test or user could observe, each with
 *   the code it mutates (and in `also`, other code the same reason covers), Stryker's mutator name and
 *   why it is equivalent. They stay in the report as
 *   "Survived" and count against the score (so the score is a lower bound): the list explains them, it
 *   does not hide them. An entry whose code is no longer in its file stops the run, so the list cannot
 *   go stale silently. Anything else overrides a Stryker option.
 */
export function strykerConfig(name, { equivalent = [], ...overrides } = {}) {
  for (const entry of equivalent) {
    const text = readFileSync(join(root, entry.file), 'utf8');
    for (const code of [entry.code, ...(entry.also ?? [])]) {
      if (!text.includes(code)) {
        throw new Error(
          `packages/${name}/stryker.config.mjs: the equivalent mutant's code ${JSON.stringify(code)} is no longer in ${entry.file}; update or remove the entry.`,
        );
      }
    }
  }
  declaredEquivalents.set(name, equivalent);
  const packages = [...workspaceClosure(name)].sort();
  return {
    $schema: '../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    packageManager: 'npm',
    // Stryker's Jest runner, loading only the spec files of a mutant's covering tests (jest-covering-files-runner.mjs).
    testRunner: 'jest-covering-files',
    appendPlugins: [join(root, 'tools', 'stryker', 'jest-covering-files-runner.mjs')],
    jest: {
      projectType: 'custom',
      configFile: `packages/${name}/jest.config.cjs`,
      enableFindRelatedTests: true,
      // A failing fast-check property stops at its first counterexample (fast-check-no-shrink.mjs).
      config: { setupFiles: ['<rootDir>/../../tools/stryker/fast-check-no-shrink.mjs'] },
    },
    // Jest runs the specs as ES modules, as `nx run <name>:test` does (targetDefaults in nx.json).
    testRunnerNodeArgs: ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning'],
    coverageAnalysis: 'perTest',
    checkers: ['typescript'],
    tsconfigFile: `packages/${name}/tsconfig.lib.json`,
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    mutate: [
      `packages/${name}/src/**/*.ts`,
      '!**/*.spec.ts',
      '!**/*.test-d.ts',
      '!**/__fixtures__/**',
      '!**/testing/**',
      '!**/testing.ts',
      // Entry points only re-export.
      `!packages/${name}/src/index.ts`,
    ],
    ignorePatterns: sandboxIgnores(packages),
    // The machine is shared (2 cores): at most two Jest workers; run under `nice` (see docs/development.md).
    concurrency: 2,
    // A timed-out mutant counts as detected. The dry run times the tests on whatever load there is then;
    // on a shared machine the load rises later and 10 s extra flagged 12 of 35 blended.ts mutants (none
    // near a loop) as timeouts, inflating the score. Real infinite loops are stopped by Stryker's hit
    // limit, not by this clock, so a generous margin costs little.
    timeoutMS: 30_000,
    // Tracked in git, not under reports/: each session starts on a fresh machine, and a package like
    // detect costs hours of both cores, so the last results must travel with the code they measured.
    incremental: true,
    // Static mutants (module-level constants) need a full reload and every test per mutant.
    ignoreStatic: true,
    incrementalFile: `packages/${name}/stryker-incremental.json`,
    // Outside the package, so that Jest (rootDir = the package) and ESLint never see a sandbox copy.
    tempDirName: `.stryker-tmp/${name}`,
    cleanTempDir: 'always',
    reporters: ['progress-append-only', 'clear-text', 'html', 'json'],
    htmlReporter: { fileName: `packages/${name}/reports/mutation/mutation.html` },
    jsonReporter: { fileName: `packages/${name}/reports/mutation/mutation.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportTests: false, reportMutants: true, reportScoreTable: true },
    thresholds: { high: 90, low: 80, break: null },
    ...overrides,
  };
}

/** What Stryker leaves out of its sandbox: all but the root files Jest needs, tools/stryker and `packages`. */
function sandboxIgnores(packages) {
  return [
    '/*',
    '!/package.json',
    '!/jest.preset.cjs',
    '!/tsconfig.base.json',
    '!/tools',
    '/tools/*',
    '!/tools/stryker',
    '!/packages',
    '/packages/*',
    ...packages.map((p) => `!/packages/${p}`),
    '/packages/*/dist',
    '/packages/*/out-tsc',
    '/packages/*/reports',
    '/packages/*/stryker-incremental.json',
    '/packages/*/bench',
  ];
}
