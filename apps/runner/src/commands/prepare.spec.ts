import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(ROOT, 'apps/runner/bin/ehr-backdoor.js');
const DEMO = join(ROOT, 'datasets/mimic-iv-demo');

function cli(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

describe('ehr-backdoor prepare', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ehr-cli-prepare-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('prepares the bundled demo: progress on stderr, cohort flow and splits on stdout', () => {
    const out = join(work, 'demo');
    const run = cli('prepare', '--mimic', DEMO, '--out', out, '--seed', '3');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Cohort flow:');
    expect(run.stdout).toMatch(/140\s+ICU stays/);
    expect(run.stdout).toMatch(/train\s+\d+/);
    expect(run.stdout).toContain('MIMIC-IV 2.2');
    expect(run.stderr).toContain('chartevents');
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'tabular.arrow', 'timeseries.arrow']);
  });

  it('exits 2 with the error code on a bad option, and writes nothing', () => {
    const out = join(work, 'zero-window');
    const run = cli('prepare', '--mimic', DEMO, '--out', out, '--window-hours', '0');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('E_WINDOW_HOURS');
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 on a missing MIMIC-IV directory and 3 on unusable data', () => {
    const missing = cli('prepare', '--mimic', join(work, 'nowhere'), '--out', join(work, 'x'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('E_MIMIC_DIR_NOT_FOUND');
    // The demo with a chartevents file that is not gzip: a DataError, exit 3.
    const broken = join(work, 'broken');
    for (const table of ['hosp/admissions', 'hosp/patients', 'hosp/labevents', 'hosp/d_labitems', 'icu/icustays', 'icu/d_items']) {
      mkdirSync(join(broken, dirname(table)), { recursive: true });
      symlinkSync(join(DEMO, `${table}.csv.gz`), join(broken, `${table}.csv.gz`));
    }
    writeFileSync(join(broken, 'icu/chartevents.csv.gz'), 'not gzip\n');
    const corrupt = cli('prepare', '--mimic', broken, '--out', join(work, 'y'));
    expect(corrupt.status).toBe(3);
    expect(corrupt.stderr).toContain('E_CORRUPT_FILE');
    expect(corrupt.stderr).toContain('chartevents.csv.gz');
    expect(existsSync(join(work, 'y'))).toBe(false);
  });

  it('requires --mimic and --out', () => {
    const run = cli('prepare', '--out', join(work, 'z'));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/mimic/);
  });
});
