import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDirectoryAtomic, writeJsonAtomic } from './atomic.js';

describe('atomic writes', () => {
  const root = mkdtempSync(join(tmpdir(), 'atomic-'));

  it('writes a JSON file whole', async () => {
    const path = join(root, 'a', 'b.json');
    await writeJsonAtomic(path, { x: 1 });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ x: 1 });
    expect(readdirSync(join(root, 'a'))).toEqual(['b.json']);
  });

  it('leaves nothing behind when filling a directory fails', async () => {
    const path = join(root, 'dataset');
    await expect(
      writeDirectoryAtomic(path, async (tmp) => {
        writeFileSync(join(tmp, 'half.arrow'), 'x');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(root).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });

  it('refuses to replace an existing directory unless asked', async () => {
    const path = join(root, 'existing');
    await writeDirectoryAtomic(path, async (tmp) => writeFileSync(join(tmp, 'v1'), '1'));
    await expect(writeDirectoryAtomic(path, async () => undefined)).rejects.toThrow(/existing/);
    await writeDirectoryAtomic(path, async (tmp) => writeFileSync(join(tmp, 'v2'), '2'), { overwrite: true });
    expect(readdirSync(path)).toEqual(['v2']);
  });
});
