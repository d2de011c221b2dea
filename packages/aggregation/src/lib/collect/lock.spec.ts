import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { staleLockHolder } from './lock.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aggr-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lock = async (body: string) => {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.lock`);
  await writeFile(path, body);
  return path;
};
// No process holds a pid above the kernel's maximum (2^22).
const DEAD_PID = 2 ** 22 + 12345;

test('a lock of this host whose process is gone is stale, and names its holder', async () => {
  const path = await lock(JSON.stringify({ pid: DEAD_PID, host: hostname(), startedAt: '2026-12-05T10:00:00Z' }));
  expect(await staleLockHolder(path)).toBe(`pid ${DEAD_PID} on ${hostname()} since 2026-12-05T10:00:00Z`);
});

test("a live holder, another host's holder or a lock naming no pid is not stale", async () => {
  expect(await staleLockHolder(await lock(JSON.stringify({ pid: process.pid, host: hostname() })))).toBeUndefined();
  expect(await staleLockHolder(await lock(JSON.stringify({ pid: DEAD_PID, host: `not-${hostname()}` })))).toBeUndefined();
  expect(await staleLockHolder(await lock('{}'))).toBeUndefined();
  expect(await staleLockHolder(await lock('{"pid": '))).toBeUndefined();
  expect(await staleLockHolder(join(dir, 'absent.lock'))).toBeUndefined();
});
