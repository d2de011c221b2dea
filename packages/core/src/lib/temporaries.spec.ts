import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { hostTag } from './process-liveness.js';
import { isStaleTemporary, removeStaleTemporaries, removeStaleTemporariesOf, temporaryOwner, temporaryPath } from './temporaries.js';

/** A pid that was just used and is now free: a process that ran and exited. */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

describe('temporary names', () => {
  it('carry the owner pid and host, and parse back', () => {
    const path = temporaryPath('/runs/a/summary.json');
    expect(dirname(path)).toBe('/runs/a');
    expect(basename(path)).toMatch(
      new RegExp(`^\\.tmp-summary\\.json-${process.pid}@${hostTag().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{8}$`),
    );
    expect(temporaryOwner(basename(path))).toEqual({ pid: process.pid, host: hostTag() });
    expect(temporaryOwner(basename(temporaryPath('/d/demo', 'duckdb-')))?.pid).toBe(process.pid);
    expect(basename(temporaryPath('/d/demo', 'duckdb-'))).toMatch(/^\.tmp-duckdb-demo-/);
  });

  it('reads the names written before the host was part of them, and nothing else', () => {
    expect(temporaryOwner('.tmp-summary.json-1234-0a1b2c3d')).toEqual({ pid: 1234 });
    expect(temporaryOwner('.tmp-something')).toBeUndefined();
    expect(temporaryOwner('summary.json')).toBeUndefined();
  });

  it('judges a temporary stale only when its owner is a dead process of this host', () => {
    const dead = deadPid();
    expect(isStaleTemporary(`.tmp-x-${dead}@${hostTag()}-0a1b2c3d`)).toBe(true);
    expect(isStaleTemporary(`.tmp-x-${dead}-0a1b2c3d`)).toBe(true);
    expect(isStaleTemporary(`.tmp-x-${dead}@another-node-0a1b2c3d`)).toBe(false);
    expect(isStaleTemporary(`.tmp-x-${process.pid}@${hostTag()}-0a1b2c3d`)).toBe(false);
    expect(isStaleTemporary(`.tmp-x-${process.ppid}@${hostTag()}-0a1b2c3d`)).toBe(false);
    expect(isStaleTemporary('.tmp-unparsable')).toBe(false);
  });
});

describe('removeStaleTemporaries', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'temporaries-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("removes a killed process's files and folders, never a live process's or another host's", async () => {
    const dead = deadPid();
    const host = hostTag();
    const stale = [`.tmp-summary.json-${dead}@${host}-00000001`, `.tmp-duckdb-demo-${dead}@${host}-00000002`];
    const kept = [`.tmp-plan.json-${process.ppid}@${host}-00000003`, `.tmp-demo-${dead}@elsewhere-00000004`, '.tmp-odd', 'summary.json'];
    writeFileSync(join(dir, stale[0]), 'half');
    mkdirSync(join(dir, stale[1], 'spill'), { recursive: true });
    for (const name of kept) writeFileSync(join(dir, name), 'x');
    mkdirSync(join(dir, 'checkpoints'));
    writeFileSync(join(dir, 'checkpoints', `.tmp-epoch-0002-${dead}@${host}-00000005`), 'x');

    const removed = await removeStaleTemporaries(dir);
    expect(removed.map((p) => basename(p)).sort()).toEqual([...stale].sort());
    for (const name of kept) expect(existsSync(join(dir, name))).toBe(true);
    expect(existsSync(join(dir, 'checkpoints', `.tmp-epoch-0002-${dead}@${host}-00000005`))).toBe(true);

    expect((await removeStaleTemporaries(dir, { recursive: true })).map((p) => basename(p))).toEqual([
      `.tmp-epoch-0002-${dead}@${host}-00000005`,
    ]);
    expect(await removeStaleTemporaries(join(dir, 'missing'))).toEqual([]);
  });

  it("removeStaleTemporariesOf takes only one output's leftovers", async () => {
    const dead = deadPid();
    const host = hostTag();
    for (const name of [
      `.tmp-demo-${dead}@${host}-00000001`,
      `.tmp-duckdb-demo-${dead}@${host}-00000002`,
      `.tmp-other-${dead}@${host}-00000003`,
    ]) {
      writeFileSync(join(dir, name), 'x');
    }
    const removed = await removeStaleTemporariesOf(join(dir, 'demo'), ['', 'duckdb-']);
    expect(removed.map((p) => basename(p)).sort()).toEqual([
      `.tmp-demo-${dead}@${host}-00000001`,
      `.tmp-duckdb-demo-${dead}@${host}-00000002`,
    ]);
    expect(existsSync(join(dir, `.tmp-other-${dead}@${host}-00000003`))).toBe(true);
  });

  it("removeStaleTemporariesOf takes the output's own leftovers by default", async () => {
    const dead = deadPid();
    const host = hostTag();
    writeFileSync(join(dir, `.tmp-solo-${dead}@${host}-00000001`), 'x');
    writeFileSync(join(dir, `.tmp-duckdb-solo-${dead}@${host}-00000002`), 'x');
    const removed = await removeStaleTemporariesOf(join(dir, 'solo'));
    expect(removed.map((p) => basename(p))).toEqual([`.tmp-solo-${dead}@${host}-00000001`]);
  });

  it('finds nothing in a missing folder or a file, and reports any other failure to read', async () => {
    writeFileSync(join(dir, 'plain'), 'x');
    await expect(removeStaleTemporaries(join(dir, 'missing'))).resolves.toEqual([]);
    await expect(removeStaleTemporaries(join(dir, 'plain'))).resolves.toEqual([]);
    await expect(removeStaleTemporaries(join(dir, 'x'.repeat(300)))).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
  });
});
