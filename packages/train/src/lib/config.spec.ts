import { configHash, DEFAULT_MODEL_CONFIGS, resolveModelConfig, resolveTrainConfig } from './config.js';

describe('configs', () => {
  it('fills defaults and keeps explicit values', () => {
    expect(resolveModelConfig({ kind: 'mlp' })).toEqual(DEFAULT_MODEL_CONFIGS.mlp);
    expect(resolveModelConfig({ kind: 'tcn', channels: 8 })).toMatchObject({ kind: 'tcn', channels: 8, dilations: [1, 2, 4] });
    expect(resolveTrainConfig({ batchSize: 7 }).batchSize).toBe(7);
  });

  it.each([
    [() => resolveModelConfig({ kind: 'gru' } as never), 'E_MODEL_KIND'],
    [() => resolveModelConfig({ kind: 'mlp', hidden: [] }), 'E_MODEL_CONFIG'],
    [() => resolveModelConfig({ kind: 'mlp', dropout: 1 }), 'E_MODEL_CONFIG'],
    [() => resolveModelConfig({ kind: 'tabtransformer', dModel: 10, heads: 4 }), 'E_MODEL_CONFIG'],
    [() => resolveModelConfig({ kind: 'lstm', width: 3 } as never), 'E_MODEL_CONFIG'],
    [() => resolveTrainConfig({ batchSize: 0 }), 'E_TRAIN_CONFIG'],
    [() => resolveTrainConfig({ classWeights: [1, -1] }), 'E_TRAIN_CONFIG'],
    [() => resolveTrainConfig({ lr: 1 } as never), 'E_TRAIN_CONFIG'],
  ])('rejects bad input %#', (f, code) => {
    expect(f).toThrow(expect.objectContaining({ code }));
  });

  it('hashes configs independently of key order', () => {
    const m = resolveModelConfig({ kind: 'mlp' });
    const t = resolveTrainConfig({});
    const reordered = JSON.parse(JSON.stringify({ hidden: [128, 64], kind: 'mlp', dropout: 0.2 })) as typeof m;
    expect(configHash(m, t, 1)).toBe(configHash(reordered, t, 1));
    expect(configHash(m, t, 1)).not.toBe(configHash(m, t, 2));
  });
});
