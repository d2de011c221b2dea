import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostTag, isProcessAlive, processStateLetter } from './process-liveness.js';

describe('isProcessAlive', () => {
  it('is true for this process and false for a pid no process holds', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(2 ** 22 + 12345)).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
  });

  it('counts a zombie (dead, not yet reaped) as dead although kill(pid, 0) succeeds', async () => {
    if (processStateLetter(process.pid) === undefined) return; // no /proc: nothing to read
    // A shell whose child exits without being waited for: the child stays a zombie while the shell sleeps.
    // The child ends only once the shell has become `sleep` (a shell would reap a child that ended before
    // its exec, which made this test fail on a loaded machine); in a subshell $$ is still the shell's pid.
    const script = 'while [ "$(cat /proc/$$/comm)" != sleep ]; do sleep 0.01; done';
    const shell = spawn('sh', ['-c', `(${script}) & echo $!; exec sleep 30`], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number((await new Promise<Buffer>((resolve) => shell.stdout!.once('data', resolve))).toString().trim());
      const deadline = Date.now() + 10_000;
      while (processStateLetter(pid) !== 'Z' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(processStateLetter(pid)).toBe('Z');
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(isProcessAlive(pid)).toBe(false);
    } finally {
      shell.kill('SIGKILL');
    }
  });
});

describe('isProcessAlive when kill(pid, 0) fails', () => {
  const realKill = process.kill;
  afterEach(() => {
    process.kill = realKill;
  });
  const killThrowing = (code: string) => {
    process.kill = (() => {
      throw Object.assign(new Error(`kill ${code}`), { code });
    }) as typeof process.kill;
  };

  it("counts another user's process (EPERM) as alive and a missing one (ESRCH) as dead", () => {
    killThrowing('EPERM');
    expect(isProcessAlive(process.pid)).toBe(true);
    killThrowing('ESRCH');
    expect(isProcessAlive(process.pid)).toBe(false);
  });
});

describe('processStateLetter', () => {
  it("reads this process's state from /proc where there is one", () => {
    if (!existsSync('/proc/self/stat')) return expect(processStateLetter(process.pid)).toBeUndefined();
    expect(['R', 'S']).toContain(processStateLetter(process.pid));
    expect(processStateLetter(2 ** 22 + 12345)).toBeUndefined();
  });
});

describe('hostTag', () => {
  it('is a non-empty name without the separators of temporary names', () => {
    expect(hostTag()).toMatch(/^[^/@\s]{1,63}$/);
  });
});
