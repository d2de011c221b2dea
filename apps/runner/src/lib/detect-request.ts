import { InputError } from '@ehr-backdoor/core';
import type { DetectorName } from '@ehr-backdoor/detect';
import type { DefenceSettings } from './cell-config.js';
import type { RunContext } from './run-context.js';
import type { RunnerCode } from './error-codes.js';

/** What {@link checkDetectRequest} reads of a detect request. */
export interface DetectRequest extends DefenceSettings {
  readonly detectorOptions?: Readonly<Partial<Record<DetectorName, Readonly<Record<string, unknown>>>>>;
  readonly retrain?: boolean;
}

/** input_screening components that read hourly values: only models of the time-series view have them. */
const HOURLY_COMPONENTS = ['temporal'];

/**
 * Everything a detect request can be refused for, checked before any model is trained or file written:
 * settings out of range, a defence asked of a model whose view it cannot read, a run without what a
 * defence needs. Each message names the defence and what to do.
 * @throws InputError `E_OPTION`, `E_DETECT_UNSUPPORTED` or `E_DETECT_NEEDS`.
 */
export function checkDetectRequest(
  run: Pick<RunContext, 'runDir' | 'model' | 'modelConfig' | 'trainConfig'>,
  detectors: readonly DetectorName[],
  request: DetectRequest,
): void {
  const positiveInteger = (value: number | undefined, what: string, defence: string) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1))
      throw new InputError<RunnerCode>('E_OPTION', `${defence}: ${what} must be an integer ≥ 1; got ${String(value)}.`);
  };
  if (detectors.includes('strip'))
    positiveInteger(request.stripBlends, 'the blends per test stay (--strip-blends, analyses.detect.stripBlends)', 'strip');
  if (detectors.includes('abl_isolation'))
    positiveInteger(request.ablEpochs, 'the early model’s epochs (--abl-epochs, analyses.detect.ablEpochs)', 'abl_isolation');
  const threshold = request.acReclassificationThreshold;
  if (detectors.includes('activation_clustering') && threshold !== undefined && !(Number.isFinite(threshold) && threshold > 0)) {
    throw new InputError<RunnerCode>(
      'E_OPTION',
      `activation_clustering: the exclusionary-reclassification threshold must be a positive ratio, e.g. 1; got ${String(threshold)}.`,
    );
  }
  const view = run.model.normalisation.view;
  const components = request.detectorOptions?.input_screening?.['components'];
  if (detectors.includes('input_screening') && Array.isArray(components) && view !== 'timeseries') {
    const hourly = components.filter((c) => HOURLY_COMPONENTS.includes(String(c)));
    if (hourly.length) {
      throw new InputError<RunnerCode>(
        'E_DETECT_UNSUPPORTED',
        `input_screening: the '${hourly.join("', '")}' component reads hourly values, and the ${run.modelConfig.kind} model of ${run.runDir} reads the tabular view. ` +
          'Drop it from the input_screening options (analyses.detect.options.input_screening.components), or screen an lstm or tcn run.',
      );
    }
  }
  const retrains = request.retrain || detectors.includes('abl_isolation') || request.acReclassificationThreshold !== undefined;
  if (retrains && !(Number.isInteger(run.trainConfig?.epochs) && run.trainConfig.epochs >= 1)) {
    const who = request.retrain
      ? 'removal and retraining (--retrain)'
      : detectors.includes('abl_isolation')
        ? 'abl_isolation'
        : 'activation_clustering’s reclassification';
    throw new InputError<RunnerCode>(
      'E_DETECT_NEEDS',
      `${who} retrains the run's model, but ${run.runDir}/run_metadata.json records no training configuration (config.train.epochs); re-run the cell with this ehr-backdoor.`,
    );
  }
}
