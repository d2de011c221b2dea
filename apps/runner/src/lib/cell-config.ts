import type { DetectorName, ModelRepairName } from '@ehr-backdoor/detect/names';
import type { PoisonMode, TriggerName } from '@ehr-backdoor/poison/names';
import type { BackendChoice, ModelConfig, TrainConfig } from '@ehr-backdoor/train/names';
import type { ThresholdRule } from '@ehr-backdoor/metrics';
import type { RateBasis } from '@ehr-backdoor/poison';
import type { CellKey } from './grid.js';
import type { RunOptions } from './run-options.js';
import type { RunnerCode } from './error-codes.js';

/**
 * Everything one cell runs with, resolved: what a study (or `run`, or an old plan's shared options)
 * decides for that cell. The plan carries one per cell, so a Slurm task or a worker needs nothing else;
 * a new study key reaches the cell by becoming a field here, set in study/cells.ts.
 */
export interface AttackConfig {
  readonly trigger: TriggerName;
  /** Every parameter explicit (poison's `resolveTrigger`). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly target: 0 | 1;
  readonly mode: PoisonMode;
}

export interface ExplainConfig {
  readonly maxStays: number;
  readonly steps?: number;
  /** Also write the raw attributions, baselines and convergence deltas to RUN/attributions.arrow. */
  readonly saveAttributions?: boolean;
}

/** How the defender runs the detectors: the settings a study's `analyses.detect` and `detect`'s flags share. */
export interface DefenceSettings {
  /**
   * The defender's assumed contamination in (0, 0.5), default 0.01: how many stays each detector flags.
   * Never the plan's true poison count, which only scores the detectors.
   */
  readonly assumedContamination?: number;
  /** Blends per test stay of STRIP's test-time screen (run with the strip detector). Default 100. */
  readonly stripBlends?: number;
  /** Neural-Cleanse-style trigger reconstruction on the validation stays (model-level, not a stay ranking). */
  readonly reconstructTrigger?: boolean;
  /** Epochs of the early model abl_isolation reads per-stay losses from. Default 2. */
  readonly ablEpochs?: number;
  /** abl_isolation: isolate the 'low' (default, the paper's) or 'high' loss tail. */
  readonly ablTail?: 'low' | 'high';
  /** Activation clustering's reduction. Default 'ica' (the paper's). */
  readonly acReduction?: 'ica' | 'pca';
  /** When given, activation clustering's exclusionary reclassification with this ratio threshold (retrains once per flagged cluster). */
  readonly acReclassificationThreshold?: number;
}

export interface DetectConfig extends DefenceSettings {
  readonly detectors: readonly (DetectorName | ModelRepairName)[];
  readonly retrain: boolean;
  /** Options handed to each detector as they are. */
  readonly options?: Readonly<Partial<Record<DetectorName | ModelRepairName, Readonly<Record<string, unknown>>>>>;
}

export interface CellConfig {
  /** Names of the variants (the run folder's first two levels); the model kind and trigger name when no study named them. */
  readonly modelVariant: string;
  readonly attackVariant: string;
  readonly model: ModelConfig;
  readonly training: TrainConfig;
  /** For a clean (rate 0) cell, trigger `none` and the study's default target and mode. */
  readonly attack: AttackConfig;
  readonly backend: BackendChoice;
  /** How the operating threshold is chosen on the validation split; absent: FPR 5 % on the non-target class. */
  readonly thresholdRule?: ThresholdRule;
  /** What the poison rate is a share of; absent: `eligible`. */
  readonly rateBasis?: RateBasis;
  readonly explain: ExplainConfig | false;
  readonly detect: DetectConfig | false;
  /** Clean cells: each attack of the model variant, evaluated on the clean model (`asr@{name}`). */
  readonly baselines: readonly (AttackConfig & { readonly name: string })[];
}

/** A cell of a plan: its folder coordinates, and (plans written by `study`) its configuration and identity. */
export interface PlannedCell extends CellKey {
  readonly config?: CellConfig;
  /** Hash of everything that changes the cell's result (study/cells.ts). */
  readonly hash?: string;
}

/**
 * The configuration of a cell of a plan written before cells carried their own (`sweep` before study
 * files, and `run`): the shared options, every trigger and model at its defaults.
 */
export async function cellConfigFromOptions(cell: CellKey, options: RunOptions): Promise<CellConfig> {
  const { resolveModelConfig, resolveTrainConfig, MODEL_KINDS } = await import('@ehr-backdoor/train/names');
  const { resolveTrigger, isTriggerName, POISON_MODES } = await import('@ehr-backdoor/poison/names');
  const { DETECTOR_NAMES } = await import('@ehr-backdoor/detect/names');
  const { BACKEND_CHOICES } = await import('@ehr-backdoor/train/names');
  const { InputError } = await import('@ehr-backdoor/core');
  const kind = MODEL_KINDS.find((k) => k === cell.model);
  if (!kind) throw new InputError<RunnerCode>('E_UNKNOWN_MODEL', `Unknown model "${cell.model}": choose from ${MODEL_KINDS.join(', ')}.`);
  const backend = BACKEND_CHOICES.find((b) => b === options.backend);
  if (!backend)
    throw new InputError<RunnerCode>('E_BACKEND', `Unknown backend "${options.backend}": choose from ${BACKEND_CHOICES.join(', ')}.`);
  const mode = POISON_MODES.find((m) => m === options.mode);
  if (!mode)
    throw new InputError<RunnerCode>('E_POISON_MODE', `Unknown poisoning mode "${options.mode}": choose from ${POISON_MODES.join(', ')}.`);
  const target = options.targetLabel === 0 ? 0 : 1;
  const attackOf = (name: string) => {
    if (!isTriggerName(name)) throw new InputError<RunnerCode>('E_UNKNOWN_TRIGGER', `Unknown trigger "${name}".`);
    return { trigger: name, params: resolveTrigger(name, {}).params as Readonly<Record<string, unknown>>, target, mode } as const;
  };
  const detectors = (options.detectors?.length ? options.detectors : DETECTOR_NAMES).map((d) => {
    const name = DETECTOR_NAMES.find((n) => n === d);
    if (!name) throw new InputError<RunnerCode>('E_DETECT_UNKNOWN', `Unknown detector "${d}": choose from ${DETECTOR_NAMES.join(', ')}.`);
    return name;
  });
  return {
    modelVariant: cell.model,
    attackVariant: cell.trigger,
    model: resolveModelConfig({ kind }),
    training: resolveTrainConfig({
      epochs: options.epochs,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.learningRate ? { learningRate: options.learningRate } : {}),
      ...(options.patience !== undefined ? { patience: options.patience } : {}),
      selection: options.selection ?? 'best',
    }),
    attack: attackOf(cell.trigger),
    backend,
    ...(options.thresholdRule ? { thresholdRule: options.thresholdRule } : {}),
    ...(options.rateBasis ? { rateBasis: options.rateBasis } : {}),
    explain: options.explain ? { maxStays: 200, ...(options.saveAttributions ? { saveAttributions: true } : {}) } : false,
    detect: options.detect
      ? {
          detectors,
          retrain: options.retrain,
          ...(options.assumedContamination !== undefined ? { assumedContamination: options.assumedContamination } : {}),
        }
      : false,
    baselines: cell.rate === 0 ? (options.baselineTriggers ?? []).map((name) => ({ name, ...attackOf(name) })) : [],
  };
}
