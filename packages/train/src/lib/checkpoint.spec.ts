import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@ehr-backdoor/core';
import { listEpochCheckpoints, pruneCheckpoints, readCheckpoint, writeCheckpoint, type CheckpointJson } from './checkpoint.js';

const json = {
  formatVersion: 1,
  kind: 'weights',
  createdBy: '@ehr-backdoor/train',
  seed: 1,
  history: [{ epoch: 1, trainLoss: 0.5, valLoss: NaN, valAuroc: -Infinity }],
} as unknown as CheckpointJson;

describe('checkpoint files', () => {
  const root = mkdtempSync(join(tmpdir(), 'ckpt-'));

  it('round-trips JSON (NaN and ±Infinity included) and bytes, with a sha256 manifest', async () => {
    const dir = join(root, 'a');
    const weights = new Uint8Array([1, 2, 3, 4]);
    await writeCheckpoint(dir, json, weights);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.files['weights.bin']).toEqual({ sha256: sha256(weights), bytes: 4 });
    const loaded = await readCheckpoint(dir);
    expect(loaded.json).toEqual(json);
    expect(loaded.json.history[0].valLoss).toBeNaN();
    expect(Array.from(loaded.weights)).toEqual([1, 2, 3, 4]);
  });

  it('rejects an edited file, another format version, and paths outside the directory', async () => {
    const dir = join(root, 'b');
    await writeCheckpoint(dir, json, new Uint8Array(4));
    const text = readFileSync(join(dir, 'checkpoint.json'), 'utf8');
    writeFileSync(join(dir, 'checkpoint.json'), text.replace('"seed": 1', '"seed": 2'));
    await expect(readCheckpoint(dir)).rejects.toMatchObject({ code: 'E_CHECKPOINT_CORRUPT' });

    const other = join(root, 'c');
    await writeCheckpoint(other, { ...json, formatVersion: 99 } as unknown as CheckpointJson, new Uint8Array(4));
    await expect(readCheckpoint(other)).rejects.toMatchObject({ code: 'E_CHECKPOINT_FORMAT' });

    const escape = join(root, 'd');
    await writeCheckpoint(escape, json, new Uint8Array(4));
    const manifest = JSON.parse(readFileSync(join(escape, 'manifest.json'), 'utf8'));
    manifest.files['../x'] = { sha256: 'x', bytes: 1 };
    writeFileSync(join(escape, 'manifest.json'), JSON.stringify(manifest));
    await expect(readCheckpoint(escape)).rejects.toMatchObject({ code: 'E_CHECKPOINT_CORRUPT' });
  });

  it('lists epoch directories in order, ignores unfinished ones, and prunes all but the last K and the best', async () => {
    const run = join(root, 'run');
    for (const e of [1, 2, 3, 4, 5, 10]) await writeCheckpoint(join(run, `epoch-${String(e).padStart(4, '0')}`), json, new Uint8Array(4));
    mkdirSync(join(run, '.tmp-epoch-0011-123-abcd'));
    expect((await listEpochCheckpoints(run)).map((c) => c.epoch)).toEqual([1, 2, 3, 4, 5, 10]);
    await pruneCheckpoints(run, 2, 2);
    expect((await listEpochCheckpoints(run)).map((c) => c.epoch)).toEqual([2, 5, 10]);
  });
});
