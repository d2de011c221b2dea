import { BugError, CompatibilityError, DataError, EhrBackdoorError, EnvironmentError, InputError } from './errors.js';
import { EXIT, exitCodeFor, handleErrors } from './exit-codes.js';

describe('exitCodeFor', () => {
  it('maps each kind of error to its exit code', () => {
    expect(exitCodeFor(new InputError('E_X', 'x'))).toBe(EXIT.input);
    expect(exitCodeFor(new DataError('E_X', 'x'))).toBe(EXIT.data);
    expect(exitCodeFor(new CompatibilityError('E_X', 'x'))).toBe(EXIT.compatibility);
    expect(exitCodeFor(new EnvironmentError('E_NO_SPACE', 'x'))).toBe(EXIT.environment);
    class PartialFailure extends EhrBackdoorError {
      override readonly name = 'PartialFailure';
      readonly exitCode = EXIT.partialFailure;
    }
    expect(exitCodeFor(new PartialFailure('E_CELLS_FAILED', 'x'))).toBe(5);
  });

  it('treats anything without an E_ code as a bug', () => {
    expect(exitCodeFor(new Error('boom'))).toBe(EXIT.bug);
    expect(exitCodeFor('a string')).toBe(EXIT.bug);
  });

  it('maps a BugError to 1 and says it is a bug, even with a cause that looks like bad input', async () => {
    const bug = new BugError('no best weights recorded', { cause: new InputError('E_X', 'x') });
    expect(exitCodeFor(bug)).toBe(EXIT.bug);
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      expect(await handleErrors(false, async () => Promise.reject(bug))).toBe(EXIT.bug);
    } finally {
      process.stderr.write = write;
    }
    expect(written.join('')).toMatch(/this is a bug[\s\S]*no best weights recorded/);
  });
});

describe("the machine's errors", () => {
  const enospc = () =>
    Object.assign(new Error("ENOSPC: no space left on device, write '/runs/a/.tmp-summary.json-1-00000000'"), {
      code: 'ENOSPC',
      syscall: 'write',
      path: '/runs/a/.tmp-summary.json-1-00000000',
    });

  it('exit 6, not 1: a full disk, permission denied or a read-only folder is no bug', () => {
    expect(EXIT.environment).toBe(6);
    expect(exitCodeFor(enospc())).toBe(6);
    expect(exitCodeFor(Object.assign(new Error('EROFS'), { code: 'EROFS', path: '/ro' }))).toBe(6);
    expect(exitCodeFor(Object.assign(new Error('ENOENT'), { code: 'ENOENT', path: '/x' }))).toBe(EXIT.bug);
  });

  it('handleErrors prints the remedy without a stack, and the stack only with --verbose', async () => {
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      expect(
        await handleErrors(false, async () => {
          throw enospc();
        }),
      ).toBe(6);
      const quiet = written.join('');
      expect(quiet).toMatch(/^error \[E_NO_SPACE\]: .*\/runs\/a.*re-run the same command: it resumes/s);
      expect(quiet).not.toMatch(/\n\s+at /);
      expect(quiet).not.toMatch(/this is a bug/);
      written.length = 0;
      expect(
        await handleErrors(true, async () => {
          throw enospc();
        }),
      ).toBe(6);
      expect(written.join('')).toMatch(/\n\s+at /);
    } finally {
      process.stderr.write = write;
    }
  });
});

describe('exitCodeFor, coded errors of other names', () => {
  it('treats a coded error of another name without a numeric exitCode as a bug', () => {
    class Other extends EhrBackdoorError {
      override readonly name = 'Other';
    }
    expect(exitCodeFor(new Other('E_OTHER', 'x'))).toBe(EXIT.bug);
    expect(exitCodeFor(Object.assign(new Other('E_OTHER', 'x'), { exitCode: '5' }))).toBe(EXIT.bug);
  });
});

describe('handleErrors', () => {
  async function run(verbose: boolean, body: () => Promise<void>): Promise<{ code: number; stderr: string }> {
    const write = process.stderr.write;
    let stderr = '';
    process.stderr.write = ((chunk: string) => {
      stderr += chunk;
      return true;
    }) as typeof process.stderr.write;
    try {
      return { code: await handleErrors(verbose, body), stderr };
    } finally {
      process.stderr.write = write;
    }
  }

  it('returns 0 and prints nothing when the run succeeds', async () => {
    expect(await run(false, async () => undefined)).toEqual({ code: 0, stderr: '' });
  });

  it('prints a known error as "error [CODE]: message", with its stack only when verbose', async () => {
    const error = new InputError('E_BAD_FLAG', '--rate must be in [0, 1]');
    const quiet = await run(false, async () => {
      throw error;
    });
    expect(quiet).toEqual({ code: EXIT.input, stderr: 'error [E_BAD_FLAG]: --rate must be in [0, 1]\n' });
    const verbose = await run(true, async () => {
      throw error;
    });
    expect(verbose.stderr).toBe(`error [E_BAD_FLAG]: --rate must be in [0, 1]\n${error.stack}\n`);
    const stackless = Object.assign(new DataError('E_GZIP', 'truncated'), { stack: '' });
    expect(
      await run(true, async () => {
        throw stackless;
      }),
    ).toEqual({ code: EXIT.data, stderr: 'error [E_GZIP]: truncated\n' });
  });

  it("prints the machine's original stack, not the explanation's, when verbose", async () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    const { code, stderr } = await run(true, async () => {
      throw enospc;
    });
    expect(code).toBe(EXIT.environment);
    expect(stderr).toMatch(/^error \[E_NO_SPACE\]: No space left on device\. /);
    expect(stderr.endsWith(`\n${enospc.stack}\n`)).toBe(true);
  });

  it('prints anything else as a bug with its stack (or message, or value) and returns 1', async () => {
    const bug = new TypeError('x is undefined');
    const header = 'unexpected error (this is a bug; please report it with the command you ran):\n';
    expect(
      await run(false, async () => {
        throw bug;
      }),
    ).toEqual({ code: EXIT.bug, stderr: `${header}${bug.stack}\n` });
    const noStack = Object.assign(new Error('no stack'), { stack: undefined });
    expect(
      (
        await run(false, async () => {
          throw noStack;
        })
      ).stderr,
    ).toBe(`${header}no stack\n`);
    expect(
      await run(false, async () => {
        throw 'a string';
      }),
    ).toEqual({ code: EXIT.bug, stderr: `${header}a string\n` });
  });
});

describe('exitCodeFor a BugError', () => {
  it('is a bug even when its cause is a full disk', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    expect(exitCodeFor(enospc)).toBe(EXIT.environment);
    expect(exitCodeFor(new BugError('checkpoint invariant', { cause: enospc }))).toBe(EXIT.bug);
  });
});
