import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../e2e/cli.js';

/** `ehr-backdoor study …` as a user runs it: exit codes, what is printed, nothing written on bad input. */
const dir = mkdtempSync(join(tmpdir(), 'study-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const STUDIES = fileURLToPath(new URL('../../../../studies/', import.meta.url));

test('study validate prints the grid of a valid study (exit 0)', () => {
  const result = runCli(['study', 'validate', join(STUDIES, 'default.yaml')]);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/valid; 132 cells \(4 model variants, 3 attack variants, 5 rates, 3 seeds\)/);
});

test('study run of a bad study exits 2, names file:line:column and key path, and writes nothing', () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'models:\n  mlp: { kind: mlp }\nattacks:\n  hr: { trigger: rare_value, params: { hours: 0 } }\nrates: [0, 0.1]\n');
  const out = join(dir, 'runs');
  const result = runCli(['study', 'run', file, '--out', out]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`error [E_TRIGGER_PARAMS]: ${file}:4:47: attacks.hr.params.hours: Trigger 'rare_value': 'hours' must be`);
  expect(existsSync(out)).toBe(false);
});

test('study schema prints the committed docs/study.schema.json', () => {
  const result = runCli(['study', 'schema']);
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual(
    JSON.parse(readFileSync(fileURLToPath(new URL('../../../../docs/study.schema.json', import.meta.url)), 'utf8')),
  );
});

test('study plan counts the cells and says there is nothing to estimate from yet', () => {
  const result = runCli(['study', 'plan', join(STUDIES, 'smoke.yaml'), '--out', join(dir, 'nothing-yet')]);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/2 cells, 0 done/);
  expect(result.stdout).toMatch(/2 cells to run; no finished cell to estimate their cost from yet/);
});

test("a study's Slurm executor submits through the sweep's Slurm code (a dry run prints the array script)", () => {
  const data = join(dir, 'prepared');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'manifest.json'), '{}');
  writeFileSync(join(dir, 'prologue.sh'), 'module load nodejs/20\n');
  const file = join(dir, 'slurm.yaml');
  writeFileSync(
    file,
    `data: { dataset: prepared }\nmodels: { mlp: { kind: mlp } }\nattacks: { hr: { trigger: rare_value } }\nrates: [0, 0.1]\n` +
      `executor: { kind: slurm, partition: cpu, time: "01:00:00", mem: 4G, prologue: prologue.sh }\n`,
  );
  const out = join(dir, 'slurm-runs');
  const result = runCli(['study', 'run', file, '--out', out, '--dry-run']);
  expect(result.stderr).not.toMatch(/unexpected error/);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/#SBATCH --partition=cpu/);
  expect(result.stdout).toMatch(/#SBATCH --array=0\b/);
  expect(result.stdout).toMatch(/module load nodejs\/20/);
  // Each task reads a snapshot of the plan (written on a real submission), whose cells carry their configurations.
  expect(result.stdout).toMatch(/run-cell --plan \S+slurm-plans\/plan-[0-9a-f]+\.json/);
  const plan = JSON.parse(readFileSync(join(out, 'sweep-plan.json'), 'utf8'));
  expect(plan.cells[1]).toMatchObject({ model: 'mlp', trigger: 'hr', config: { attack: { trigger: 'rare_value', target: 1 } } });
});
