// A Stryker test runner, `jest-covering-files`: StrykerJS's own Jest runner, except that a mutant run
// loads only the spec files that hold the tests covering the mutant, one file at a time, cheapest first,
// and stops at the first file that kills it.
//
// Why: with perTest coverage the Jest runner already selects the covering tests by name
// (`testNamePattern`), but it chooses which spec files to load with Jest's `--findRelatedTests` on the
// mutated file: every spec that imports it, directly or not. Loading a spec file costs up to a second
// here (each imports its package's graph as ES modules), and poison's `triggers/context.ts`, say, is
// imported by every trigger spec. And Jest cannot bail when run from code, so every covering test ran
// even after one had failed: a trigger mutant that its own spec kills in 0.2 s also paid for the
// 60-run property over every trigger in `target-zero.spec.ts`.
//
// The verdict is the same as Stryker's runner would give: a mutant is killed if and only if some
// covering test fails, and survives only after every covering test ran; tests outside the covering
// files do not cover it. Where a mutant has no per-test coverage (no test filter), or a covering test's
// file is unknown, it runs exactly as Stryker's runner runs it.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PluginKind, commonTokens, declareFactoryPlugin, tokens } from '@stryker-mutator/api/plugin';
import { strykerPlugins as jestPlugins } from '@stryker-mutator/jest-runner';

const jestRunnerFactory = jestPlugins.find((p) => p.kind === PluginKind.TestRunner && p.name === 'jest').factory;

// The dry run happens in one test-runner process, the mutant runs in all of them (and in processes that
// replace a timed-out one), so what it learnt is handed over through the shared sandbox.
const handoverFile = () => join(process.cwd(), '.stryker-covering-files.json');

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What the dry run says about each spec file: which tests it holds and how long they took.
 * @param {{ id: string; fileName?: string; timeSpentMs: number }[]} tests
 */
export function specsOfDryRun(tests) {
  const filesOfTest = {};
  const costOfFile = {};
  for (const { id, fileName, timeSpentMs } of tests) {
    if (!fileName) continue;
    // Two specs may hold tests of the same full name: the name pattern matches in both.
    (filesOfTest[id] ??= []).includes(fileName) || filesOfTest[id].push(fileName);
    costOfFile[fileName] = (costOfFile[fileName] ?? 0) + timeSpentMs;
  }
  return { filesOfTest, costOfFile };
}

/**
 * The covering tests grouped by spec file, cheapest file first, or undefined if a test's file is unknown.
 * @returns {{ file: string; tests: string[] }[] | undefined}
 */
export function coveringSpecs(testFilter, { filesOfTest, costOfFile }) {
  const testsOfFile = new Map();
  for (const id of testFilter) {
    const files = filesOfTest[id];
    if (files === undefined) return undefined;
    for (const file of files) testsOfFile.set(file, [...(testsOfFile.get(file) ?? []), id]);
  }
  return [...testsOfFile]
    .map(([file, tests]) => ({ file, tests }))
    .sort((a, b) => costOfFile[a.file] - costOfFile[b.file] || (a.file < b.file ? -1 : 1));
}

function jestCoveringFilesRunner(injector) {
  const inner = injector.injectFunction(jestRunnerFactory);
  const adapter = inner.jestTestAdapter;
  if (typeof adapter?.run !== 'function') {
    throw new Error(
      'jest-covering-files: the Jest runner no longer has a jestTestAdapter; update tools/stryker/jest-covering-files-runner.mjs for this StrykerJS version.',
    );
  }
  let specs;
  let fileOfThisRun;
  // The adapter runs `testFiles` as path patterns, without --findRelatedTests.
  inner.jestTestAdapter = {
    run: (settings) => adapter.run(fileOfThisRun ? { ...settings, testFiles: [`^${escapeRegExp(fileOfThisRun)}$`] } : settings),
  };
  return {
    init: () => inner.init(),
    dispose: () => inner.dispose?.(),
    capabilities: () => inner.capabilities(),
    async dryRun(options) {
      const result = await inner.dryRun(options);
      if (result.status === 'complete') {
        specs = specsOfDryRun(result.tests);
        writeFileSync(`${handoverFile()}.tmp`, JSON.stringify(specs));
        renameSync(`${handoverFile()}.tmp`, handoverFile());
      }
      return result;
    },
    async mutantRun(options) {
      specs ??= existsSync(handoverFile()) ? JSON.parse(readFileSync(handoverFile(), 'utf8')) : { filesOfTest: {}, costOfFile: {} };
      const groups = options.testFilter && coveringSpecs(options.testFilter, specs);
      if (!groups?.length) return inner.mutantRun(options);
      let nrOfTests = 0;
      for (const { file, tests } of groups) {
        fileOfThisRun = file;
        try {
          const result = await inner.mutantRun({ ...options, testFilter: tests });
          if (result.status !== 'survived') return result;
          nrOfTests += result.nrOfTests;
        } finally {
          fileOfThisRun = undefined;
        }
      }
      return { status: 'survived', nrOfTests };
    },
  };
}
jestCoveringFilesRunner.inject = tokens(commonTokens.injector);

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'jest-covering-files', jestCoveringFilesRunner)];
