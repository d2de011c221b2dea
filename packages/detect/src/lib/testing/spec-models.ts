import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetHash, loadModel, selectBackend, trainModel, type TrainedModel, type TrainOptions } from '@ehr-backdoor/train';

/**
 * The directory in which a mutation run keeps the models its specs train (tools/stryker/config.mjs sets
 * it to a fresh directory per run). Stryker mutates only this package, so a model trained for one mutant
 * is the same model for every other: training is deterministic given the seed and backend, and the train
 * package is not mutated. Outside a mutation run the variable is unset and every spec trains its own.
 */
export const SPEC_MODEL_CACHE_VARIABLE = 'EHR_BACKDOOR_SPEC_MODEL_CACHE';

/**
 * `trainModel(options).model`, read from the mutation run's model cache when it holds it: the detector
 * specs train a model in `beforeAll`, and without the cache every mutant they cover pays for that training.
 */
export async function trainSpecModel(options: TrainOptions): Promise<TrainedModel> {
  const cache = process.env[SPEC_MODEL_CACHE_VARIABLE];
  if (!cache || options.checkpointDir || options.onEpoch || options.onBatch) return (await trainModel(options)).model;
  const dir = join(cache, cacheKey(options));
  if (existsSync(dir)) {
    if (options.backend) await selectBackend(options.backend);
    return loadModel(dir);
  }
  const { model } = await trainModel(options);
  // Concurrent test runners may train the same model: each writes its own copy and renames it into place.
  const partial = `${dir}.${process.pid}.partial`;
  await mkdir(cache, { recursive: true });
  await model.save(partial);
  await rename(partial, dir).catch(() => rm(partial, { recursive: true, force: true }));
  return model;
}

function cacheKey(options: TrainOptions): string {
  const { dataset, model, train, seed, backend, rows, stopAfterEpochs } = options;
  const what = JSON.stringify({
    model,
    train,
    seed,
    backend,
    stopAfterEpochs,
    rows: rows && { train: Array.from(rows.train), val: Array.from(rows.val) },
    data: [datasetHash(dataset, 'tabular'), datasetHash(dataset, 'timeseries')],
  });
  return createHash('sha256').update(what).digest('hex').slice(0, 32);
}
