import { checkFinePruningSettings, DEFAULT_FINE_PRUNING } from './fine-pruning-settings.js';

describe('checkFinePruningSettings', () => {
  it('passes settings in range through unchanged, and no settings as {}', () => {
    const edge = { budget: 0.999, maxFraction: 1, epochs: 1, learningRate: 1e-6 };
    expect(checkFinePruningSettings(edge)).toBe(edge);
    expect(checkFinePruningSettings({ budget: 1e-9, maxFraction: 1e-9 })).toEqual({ budget: 1e-9, maxFraction: 1e-9 });
    expect(checkFinePruningSettings({ ...DEFAULT_FINE_PRUNING })).toEqual({ budget: 0.04, maxFraction: 1, epochs: 2 });
    expect(checkFinePruningSettings(undefined)).toEqual({});
    expect(checkFinePruningSettings(null)).toEqual({});
    expect(checkFinePruningSettings({})).toEqual({});
  });

  it('names the key as written, where it came from and its range', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ budget: 1 }, 'fine_pruning.budget must be a validation-AUROC drop in (0, 1), e.g. 0.04 (the paper stops at a 4 % drop); got 1.'],
      [{ budget: 0 }, 'fine_pruning.budget must be a validation-AUROC drop in (0, 1), e.g. 0.04 (the paper stops at a 4 % drop); got 0.'],
      [{ maxFraction: 0 }, 'fine_pruning.maxFraction must be a share of the penultimate units in (0, 1]; got 0.'],
      [{ maxFraction: 1.01 }, 'fine_pruning.maxFraction must be a share of the penultimate units in (0, 1]; got 1.01.'],
      [{ epochs: 0 }, 'fine_pruning.epochs must be a positive integer; got 0.'],
      [{ epochs: 2.5 }, 'fine_pruning.epochs must be a positive integer; got 2.5.'],
      [{ learningRate: 0 }, 'fine_pruning.learningRate must be a positive number, e.g. 0.001; got 0.'],
      [{ learningRate: '0.01' }, 'fine_pruning.learningRate must be a positive number, e.g. 0.001; got "0.01".'],
      [
        { budget: Number.NaN },
        'fine_pruning.budget must be a validation-AUROC drop in (0, 1), e.g. 0.04 (the paper stops at a 4 % drop); got null.',
      ],
      [{ epochs: Infinity }, 'fine_pruning.epochs must be a positive integer; got null.'],
      [{ prune: 0.1, cut: 1 }, 'fine_pruning: unknown setting prune, cut; fine-pruning reads budget, maxFraction, epochs, learningRate.'],
    ];
    for (const [input, message] of cases) {
      expect(() => checkFinePruningSettings(input)).toThrow(message);
      expect(() => checkFinePruningSettings(input)).toThrow(expect.objectContaining({ code: 'E_FINE_PRUNING' }));
    }
    expect(() => checkFinePruningSettings({ epochs: 0 }, 'study.yaml: options.fine_pruning', (key) => `--fine-pruning-${key}`)).toThrow(
      '--fine-pruning-epochs must be a positive integer; got 0.',
    );
    expect(() => checkFinePruningSettings({ epochs: 0 }, 'options.fine_pruning')).toThrow('options.fine_pruning.epochs must be');
  });

  it('refuses a value that is not an object of settings', () => {
    for (const input of [3, 'budget', [0.04], true]) {
      expect(() => checkFinePruningSettings(input, 'options.fine_pruning')).toThrow(
        `options.fine_pruning must be an object of settings (budget, maxFraction, epochs, learningRate); got ${JSON.stringify(input)}.`,
      );
    }
    expect(() => checkFinePruningSettings([])).toThrow(expect.objectContaining({ code: 'E_FINE_PRUNING' }));
  });
});
