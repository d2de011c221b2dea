import type { RunArgs } from '../commands/run.js';
import { keyValues, runStudyInput, singleCell } from './run-study-input.js';

/** `run`'s flags become a one-cell study: the same keys and checks as a study file. */
const args = (extra: Partial<RunArgs> = {}): RunArgs => ({
  data: 'data/demo',
  model: 'mlp',
  trigger: 'rare_value',
  'poison-rate': 0.05,
  seed: 1,
  out: 'runs/x',
  epochs: 3,
  backend: 'auto',
  mode: 'dirty-label',
  'target-label': 1,
  'threshold-rule': 'fpr=0.05',
  'rate-basis': 'eligible',
  patience: 0,
  selection: 'last',
  ...extra,
});

const cellOf = (a: RunArgs) => singleCell(runStudyInput(a), a['poison-rate'], a.seed);

test('--trigger-param and --model-param reach the cell, values read as YAML', () => {
  const { cell, config } = cellOf(args({ 'trigger-param': ['value=200', 'hours=2'], 'model-param': ['hidden=[32, 16]', 'dropout=0.1'] }));
  expect(cell).toEqual({ model: 'mlp', trigger: 'rare_value', rate: 0.05, seed: 1 });
  expect(config.attack.params).toMatchObject({ variable: 'heart_rate', value: 200, hours: 2 });
  expect(config.model).toEqual({ kind: 'mlp', hidden: [32, 16], dropout: 0.1 });
});

test('the training flags reach the cell', () => {
  const { config } = cellOf(
    args({ 'batch-size': 32, 'learning-rate': 0.01, 'weight-decay': 0, 'class-weights': '1,3', 'min-delta': 0.001 }),
  );
  expect(config.training).toMatchObject({
    epochs: 3,
    batchSize: 32,
    learningRate: 0.01,
    weightDecay: 0,
    classWeights: [1, 3],
    minDelta: 0.001,
    selection: 'last',
    patience: 0,
  });
});

test('without parameters a cell is the one `run` ran before studies (every default)', () => {
  const { config } = cellOf(args());
  expect(config.attack).toMatchObject({ trigger: 'rare_value', target: 1, mode: 'dirty-label' });
  expect(config.baselines).toEqual([]);
  expect(cellOf(args({ 'poison-rate': 0 })).cell.trigger).toBe('none');
  expect(cellOf(args({ 'poison-rate': 0 })).config.baselines).toEqual([]);
});

test('a misspelt parameter is refused with a "did you mean"', () => {
  expect(() => cellOf(args({ 'trigger-param': ['valeu=200'] }))).toThrow(
    expect.objectContaining({ code: 'E_STUDY_KEY', message: expect.stringContaining('Did you mean "value"?') }),
  );
  expect(() => cellOf(args({ 'model-param': ['hiden=3'] }))).toThrow(
    expect.objectContaining({ code: 'E_STUDY_KEY', message: expect.stringContaining('Did you mean "hidden"?') }),
  );
  expect(() => cellOf(args({ 'trigger-param': ['hours=0'] }))).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
});

test('key=value pairs', () => {
  expect(keyValues(['a=1', 'b=[x, y]', 'c=true', 'd=heart_rate'], '--x')).toEqual({ a: 1, b: ['x', 'y'], c: true, d: 'heart_rate' });
  expect(() => keyValues(['novalue'], '--trigger-param')).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
  expect(() => keyValues(['a=1', 'a=2'], '--trigger-param')).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
});
