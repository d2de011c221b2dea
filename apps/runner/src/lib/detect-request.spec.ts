import { checkDetectRequest } from './detect-request.js';

/** Just what the check reads of a run: its folder, the view its model reads, its kind and training configuration. */
const runOf = (view: 'tabular' | 'timeseries', kind = view === 'tabular' ? 'mlp' : 'lstm', epochs: number | null = 5) =>
  ({
    runDir: 'runs/x/seed_0',
    model: { normalisation: { view } },
    modelConfig: { kind },
    trainConfig: epochs === null ? {} : { epochs },
  }) as never;

describe('checkDetectRequest', () => {
  it('accepts the defaults and every defence a model of either view supports', () => {
    expect(() =>
      checkDetectRequest(runOf('tabular'), ['input_screening', 'spectral', 'strip', 'abl_isolation'], { retrain: true }),
    ).not.toThrow();
    expect(() =>
      checkDetectRequest(runOf('timeseries'), ['input_screening'], {
        detectorOptions: { input_screening: { components: ['univariate', 'temporal'] } },
      }),
    ).not.toThrow();
  });

  it("refuses input_screening's hourly component on a model that reads the tabular view, naming the defence, the model and the fix", () => {
    const refused = () =>
      checkDetectRequest(runOf('tabular'), ['input_screening'], {
        detectorOptions: { input_screening: { components: ['univariate', 'temporal'] } },
      });
    expect(refused).toThrow(expect.objectContaining({ code: 'E_DETECT_UNSUPPORTED', name: 'InputError' }));
    expect(refused).toThrow(
      /^input_screening: the 'temporal' component .* mlp model of runs\/x\/seed_0 reads the tabular view\. Drop it .* or screen an lstm or tcn run\./,
    );
  });

  it('refuses out-of-range settings of the defence that reads them', () => {
    expect(() => checkDetectRequest(runOf('tabular'), ['strip'], { stripBlends: 0 })).toThrow(
      expect.objectContaining({ code: 'E_OPTION', message: expect.stringMatching(/^strip: .*integer ≥ 1; got 0/) }),
    );
    expect(() => checkDetectRequest(runOf('tabular'), ['abl_isolation'], { ablEpochs: 1.5 })).toThrow(
      expect.objectContaining({ code: 'E_OPTION', message: expect.stringMatching(/^abl_isolation: /) }),
    );
    expect(() => checkDetectRequest(runOf('tabular'), ['activation_clustering'], { acReclassificationThreshold: -1 })).toThrow(
      expect.objectContaining({ code: 'E_OPTION', message: expect.stringMatching(/^activation_clustering: /) }),
    );
    // a setting of a defence not asked for is not its concern
    expect(() => checkDetectRequest(runOf('tabular'), ['spectral'], { stripBlends: 0 })).not.toThrow();
  });

  it('refuses to retrain a run whose metadata records no training configuration', () => {
    expect(() => checkDetectRequest(runOf('tabular', 'mlp', null), ['input_screening'], { retrain: true })).toThrow(
      expect.objectContaining({
        code: 'E_DETECT_NEEDS',
        name: 'InputError',
        message: expect.stringMatching(/^removal and retraining \(--retrain\) retrains .* re-run the cell/),
      }),
    );
    expect(() => checkDetectRequest(runOf('tabular', 'mlp', null), ['abl_isolation'], {})).toThrow(
      expect.objectContaining({ code: 'E_DETECT_NEEDS', message: expect.stringMatching(/^abl_isolation /) }),
    );
    expect(() => checkDetectRequest(runOf('tabular', 'mlp', null), ['spectral'], {})).not.toThrow();
  });
});
