import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDirectoryAtomic, writeFileAtomic, writeJsonAtomic } from './atomic.js';

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

  // FileHandle.writeFile also takes an iterable (Node ≥ 15.14): its chunks are written one by one, so a
  // generator can look at the directory between two chunks, or fail halfway, as a full disk or a killed
  // process would. The cast only widens the declared data type.
  const chunks = (generate: () => Generator<string>) => generate() as unknown as Uint8Array;

  it('writes into a temporary sibling while the previous file stays in place until the rename', async () => {
    const dir = join(root, 'during');
    const path = join(dir, 'summary.json');
    await writeFileAtomic(path, 'old');
    const seen: { siblings: string[]; temporary: string; current: string }[] = [];
    await writeFileAtomic(
      path,
      chunks(function* () {
        yield 'new-1/';
        const siblings = readdirSync(dir).filter((f) => f !== 'summary.json');
        seen.push({
          siblings,
          temporary: siblings.length === 1 ? readFileSync(join(dir, siblings[0]), 'utf8') : '',
          current: readFileSync(path, 'utf8'),
        });
        yield 'new-2';
      }),
    );
    expect(seen).toHaveLength(1);
    expect(seen[0].siblings).toEqual([expect.stringMatching(/^\.tmp-summary\.json-/)]);
    expect(seen[0].temporary).toBe('new-1/');
    expect(seen[0].current).toBe('old');
    expect(readFileSync(path, 'utf8')).toBe('new-1/new-2');
    expect(readdirSync(dir)).toEqual(['summary.json']);
  });

  it('leaves the previous file intact, and no temporary file, when a write fails halfway', async () => {
    const dir = join(root, 'halfway');
    const path = join(dir, 'summary.json');
    await writeJsonAtomic(path, { version: 1 });
    const before = readFileSync(path, 'utf8');
    await expect(
      writeFileAtomic(
        path,
        chunks(function* () {
          yield '{"version": 2, "half": ';
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }),
      ),
    ).rejects.toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['summary.json']);
  });

  it('leaves no file at all when the first write of a path fails halfway', async () => {
    const dir = join(root, 'first');
    await expect(
      writeFileAtomic(
        join(dir, 'new.json'),
        chunks(function* () {
          yield 'half';
          throw new Error('killed');
        }),
      ),
    ).rejects.toThrow('killed');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes JSON with two-space indentation and a final newline', async () => {
    const path = join(root, 'pretty', 'x.json');
    await writeJsonAtomic(path, { x: [1] });
    expect(readFileSync(path, 'utf8')).toBe('{\n  "x": [\n    1\n  ]\n}\n');
  });

  it('reports the original error when the temporary file is already gone', async () => {
    const dir = join(root, 'gone');
    await expect(
      writeFileAtomic(
        join(dir, 'a.json'),
        chunks(function* () {
          yield 'half';
          for (const f of readdirSync(dir)) unlinkSync(join(dir, f));
          throw new Error('disk full');
        }),
      ),
    ).rejects.toThrow('disk full');
  });

  it('closes its file handle on success and on failure', async () => {
    // Linux lists a process's open descriptors in /proc/self/fd; elsewhere there is nothing to count.
    if (!existsSync('/proc/self/fd')) return;
    const dir = join(root, 'handles');
    await writeFileAtomic(join(dir, 'warm-up'), 'x');
    const before = readdirSync('/proc/self/fd').length;
    for (let k = 0; k < 30; k++) {
      await writeFileAtomic(join(dir, 'a'), `${k}`);
      await expect(
        writeFileAtomic(
          join(dir, 'b'),
          chunks(function* () {
            yield 'half';
            throw new Error('fail');
          }),
        ),
      ).rejects.toThrow('fail');
    }
    expect(readdirSync('/proc/self/fd').length - before).toBeLessThan(10);
  });

  it('replaces an existing directory only once the new one is complete, and leaves no sibling', async () => {
    const path = join(root, 'replace');
    await writeDirectoryAtomic(path, async (tmp) => writeFileSync(join(tmp, 'v1'), '1'));
    const result = await writeDirectoryAtomic(
      path,
      async (tmp) => {
        expect(readdirSync(path)).toEqual(['v1']);
        writeFileSync(join(tmp, 'v2'), '2');
        return 'done';
      },
      { overwrite: true },
    );
    expect(result).toBe('done');
    expect(readdirSync(path)).toEqual(['v2']);
    expect(readdirSync(root).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });

  it('reports the original error when fill has already removed its temporary directory', async () => {
    const path = join(root, 'fill-removed');
    await expect(
      writeDirectoryAtomic(path, async (tmp) => {
        rmSync(tmp, { recursive: true });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(path)).toBe(false);
  });
});

describe('writeDirectoryAtomic names the folder of a failed write', () => {
  const fail = (error: unknown) => async (): Promise<never> => {
    throw error;
  };
  const thrown = async (path: string, error: unknown) => writeDirectoryAtomic(path, fail(error)).catch((e: unknown) => e);

  it('adds the temporary path to a system error that names none, and keeps a path it names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-path-'));
    try {
      const bare = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
      const error = (await thrown(join(dir, 'out'), bare)) as NodeJS.ErrnoException;
      expect(error).toBe(bare);
      expect(error.path).toMatch(new RegExp(`^${dir}/\\.tmp-.*out|^${dir}/.*out.*\\.tmp`));
      const named = Object.assign(new Error('x'), { code: 'ENOSPC', syscall: 'write', path: '/elsewhere' });
      expect(((await thrown(join(dir, 'out'), named)) as NodeJS.ErrnoException).path).toBe('/elsewhere');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves alone an error without a string code or a syscall, and a thrown non-Error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-path-'));
    try {
      const noSyscall = Object.assign(new Error('x'), { code: 'ENOSPC' });
      expect('path' in ((await thrown(join(dir, 'a'), noSyscall)) as object)).toBe(false);
      const numericCode = Object.assign(new Error('x'), { code: 28, syscall: 'write' });
      expect('path' in ((await thrown(join(dir, 'b'), numericCode)) as object)).toBe(false);
      const plain = { code: 'ENOSPC', syscall: 'write' };
      expect('path' in ((await thrown(join(dir, 'c'), plain)) as object)).toBe(false);
      const bug = new TypeError('x is undefined');
      expect('path' in ((await thrown(join(dir, 'd'), bug)) as object)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
