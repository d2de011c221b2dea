import { readFileSync } from 'node:fs';
import { runCli } from './e2e/cli.js';

describe('ehr-backdoor --version', () => {
  test('prints the package version and exits 0, with or without a command', () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
    expect(result.stderr).not.toContain('Name a command');
  });
});
