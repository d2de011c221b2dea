import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(ROOT, 'apps/runner/bin/ehr-backdoor.js');

function cli(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

describe('ehr-backdoor doctor', () => {
  it('documents itself with examples', () => {
    const run = cli('doctor', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--require');
    expect(run.stdout).toContain('doctor --require tensorflow-gpu');
  });

  it('reports every backend as JSON; WASM and CPU always load, and auto takes the first that does', () => {
    const run = cli('doctor', '--json');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.backends.map((b: { name: string }) => b.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    const byName = Object.fromEntries(report.backends.map((b: { name: string }) => [b.name, b]));
    expect(byName.wasm).toMatchObject({ loads: true, detail: expect.stringContaining('SIMD') });
    expect(byName.cpu.loads).toBe(true);
    for (const b of report.backends) expect(b.loads || b.reason.length > 0).toBe(true);
    expect(report.auto).toBe(report.backends.find((b: { loads: boolean }) => b.loads).name);
    expect(byName['tensorflow-gpu'].needs).toContain('CUDA 11.2');
  });

  it('with --require, exits 2 when that backend does not load here and 0 when it does', () => {
    const report = JSON.parse(cli('doctor', '--json').stdout);
    const gpu = report.backends.find((b: { name: string }) => b.name === 'tensorflow-gpu');
    const run = cli('doctor', '--require', 'tensorflow-gpu');
    expect(run.status).toBe(gpu.loads ? 0 : 2);
    if (!gpu.loads) expect(run.stderr).toContain('E_BACKEND_UNAVAILABLE');
    expect(cli('doctor', '--require', 'wasm').status).toBe(0);
  });
});
