import { readFileSync } from 'node:fs';

/**
 * What `ehr-backdoor-aggregate --version` prints: this app's version from its package.json, read once at start-up (the
 * released packages share one version, docs/releasing.md; a run folder records each package's own).
 */
export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
