#!/usr/bin/env node
// Keeps docs/api honest: renders the API reference into a temporary directory with the committed
// typedoc.json and fails when TypeDoc warns (an undocumented export, a broken {@link}, a type used in a
// public signature but not exported: typedoc.json treats warnings as errors) or when the committed
// docs/api differs from the fresh render (files added, removed or changed). Run by `npm test`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const committed = join(root, 'docs/api');
const fresh = mkdtempSync(join(tmpdir(), 'ehr-backdoor-api-docs-'));
const fix = 'run `npm run docs:api` and commit docs/api';

try {
  const typedoc = join(root, 'node_modules/typedoc/bin/typedoc');
  const result = spawnSync(process.execPath, [typedoc, '--out', fresh, '--logLevel', 'Warn'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    process.stderr.write(
      `\napi-docs: TypeDoc failed (exit ${result.status ?? result.signal}); every warning above is an error. Fix the TSDoc or the exports, then ${fix}.\n`,
    );
    process.exit(1);
  }
  const before = listFiles(committed);
  const after = listFiles(fresh);
  const differing = [];
  for (const file of new Set([...before, ...after])) {
    if (!before.has(file)) differing.push(`  missing:  docs/api/${file}`);
    else if (!after.has(file)) differing.push(`  obsolete: docs/api/${file}`);
    else if (!readFileSync(join(committed, file)).equals(readFileSync(join(fresh, file)))) differing.push(`  changed:  docs/api/${file}`);
  }
  if (differing.length > 0) {
    differing.sort((a, b) => a.slice(12).localeCompare(b.slice(12)));
    process.stderr.write(
      `api-docs: docs/api is stale (${differing.length} file${differing.length === 1 ? '' : 's'} differ from a fresh render):\n${differing.join('\n')}\n${fix}.\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`api-docs: docs/api is current (${after.size} files), TypeDoc reported no warnings.\n`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}

function listFiles(dir) {
  if (!existsSync(dir)) return new Set();
  return new Set(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) =>
        relative(dir, join(entry.parentPath ?? entry.path, entry.name))
          .split('\\')
          .join('/'),
      ),
  );
}
