/**
 * Type-level tests: model configurations are discriminated by `kind`, so a field of another model, a
 * value of the wrong shape or an unknown kind fails to compile. `tsc -b` checks every
 * `@ts-expect-error` line; the compile-only block never runs.
 */
import { expectTypeOf } from 'expect-type';
import type {
  LstmConfig,
  MlpConfig,
  ModelConfig,
  ModelConfigInput,
  ModelKind,
  TabTransformerConfig,
  TcnConfig,
  TrainConfig,
  TrainOptions,
} from '../index.js';
import { DEFAULT_MODEL_CONFIGS, MODEL_KINDS, resolveModelConfig, resolveTrainConfig } from '../index.js';

describe('model configuration types', () => {
  it('kinds, defaults and resolution are typed per model', () => {
    expectTypeOf<ModelKind>().toEqualTypeOf<'mlp' | 'lstm' | 'tcn' | 'tabtransformer'>();
    expectTypeOf(MODEL_KINDS).toEqualTypeOf<readonly ModelKind[]>();
    expectTypeOf(DEFAULT_MODEL_CONFIGS.mlp).toEqualTypeOf<MlpConfig>();
    expectTypeOf(DEFAULT_MODEL_CONFIGS.lstm.hidden).toEqualTypeOf<number>();
    expectTypeOf<MlpConfig['hidden']>().toEqualTypeOf<readonly number[]>();
    expectTypeOf<ModelConfigInput>().toExtend<Parameters<typeof resolveModelConfig>[0]>();
    expectTypeOf(resolveModelConfig).returns.toEqualTypeOf<ModelConfig>();
    expectTypeOf<TrainOptions['model']>().toEqualTypeOf<ModelConfigInput>();
    expectTypeOf<TrainOptions['train']>().toEqualTypeOf<Partial<TrainConfig> | undefined>();

    const config = resolveModelConfig({ kind: 'lstm', hidden: 16 });
    if (config.kind === 'lstm') expectTypeOf(config).toEqualTypeOf<LstmConfig>();
    expect(config).toEqual({ kind: 'lstm', hidden: 16, dropout: 0.2 });
  });

  it('resolveModelConfig narrows its result to the kind passed in', () => {
    expectTypeOf(resolveModelConfig({ kind: 'lstm', hidden: 16 })).toEqualTypeOf<LstmConfig>();
    expectTypeOf(resolveModelConfig({ kind: 'mlp' })).toEqualTypeOf<MlpConfig>();
    expectTypeOf(resolveModelConfig({ kind: 'tcn', dilations: [1, 2] })).toEqualTypeOf<TcnConfig>();
    expectTypeOf(resolveModelConfig({ kind: 'tabtransformer', heads: 2 })).toEqualTypeOf<TabTransformerConfig>();
    // A kind known only at run time resolves to the union.
    const input = { kind: 'lstm' } as ModelConfigInput;
    expectTypeOf(resolveModelConfig(input)).toEqualTypeOf<ModelConfig>();
    expectTypeOf(resolveModelConfig({ kind: input.kind as never })).toEqualTypeOf<ModelConfig>();
    const tcn = resolveModelConfig({ kind: 'tcn' });
    expect(tcn.dilations).toEqual([1, 2, 4]);
    const compileOnly = (): void => {
      // @ts-expect-error the narrowed result has no field of another kind
      void resolveModelConfig({ kind: 'lstm' }).dilations;
      // @ts-expect-error fields of another kind are still rejected
      resolveModelConfig({ kind: 'lstm', heads: 4 });
    };
    expect(typeof compileOnly).toBe('function');
  });

  it('wrong configurations do not compile (checked by tsc; nothing runs)', () => {
    const compileOnly = (): void => {
      const inputs: ModelConfigInput[] = [
        { kind: 'mlp', hidden: [64] },
        { kind: 'lstm', hidden: 64 },
        { kind: 'tcn', dilations: [1, 2, 4, 8], kernelSize: 2 },
        { kind: 'tabtransformer', heads: 2, dModel: 16 },
        { kind: 'mlp' },
        // @ts-expect-error an LSTM's hidden size is one number, not a list of layer widths
        { kind: 'lstm', hidden: [64] },
        // @ts-expect-error an MLP's hidden layers are a list
        { kind: 'mlp', hidden: 64 },
        // @ts-expect-error dilations belong to the TCN
        { kind: 'mlp', dilations: [1, 2] },
        // @ts-expect-error heads belong to the TabTransformer
        { kind: 'lstm', heads: 4 },
        // @ts-expect-error not a model kind
        { kind: 'gru', hidden: 64 },
        // @ts-expect-error the kind is required
        { hidden: [64] },
      ];
      resolveTrainConfig({ epochs: 5, classWeights: [1, 3] });
      // @ts-expect-error class weights are 'balanced', 'none' or a pair
      resolveTrainConfig({ classWeights: [1, 2, 3] });
      // @ts-expect-error unknown training option
      resolveTrainConfig({ epoch: 5 });
      void inputs;
    };
    expect(typeof compileOnly).toBe('function');
  });
});
