import { BugError, type Random } from '@ehr-backdoor/core';
import { ParamStore } from '../params.js';
import { buildLstm } from './lstm.js';
import { buildMlp } from './mlp.js';
import type { Network, NetworkSpec } from './network.js';
import { buildTabTransformer } from './tabtransformer.js';
import { buildTcn } from './tcn.js';

/** Creates the network of `spec`, drawing its initial weights from `rng` in parameter order. */
export function buildNetwork(spec: NetworkSpec, rng: Random): Network {
  const store = new ParamStore(rng);
  const { model, inputShape } = spec;
  switch (model.kind) {
    case 'mlp':
      return buildMlp(model, store, inputShape[0]);
    case 'tabtransformer':
      if (!spec.tokenLayout) throw new BugError('tabtransformer needs a token layout');
      return buildTabTransformer(model, store, inputShape[0], spec.tokenLayout);
    case 'lstm':
    case 'tcn':
      if (inputShape.length !== 2) throw new BugError(`${model.kind} needs [hours, channels] inputs`);
      return model.kind === 'lstm'
        ? buildLstm(model, store, inputShape[0], inputShape[1])
        : buildTcn(model, store, inputShape[0], inputShape[1]);
  }
}
