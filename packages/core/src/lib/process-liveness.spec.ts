import { spawn } from 'node:child_process';
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
    const shell = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
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

describe('hostTag', () => {
  it('is a non-empty name without the separators of temporary names', () => {
    expect(hostTag()).toMatch(/^[^/@\s]{1,63}$/);
  });
});
