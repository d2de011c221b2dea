import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backdoorFixture } from '@ehr-backdoor/data/testing';
import { rowsOfSplit } from '@ehr-backdoor/train';
import { SPEC_MODEL_CACHE_VARIABLE, trainSpecModel } from './spec-models.js';

describe('trainSpecModel', () => {
  const fixture = backdoorFixture(120, 4, 6);
  const options = {
    dataset: fixture.dataset,
    model: { kind: 'mlp', hidden: [4] },
    train: { epochs: 2, learningRate: 1e-2, batchSize: 32, patience: 0, selection: 'last' },
    seed: 3,
    backend: 'cpu',
  } as const;
  let cache: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'spec-models-'));
    process.env[SPEC_MODEL_CACHE_VARIABLE] = cache;
  });
  afterEach(() => {
    delete process.env[SPEC_MODEL_CACHE_VARIABLE];
    rmSync(cache, { recursive: true, force: true });
  });

  it('gives back from the cache the model it trained, weights and predictions alike', async () => {
    const trained = await trainSpecModel(options);
    expect(readdirSync(cache)).toHaveLength(1);
    const cached = await trainSpecModel(options);
    const rows = rowsOfSplit(fixture.dataset, 'test');
    expect(Array.from(cached.predictProba(fixture.dataset, rows))).toEqual(Array.from(trained.predictProba(fixture.dataset, rows)));
    expect(cached.meta.configHash).toBe(trained.meta.configHash);
    trained.dispose();
    cached.dispose();
  });

  it('keeps apart models of another seed or dataset', async () => {
    (await trainSpecModel(options)).dispose();
    (await trainSpecModel({ ...options, seed: 4 })).dispose();
    (await trainSpecModel({ ...options, dataset: backdoorFixture(120, 4, 7).dataset })).dispose();
    expect(readdirSync(cache)).toHaveLength(3);
  });
});
