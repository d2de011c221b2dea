import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNNER_SYNTH_GZIP_LEVEL } from '../default-dataset.js';
import { ensureStudyDataset } from './dataset.js';

describe('ensureStudyDataset', () => {
  const root = mkdtempSync(join(tmpdir(), 'study-dataset-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('synth: generates {dir}-mimic at the runner’s gzip level, prepares {dir}, and reuses it after', async () => {
    const dir = join(root, 'small');
    const data = { kind: 'synth', stays: 40, seed: 3, windowHours: 24, splitSeed: 0, label: 'hospital_mortality', dir } as const;
    const log: string[] = [];
    expect(await ensureStudyDataset(data, (line) => log.push(line))).toBe(dir);
    const synthetic = JSON.parse(readFileSync(join(`${dir}-mimic`, 'synthetic.json'), 'utf8'));
    expect(synthetic).toMatchObject({ stays: 40, gzipLevel: RUNNER_SYNTH_GZIP_LEVEL });
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).source.synthetic).toMatchObject({ stays: 40, seed: 3 });
    expect(log).toEqual([`generating a synthetic MIMIC-IV (40 stays, seed 3) in ${dir}-mimic`, `preparing ${dir}-mimic into ${dir}`]);
    log.length = 0;
    expect(await ensureStudyDataset(data, (line) => log.push(line))).toBe(dir);
    expect(log).toEqual([]);
  });
});
