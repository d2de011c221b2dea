// Every package's Stryker config must load. Loading one checks that each `equivalent` entry's code is still
// in its file (tools/stryker/config.mjs); a reformat or a refactor that moved that code made `nx run
// <p>:mutate` stop at start-up for core and poison, unnoticed until the next mutation run (session 6).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const packagesDir = join(import.meta.dirname, '..', '..', 'packages');
const configs = readdirSync(packagesDir)
  .map((name) => join(packagesDir, name, 'stryker.config.mjs'))
  .filter((file) => existsSync(file));

const failures = [];
for (const file of configs) {
  try {
    const { default: config } = await import(pathToFileURL(file).href);
    if (!Array.isArray(config?.mutate)) failures.push(`${file}: no mutate list in the exported config`);
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  }
}
for (const failure of failures) console.error(`stryker-configs: ${failure}`);
console.log(`stryker-configs: ${configs.length} config(s), ${failures.length} failing`);
process.exit(failures.length === 0 ? 0 : 1);
