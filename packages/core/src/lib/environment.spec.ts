import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
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
