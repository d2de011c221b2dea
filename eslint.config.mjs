// Lint for boundaries and dependencies, plus typescript-eslint's recommended correctness rules.
// No type-aware rules (they need a full TypeScript program per project: too slow for CI on 2 cores), and no
// style rules: formatting is not what lint is for here.
//
//   every project ── @nx/enforce-module-boundaries ── imports follow ALLOWED (below), never an app,
//                                                     never a cycle, never another project by relative path
//                ── no-restricted-imports ─────────── never another package's src/ or dist/ (deep import)
//   package.json ── @nx/dependency-checks ─────────── package.json declares exactly what src/ imports
import nx from '@nx/eslint-plugin';
import jsoncParser from 'jsonc-eslint-parser';

// The allowed dependency graph between our projects: the `@ehr-backdoor/*` dependencies each package.json
// declares today, written down so that a new edge is a deliberate change of this table (and of package.json).
// Each project carries the tag `scope:<name>` (package.json `nx.tags`); libraries are `type:package`,
// apps `type:app`. Apps may use any package; nothing may use an app.
const ALLOWED = {
  // Foundations (errors, PRNG, atomic writes, hashing): everything stands on it, so it stands on nothing.
  core: [],
  // Reference metric definitions: pure numeric code, usable from any study without the rest of the toolkit.
  metrics: [],
  // MIMIC-IV → cohort → Arrow datasets: needs only core's errors, PRNG and atomic writes.
  data: ['core'],
  // Triggers and poisoning plans act on data's dataset contract.
  poison: ['core', 'data'],
  // Models train on data's datasets; they know nothing of poisoning (the plan arrives as rows).
  train: ['core', 'data'],
  // Attributions are taken of a trained model over a dataset.
  explain: ['core', 'data', 'train'],
  // Detectors score a trained model's data; the attribution-outlier detector reuses explain's gradients.
  detect: ['core', 'data', 'train', 'explain'],
  // Reads run directories (not the packages that wrote them), so it needs only core.
  aggregation: ['core'],
  // The CLI drives the whole pipeline.
  runner: ['core', 'data', 'poison', 'train', 'metrics', 'explain', 'detect'],
  // The aggregation CLI.
  aggregate: ['core', 'aggregation'],
};

// Another package is reached only through its entry points (package.json `exports`): `@ehr-backdoor/<name>`,
// `@ehr-backdoor/<name>/names` (its names and config checks without side effects: no tfjs for `--help`),
// and `@ehr-backdoor/<name>/testing` (test fixtures) from tests and test helpers only.
const restrictedImports = ({ testHelpers }) => [
  'error',
  {
    patterns: [
      {
        group: [
          '@ehr-backdoor/*/*',
          '!@ehr-backdoor/*/package.json',
          '!@ehr-backdoor/*/names',
          ...(testHelpers ? ['!@ehr-backdoor/*/testing'] : []),
        ],
        message: testHelpers
          ? 'Import another package only through its entry points `@ehr-backdoor/<name>`, `@ehr-backdoor/<name>/names` and `@ehr-backdoor/<name>/testing`.'
          : 'Import another package only through its public entry points `@ehr-backdoor/<name>` (its src/index.ts) and `@ehr-backdoor/<name>/names`; add the export there if you need it. Test fixtures (`@ehr-backdoor/<name>/testing`) are for specs and testing/ helpers only.',
      },
    ],
  },
];

const depConstraints = [
  // Libraries never depend on apps; apps never depend on each other.
  { sourceTag: 'type:package', onlyDependOnLibsWithTags: ['type:package'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:package'] },
  ...Object.entries(ALLOWED).map(([project, allowed]) =>
    allowed.length === 0
      ? // An empty list would let the rule pass any dependency; this says "none of ours".
        { sourceTag: `scope:${project}`, notDependOnLibsWithTags: ['type:package', 'type:app'] }
      : { sourceTag: `scope:${project}`, onlyDependOnLibsWithTags: allowed.map((name) => `scope:${name}`) },
  ),
];

// Files that never ship in a package's dist/: tests, type-level tests, test helpers and benches. Their
// imports (jest, fast-check, expect-type, another package's test helpers) are the workspace's devDependencies,
// not the package's runtime dependencies. (data's testing/ does ship, behind its `./testing` entry point, but
// imports nothing outside data.)
const notShipped = [
  '{projectRoot}/src/**/*.spec.ts',
  '{projectRoot}/src/**/*.test-d.ts',
  '{projectRoot}/src/**/testing/**',
  '{projectRoot}/src/**/__fixtures__/**',
  '{projectRoot}/bench/**',
  '{projectRoot}/jest.config.cjs',
  '{projectRoot}/eslint.config.mjs',
  '{projectRoot}/stryker.config.mjs',
];

const dependencyChecks = (ignoredDependencies = []) => [
  'error',
  {
    buildTargets: ['build'],
    checkMissingDependencies: true,
    checkObsoleteDependencies: true,
    // Workspace packages are declared as "*"; npm packages are pinned by the root install.
    checkVersionMismatches: false,
    ignoredFiles: notShipped,
    ignoredDependencies,
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist',
      '**/out-tsc',
      '**/node_modules',
      '**/coverage',
      '.nx',
      'runs',
      'tmp',
      'data',
      'datasets',
      'test-artifacts',
      '**/.stryker-tmp',
      'packages/*/reports',
    ],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          depConstraints,
          // Cycles are reported by default; keep it that way even for a project importing its own name.
          allowCircularSelfDependency: false,
          enforceBuildableLibDependency: false,
          // The runner's commands import packages lazily (`await import(...)`) so `--help` starts fast; its
          // lib/ imports the same packages statically. Both are fine: the lazy-load check is for Angular
          // route bundles, not for Node startup time.
          checkDynamicDependenciesExceptions: ['@ehr-backdoor/**'],
          // An import that resolves to no project and no installed package is an undeclared dependency.
          banTransitiveDependencies: true,
          // Workspace-root files that belong to no project: the shared Jest preset (every jest.config.cjs)
          // the TypeScript source loader the apps' bin scripts register before importing src/, and the shared
          // Stryker configuration (each package's stryker.config.mjs).
          allow: ['../../jest.preset.cjs', '../../../tools/node/source-loader.js', '../../tools/stryker/config.mjs'],
        },
      ],
      'no-restricted-imports': restrictedImports({ testHelpers: false }),
      // Correctness, not style: an unused variable is usually a bug or dead code. `_`-prefixed names are the
      // deliberate exceptions (placeholders in destructuring, unused parameters of a fixed signature).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Public types are meant to catch misuse at compile time, which `any` defeats: an error, not a warning
      // (the one deliberate `any` carries a disable comment saying why).
      '@typescript-eslint/no-explicit-any': 'error',
      // Non-null assertions after a checked lookup (typed-array indexing, Map.get after has) are idiomatic
      // in the numeric code and the specs; flagging them would be style, not correctness.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-inferrable-types': 'off',
      // `interface PublicName extends InternalShape {}` names a type in the public API (and in TypeDoc).
      '@typescript-eslint/no-empty-interface': 'off',
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  {
    // Tests and test helpers may use other packages' test fixtures.
    files: ['**/*.spec.ts', '**/*.test-d.ts', '**/testing/**/*.ts'],
    rules: { 'no-restricted-imports': restrictedImports({ testHelpers: true }) },
  },
  {
    // Reference values in tests are copied with every digit their source printed (SciPy, R, mpmath);
    // the digits past a double's precision document the source and cost nothing.
    files: ['**/*.spec.ts'],
    rules: { 'no-loss-of-precision': 'off' },
  },
  {
    // Each project's package.json must declare exactly the npm packages and workspace packages its shipped
    // sources import (checked against the project graph of the `build` target's inputs).
    files: ['packages/*/package.json', 'apps/*/package.json'],
    languageOptions: { parser: jsoncParser },
    rules: {
      '@nx/dependency-checks': dependencyChecks(),
    },
  },
  // Dependencies used without an import statement, which the project graph cannot see.
  {
    // The native TensorFlow backends are loaded by computed name only when asked for (backend.ts).
    files: ['packages/train/package.json'],
    rules: { '@nx/dependency-checks': dependencyChecks(['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) },
  },
  {
    // The apps' bin scripts register tsx (through tools/node/source-loader.js) to run their TypeScript sources.
    files: ['apps/*/package.json'],
    rules: { '@nx/dependency-checks': dependencyChecks(['tsx']) },
  },
  {
    // The report inlines vega-embed's built bundle and the plots embed DejaVu Sans, both read from the
    // installed package's directory (report/assets.ts, plots/render.ts).
    files: ['packages/aggregation/package.json'],
    rules: { '@nx/dependency-checks': dependencyChecks(['vega-embed', 'dejavu-fonts-ttf']) },
  },
];
