import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(ROOT, 'apps/runner/bin/ehr-backdoor.js');

function cli(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

describe('ehr-backdoor synth', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ehr-cli-synth-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes a MIMIC-IV directory: progress on stderr, table sizes and the expected cohort flow on stdout', () => {
    const out = join(work, 'mimic');
    const run = cli('synth', '--stays', '40', '--seed', '2', '--out', out, '--gzip-level', '1');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/40\s+icu\/icustays/);
    expect(run.stdout).toContain('Expected cohort flow');
    expect(run.stderr).toContain('40/40 stays');
    expect(readdirSync(join(out, 'icu')).sort()).toEqual(['chartevents.csv.gz', 'd_items.csv.gz', 'icustays.csv.gz']);
    expect(readdirSync(join(out, 'hosp')).sort()).toEqual([
      'admissions.csv.gz',
      'd_labitems.csv.gz',
      'labevents.csv.gz',
      'patients.csv.gz',
    ]);
  });

  it('exits 2 with the error code on a bad --stays, and writes nothing', () => {
    const out = join(work, 'zero');
    const run = cli('synth', '--stays', '0', '--out', out);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('E_SYNTH_STAYS');
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 when the output directory exists', () => {
    const run = cli('synth', '--stays', '5', '--out', work);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('E_OUTPUT_EXISTS');
  });
});
