import { accessSync, chmodSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentErrorFrom } from './environment.js';
import { DataError, EnvironmentError } from './errors.js';

function systemError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failure, ${syscall} '${path}'`), { code, syscall, path, errno: -1 });
}

describe('environmentErrorFrom', () => {
  it('names the path and the remedy of a full disk, and says the command resumes', () => {
    const error = environmentErrorFrom(systemError('ENOSPC', 'write', '/scratch/runs/mlp/checkpoints/.tmp-epoch-0002'))!;
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.code).toBe('E_NO_SPACE');
    expect(error.message).toContain('/scratch/runs/mlp/checkpoints');
    expect(error.message).toMatch(/free space/i);
    expect(error.message).toMatch(/re-run the same command: it resumes/);
    expect(error.details).toMatchObject({ errno: 'ENOSPC', syscall: 'write' });
  });

  it.each([
    ['EDQUOT', 'E_NO_SPACE', /quota/],
    ['EACCES', 'E_PERMISSION', /writable by you/],
    ['EPERM', 'E_PERMISSION', /writable by you/],
    ['EROFS', 'E_READ_ONLY', /writable file system/],
    ['EMFILE', 'E_TOO_MANY_FILES', /ulimit -n/],
    ['ENFILE', 'E_TOO_MANY_FILES', /whole system/],
  ])('%s becomes %s', (errno, code, remedy) => {
    const error = environmentErrorFrom(systemError(errno, 'open', '/out/summary.json'))!;
    expect(error.code).toBe(code);
    expect(error.message).toMatch(remedy);
    expect(error.message).toContain('/out/summary.json');
  });

  it("recognises DuckDB's full-disk message, which has no errno", () => {
    const error = environmentErrorFrom(
      new Error('IO Error: Could not write file "/data/.tmp-duckdb-demo/duckdb_temp_block-1.block": No space left on device'),
    );
    expect(error?.code).toBe('E_NO_SPACE');
    expect(error?.message).toContain('/data/.tmp-duckdb-demo');
  });

  it("recognises DuckDB's read-only and permission messages", () => {
    expect(environmentErrorFrom(new Error('IO Error: Cannot open file "/ro/.tmp-duckdb-x/t.block": Read-only file system'))?.code).toBe(
      'E_READ_ONLY',
    );
    expect(environmentErrorFrom(new Error('IO Error: Cannot open file "/ro/x": Permission denied'))?.message).toContain('/ro');
  });

  it('finds a wrapped system error through its cause, and leaves coded errors and bugs alone', () => {
    const wrapped = new Error('checkpoint failed', { cause: systemError('ENOSPC', 'write', '/x/y') });
    expect(environmentErrorFrom(wrapped)?.code).toBe('E_NO_SPACE');
    expect(environmentErrorFrom(new DataError('E_GZIP', 'corrupt'))).toBeUndefined();
    expect(environmentErrorFrom(new TypeError('x is undefined'))).toBeUndefined();
    expect(environmentErrorFrom(systemError('ENOENT', 'open', '/x'))).toBeUndefined();
    expect(environmentErrorFrom('a string')).toBeUndefined();
  });

  it("explains a recursive mkdir's ENOENT under a folder it may not write as that folder's error", () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    try {
      const enoent = systemError('ENOENT', 'mkdir', join(dir, 'runs', 'mlp'));
      expect(environmentErrorFrom(enoent)).toBeUndefined(); // the ancestor is writable: a real ENOENT, not the machine
      if (process.getuid?.() === 0) return; // root may write anywhere; the fault-injection suite mounts a read-only tmpfs
      chmodSync(dir, 0o500);
      expect(environmentErrorFrom(enoent)?.code).toBe('E_PERMISSION');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains a real EACCES from the file system', async () => {
    if (process.getuid?.() === 0) return; // root may write anywhere; the mapping is covered above
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    try {
      chmodSync(dir, 0o500);
      const error = await writeFile(join(dir, 'f'), 'x').catch((e: unknown) => e);
      expect(environmentErrorFrom(error)?.code).toBe('E_PERMISSION');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('environmentErrorFrom, the exact messages', () => {
  const RESUMES = 're-run the same command: it resumes where it stopped.';
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'env-exact-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the syscall, the path and the nearest existing folder of a full disk, and keeps the cause', () => {
    const cause = systemError('ENOSPC', 'write', join(dir, 'runs', 'mlp', 'f'));
    const error = environmentErrorFrom(cause)!;
    expect(error.message).toBe(
      `No space left on device (write ${join(dir, 'runs', 'mlp', 'f')}). Nothing half-written was kept. ` +
        `Free space on the file system holding ${dir} (or raise your quota, or point --out/--temp-dir elsewhere) and ${RESUMES}`,
    );
    expect(error.details).toEqual({ errno: 'ENOSPC', syscall: 'write', path: join(dir, 'runs', 'mlp', 'f') });
    expect(error.cause).toBe(cause);
  });

  it('names the destination of a rename, and leaves out a missing syscall', () => {
    const rename = Object.assign(new Error('x'), { code: 'ENOSPC', syscall: 'rename', path: `${dir}/a`, dest: `${dir}/b` });
    expect(environmentErrorFrom(rename)!.message).toMatch(new RegExp(`^No space left on device \\(rename ${dir}/a → ${dir}/b\\)\\. `));
    const bare = Object.assign(new Error('x'), { code: 'EMFILE', path: `${dir}/a` });
    expect(environmentErrorFrom(bare)!.message).toBe(
      `Too many open files for this process (${dir}/a). Raise the limit (\`ulimit -n 4096\` before the command, or ask your admin), ` +
        `or run fewer --workers, and ${RESUMES}`,
    );
    expect(environmentErrorFrom(bare)!.details).toEqual({ errno: 'EMFILE', syscall: null, path: `${dir}/a` });
    expect(environmentErrorFrom(Object.assign(new Error('x'), { code: 'ENFILE' }))!.message).toMatch(
      /^Too many open files for the whole system\. Raise/,
    );
  });

  it('tells a quota from a full disk by the errno or by the message', () => {
    expect(environmentErrorFrom(systemError('EDQUOT', 'write', `${dir}/f`))!.message).toMatch(/^Disk quota exceeded \(write /);
    expect(environmentErrorFrom(Object.assign(new Error('write failed'), { code: 'EDQUOT' }))!.message).toMatch(
      /^Disk quota exceeded\. Nothing half-written was kept\. Free space on the output file system /,
    );
    expect(environmentErrorFrom(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))!.message).toMatch(
      /^No space left on device\. Nothing half-written was kept\. Free space on the output file system \(/,
    );
    expect(environmentErrorFrom(new Error('IO Error: Disk quota exceeded'))!.message).toMatch(/^Disk quota exceeded\. /);
    expect(environmentErrorFrom(new Error('IO Error: "/data/x/t.block": No space left on device'))!.message).toMatch(
      /^No space left on device \(\/data\/x\)\. Nothing half-written was kept\. Free space on the file system holding \/data\/x /,
    );
  });

  it('says what to make writable, or a placeholder when no folder is known', () => {
    const error = environmentErrorFrom(new Error('IO Error: Permission denied'))!;
    expect(error.message).toBe(
      `Permission denied. Make the output folder writable by you (\`ls -ld <folder>\`), or choose another --out, and ${RESUMES}`,
    );
    expect(error.details).toEqual({ errno: null, syscall: null, path: null });
    const cause = systemError('EACCES', 'open', `${dir}/x/f`);
    const named = environmentErrorFrom(cause)!;
    expect(named.message).toBe(
      `Permission denied (open ${dir}/x/f). Make ${dir} writable by you (\`ls -ld ${dir}\`), or choose another --out, and ${RESUMES}`,
    );
    expect(named.cause).toBe(cause);
  });

  it('says what to remount read-write', () => {
    expect(environmentErrorFrom(new Error('Read-only file system'))!.message).toBe(
      `Read-only file system. Choose an output folder on a writable file system (--out), or remount it read-write, and ${RESUMES}`,
    );
    const cause = systemError('EROFS', 'open', `${dir}/f`);
    const error = environmentErrorFrom(cause)!;
    expect(error.message).toBe(
      `Read-only file system (open ${dir}/f). Choose an output folder on a writable file system (--out), or remount ${dir} read-write, and ${RESUMES}`,
    );
    expect(error.cause).toBe(cause);
  });

  it('returns an EnvironmentError as it is, also one from another copy of the package', () => {
    const own = new EnvironmentError('E_NO_SPACE', 'full');
    expect(environmentErrorFrom(own)).toBe(own);
    const foreign = Object.assign(new Error('full'), { code: 'E_NO_SPACE', name: 'EnvironmentError' });
    expect(environmentErrorFrom(foreign)).toBe(foreign);
    expect(environmentErrorFrom(new Error('wrapped', { cause: foreign }))).toBe(foreign);
  });

  it('stops at a coded error even when its cause is a full disk', () => {
    const coded = new DataError('E_GZIP', 'corrupt', {}, { cause: systemError('ENOSPC', 'write', '/x/y') });
    expect(environmentErrorFrom(coded)).toBeUndefined();
  });

  it('follows at most five causes, and only objects', () => {
    const nest = (depth: number): unknown => {
      let error: unknown = systemError('ENOSPC', 'write', '/x/y');
      for (let i = 0; i < depth; i++) error = new Error(`level ${i}`, { cause: error });
      return error;
    };
    expect(environmentErrorFrom(nest(4))?.code).toBe('E_NO_SPACE');
    expect(environmentErrorFrom(nest(5))).toBeUndefined();
    expect(environmentErrorFrom(null)).toBeUndefined();
    expect(environmentErrorFrom(new Error('x', { cause: null }))).toBeUndefined();
    expect(environmentErrorFrom(Object.assign(() => undefined, { code: 'ENOSPC' }))).toBeUndefined();
  });

  it('treats an ENOENT that is not a mkdir as no machine error', () => {
    expect(environmentErrorFrom(Object.assign(new Error('x'), { code: 'ENOENT', syscall: 'mkdir' }))).toBeUndefined();
    expect(environmentErrorFrom(systemError('ENOENT', 'open', `${dir}/missing`))).toBeUndefined();
    expect(environmentErrorFrom(systemError('ENOSPC', 'mkdir', `${dir}/a/b`))?.code).toBe('E_NO_SPACE');
    expect(environmentErrorFrom(systemError('EACCES', 'mkdir', `${dir}/a/b`))?.code).toBe('E_PERMISSION');
  });

  it("names the code of an mkdir's ancestor that even root may not write, where the system has one", () => {
    let code: string | undefined;
    try {
      accessSync('/proc/sys', constants.W_OK);
    } catch (error) {
      code = (error as NodeJS.ErrnoException).code;
    }
    if (code === undefined) return; // /proc/sys is writable here (or missing): the chmod case above covers non-root users
    const error = environmentErrorFrom(systemError('ENOENT', 'mkdir', '/proc/sys/ehr-backdoor/runs/mlp'));
    expect(error?.details).toEqual({ errno: code, syscall: 'mkdir', path: '/proc/sys/ehr-backdoor/runs/mlp' });
    expect(environmentErrorFrom(systemError('ENOENT', 'open', '/proc/sys/ehr-backdoor/runs/mlp'))).toBeUndefined();
  });

  it('keeps the ENOENT of a mkdir whose ancestor is writable, even beside a telling message', () => {
    const missing = Object.assign(new Error('Permission denied'), { code: 'ENOENT', syscall: 'mkdir' });
    expect(environmentErrorFrom(missing)).toBeUndefined();
    const writable = Object.assign(new Error('Permission denied'), { code: 'ENOENT', syscall: 'mkdir', path: `${dir}/a/b` });
    expect(environmentErrorFrom(writable)).toBeUndefined();
  });

  it('takes only a string code as the errno, and keeps the cause of a file-limit error', () => {
    const numeric = Object.assign(new Error('No space left on device'), { code: 28 });
    expect(environmentErrorFrom(numeric)!.details).toEqual({ errno: null, syscall: null, path: null });
    const cause = systemError('EMFILE', 'open', `${dir}/f`);
    expect(environmentErrorFrom(cause)!.cause).toBe(cause);
  });
});
