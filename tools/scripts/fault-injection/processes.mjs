import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs a command to its end, or kills its whole process group: `killAfterMs` after it started, or, with
 * `writing` (a predicate polled every 20 ms), `killAfterMs` after it first wrote (so the kill lands while
 * it works, not while Node loads its modules). `firstWriteMs` says when `writing` first held.
 */
export function run(bin, args, { killAfterMs, writing, onStderr, env = {}, nodeArgs = [], timeoutMs = 300_000 } = {}) {
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [...nodeArgs, bin, ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr);
    });
    const killGroup = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    let killer;
    let firstWriteMs;
    const watch = writing
      ? setInterval(() => {
          if (firstWriteMs === undefined && writing()) {
            firstWriteMs = Date.now() - t0;
            clearInterval(watch);
            if (killAfterMs !== undefined) killer = setTimeout(killGroup, killAfterMs);
          }
        }, 20)
      : undefined;
    if (!writing && killAfterMs !== undefined) killer = setTimeout(killGroup, killAfterMs);
    const limit = setTimeout(() => {
      stderr += `\n[fault-injection] timed out after ${timeoutMs} ms\n`;
      killGroup();
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      clearTimeout(limit);
      clearInterval(watch);
      // Workers of a killed sweep die with it (same group); give the kernel a moment to reap them.
      setTimeout(() => done({ code, signal, stdout, stderr, ms: Date.now() - t0, firstWriteMs }), signal ? 100 : 0);
    });
  });
}

/** The two command-line tools under test, run from the workspace at `root`. */
export function commandLines(root) {
  const runnerBin = join(root, 'apps/runner/bin/ehr-backdoor.js');
  const aggregateBin = join(root, 'apps/aggregate/bin/ehr-backdoor-aggregate.js');
  return {
    runner: (args, options) => run(runnerBin, args, options),
    aggregate: (args, options) => run(aggregateBin, args, options),
  };
}
