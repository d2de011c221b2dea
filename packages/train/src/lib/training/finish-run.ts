import { join } from 'node:path';
import { BugError } from '@ehr-backdoor/core';
import { TrainedModel } from '../model.js';
import { runMeta, type RunContext, type RunState } from './run-state.js';

/**
 * The selected epoch's weights (best or last) in a {@link TrainedModel}, saved weights-only to
 * `final/` once the run has stopped. A paused run returns the weights selected so far; its final/ is
 * written when it finishes.
 */
export async function finishRun(
  checkpointDir: string | undefined,
  run: RunContext,
  s: RunState,
): Promise<{ model: TrainedModel; selectedEpoch: number }> {
  const { trainConfig } = run;
  const selectedEpoch = trainConfig.selection === 'last' ? s.epoch : s.bestEpoch;
  if (trainConfig.selection === 'best') {
    if (!s.bestWeights) throw new BugError('no best weights recorded');
    s.network.store.load(s.bestWeights, s.network.store.specs(), 'best weights');
  }
  s.optimizer.dispose();
  const model = new TrainedModel(s.network, s.normalisation, {
    ...runMeta(run, s),
    history: [...s.history],
    epoch: selectedEpoch,
    bestEpoch: s.bestEpoch,
  });
  if (checkpointDir && s.stopped) await model.save(join(checkpointDir, 'final'));
  return { model, selectedEpoch };
}
