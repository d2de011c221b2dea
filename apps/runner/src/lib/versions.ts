import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** Versions recorded in every run's metadata, so a figure can be traced to the code that made it. */
const require = createRequire(import.meta.url);

async function versionOf(pkg: string): Promise<string | null> {
  try {
    const path = require.resolve(`${pkg}/package.json`);
    return (JSON.parse(await readFile(path, 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

export async function collectVersions(): Promise<Record<string, string | null>> {
  const names = [
    '@ehr-backdoor/core',
    '@ehr-backdoor/data',
    '@ehr-backdoor/poison',
    '@ehr-backdoor/train',
    '@ehr-backdoor/metrics',
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-node',
    '@duckdb/node-api',
    'apache-arrow',
  ];
  const out: Record<string, string | null> = { node: process.versions.node };
  for (const name of names) out[name] = await versionOf(name);
  return out;
}
