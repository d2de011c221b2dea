import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The negative test of the workspace's lint (eslint.config.mjs): fixture sources that break a module boundary
// are linted with the real config, through ESLint's Node API, and must be reported. Without it a config typo
// (a tag misspelt, a rule skipped for want of a project graph) would let every boundary pass in silence.
//
// ESLint runs in a child process: the Nx plugin and typescript-eslint are CommonJS that load the config
// with import(), which Jest's VM-module sandbox does not run faithfully. One child lints every case.

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Case {
  /** Where the fixture pretends to live: decides the source project. The file need not exist. */
  file: string;
  code: string;
}
interface Reported {
  ruleId: string | null;
  message: string;
}

const child = `
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
// The boundary rule reads the cached project graph and skips itself without one: make sure there is one.
await createProjectGraphAsync({ exitOnError: true });
const cases = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const c of cases) {
  const [result] = await eslint.lintText(c.code, { filePath: c.file });
  out.push(result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })));
}
process.stdout.write(JSON.stringify(out));
`;

function lint(cases: Case[]): Reported[][] {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', child, JSON.stringify(cases)], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NODE_OPTIONS: '' },
  });
  if (run.status !== 0) throw new Error(`eslint child exited with ${run.status}:\n${run.stderr}`);
  // The Nx plugin may print notices before the JSON; the JSON is the last line.
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]') as Reported[][];
}

const cases = {
  allowed: {
    file: 'packages/detect/src/lib/lint-fixture.ts',
    code: "import { integratedGradients } from '@ehr-backdoor/explain';\nexport const f = integratedGradients;\n",
  },
  libImportsApp: {
    file: 'packages/data/src/lib/lint-fixture.ts',
    code: "import { main } from '@ehr-backdoor/runner';\nexport const f = main;\n",
  },
  metricsImportsCore: {
    file: 'packages/metrics/src/lib/lint-fixture.ts',
    code: "import { InputError } from '@ehr-backdoor/core';\nexport const f = InputError;\n",
  },
  edgeNotInTable: {
    file: 'packages/train/src/lib/lint-fixture.ts',
    code: "import { applyPoisoning } from '@ehr-backdoor/poison';\nexport const f = applyPoisoning;\n",
  },
  cycle: {
    file: 'packages/core/src/lib/lint-fixture.ts',
    code: "import { createDataset } from '@ehr-backdoor/data';\nexport const f = createDataset;\n",
  },
  deepImport: {
    file: 'packages/detect/src/lib/lint-fixture.ts',
    code: "import { trainModel } from '@ehr-backdoor/train/src/lib/train.js';\nexport const f = trainModel;\n",
  },
  relativeIntoAnotherPackage: {
    file: 'packages/detect/src/lib/lint-fixture.ts',
    code: "import { trainModel } from '../../../train/src/lib/train.js';\nexport const f = trainModel;\n",
  },
  testFixtureInShippedCode: {
    file: 'packages/detect/src/lib/lint-fixture.ts',
    code: "import { backdoorFixture } from '@ehr-backdoor/data/testing';\nexport const f = backdoorFixture;\n",
  },
  testFixtureInSpec: {
    file: 'packages/detect/src/lib/lint-fixture.spec.ts',
    code: "import { backdoorFixture } from '@ehr-backdoor/data/testing';\nexport const f = backdoorFixture;\n",
  },
} satisfies Record<string, Case>;

const names = Object.keys(cases) as (keyof typeof cases)[];
let results: Record<keyof typeof cases, Reported[]>;

beforeAll(() => {
  const reported = lint(names.map((name) => cases[name]));
  results = Object.fromEntries(names.map((name, i) => [name, reported[i]])) as typeof results;
});

const boundaries = (reported: Reported[]) => reported.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);

describe('workspace lint: module boundaries', () => {
  it('passes an edge of the allowed graph (detect → explain)', () => {
    expect(results.allowed).toEqual([]);
  });

  it('reports a library importing an app', () => {
    // Apps export no entry point, so today the import does not even resolve (banTransitiveDependencies); were
    // one added, the `type:package` constraint or the rule's own app check would report it instead.
    expect(boundaries(results.libImportsApp).join('\n')).toMatch(
      /Imports of apps are forbidden|can only depend on libs tagged with|Transitive or unresolvable dependencies are not allowed/,
    );
  });

  it('reports metrics importing any package of ours', () => {
    expect(boundaries(results.metricsImportsCore).join('\n')).toMatch(/"scope:metrics" can not depend on libs tagged with/);
  });

  it('reports an edge missing from the allowed table (train → poison)', () => {
    expect(boundaries(results.edgeNotInTable).join('\n')).toMatch(/"scope:train" can only depend on libs tagged with/);
  });

  it('reports a circular dependency (core → data → core)', () => {
    expect(boundaries(results.cycle).join('\n')).toMatch(/Circular dependency between "core" and "data"/);
  });

  it("reports a deep import into another package's src/", () => {
    expect(results.deepImport.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });

  it("reports another package's test fixtures imported by shipped code, and passes them in a spec", () => {
    expect(results.testFixtureInShippedCode.map((m) => m.ruleId)).toContain('no-restricted-imports');
    expect(results.testFixtureInSpec).toEqual([]);
  });

  it('reports a relative import into another package', () => {
    expect(boundaries(results.relativeIntoAnotherPackage).join('\n')).toMatch(/Projects cannot be imported by a relative or absolute path/);
  });
});
