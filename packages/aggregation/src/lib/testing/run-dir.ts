import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatRate } from '../collect/summary.js';

/** Test helper: one run directory in the runner's layout with exactly the given summary fields. */
export async function writeRun(
  root: string,
  fields: { model: string; trigger: string; poison_rate: number; seed: number } & Record<string, unknown>,
  options: { metadata?: Record<string, unknown> | false; dir?: string } = {},
): Promise<string> {
  const dir = options.dir ?? join(root, fields.model, fields.trigger, formatRate(fields.poison_rate), `seed_${fields.seed}`);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'summary.json'),
    JSON.stringify({ formatVersion: 1, mode: 'dirty-label', target_label: 0, dataset_hash: 'd1', backend: 'cpu', reasons: {}, ...fields }),
  );
  if (options.metadata !== false) {
    await writeFile(
      join(dir, 'run_metadata.json'),
      JSON.stringify({
        formatVersion: 1,
        status: 'done',
        backend: { requested: 'auto', used: 'cpu' },
        versions: { tfjs: '4.22.0' },
        ...options.metadata,
      }),
    );
  }
  return dir;
}
