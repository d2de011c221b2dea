import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtFrom, DEFAULT_MIMIC_DIR, DEFAULT_SYNTH } from './default-dataset.js';

describe('builtFrom: is data/default the current default, an older one to rebuild, or not ours?', () => {
  const dir = mkdtempSync(join(tmpdir(), 'default-dataset-'));
  const write = (name: string, json: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
    return path;
  };

  it('recognises the current default by its recorded synthetic size and seed', () => {
    expect(builtFrom(write('a.json', { source: { synthetic: { ...DEFAULT_SYNTH } } }))).toBe('current');
    expect(builtFrom(write('marker.json', { ...DEFAULT_SYNTH }), true)).toBe('current');
  });

  it('names an older default (another size, or one prepared before manifests recorded their origin)', () => {
    expect(builtFrom(write('b.json', { source: { synthetic: { stays: 3000, seed: DEFAULT_SYNTH.seed } } }))).toBe(
      `3000 synthetic stays (seed ${DEFAULT_SYNTH.seed})`,
    );
    expect(builtFrom(write('c.json', { source: { path: resolve(DEFAULT_MIMIC_DIR) } }))).toBe('an earlier default');
  });

  it('never claims a dataset it did not build (it is then left alone)', () => {
    expect(builtFrom(write('d.json', { source: { path: '/data/mimic-iv-3.1' } }))).toBe('foreign');
    expect(builtFrom(write('e.json', '{ not json'))).toBe('foreign');
    expect(builtFrom(join(dir, 'absent.json'))).toBe('missing');
  });
});
