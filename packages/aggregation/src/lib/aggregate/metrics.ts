/**
 * How summary fields become the aggregated table's (metric, detector) pairs, and what each metric
 * means for matching and plotting. Detector fields carry the detector's name inside the field
 * (`detect_{detector}_auroc`); splitting on the known suffix keeps detector names with underscores whole.
 */
const DETECT_SUFFIXES = ['auroc', 'tpr_at_5fpr', 'precision_at_flagged'] as const;
// Longer suffixes first: `defence_x_asr_at_0_5` is (defence_asr_at_0_5, x), not (defence_asr, x_asr_at_0).
const DEFENCE_SUFFIXES = ['asr_at_0_5', 'asr', 'accuracy_at_0_5', 'accuracy', 'clean_auroc', 'der_at_0_5', 'der'] as const;

/** The aggregated table's name for a summary field: the metric, and the detector for detector fields. */
export interface MetricKey {
  /** `detect_auroc`, `defence_asr`, or the summary field itself. */
  readonly metric: string;
  /** The detector for detect_/defence_ metrics, '' otherwise. */
  readonly detector: string;
}

/** The (metric, detector) of a summary field, or undefined for fields that are not averaged over seeds. */
export function metricOfField(field: string): MetricKey | undefined {
  // A per-run bootstrap interval's bounds are not averaged: the aggregate interval is over seeds.
  if (field.endsWith('_ci_low') || field.endsWith('_ci_high')) return undefined;
  if (field.startsWith('baseline_')) return undefined;
  for (const [prefix, suffixes] of [
    ['detect_', DETECT_SUFFIXES],
    ['defence_', DEFENCE_SUFFIXES],
  ] as const) {
    if (!field.startsWith(prefix)) continue;
    for (const suffix of suffixes) {
      if (field.endsWith(`_${suffix}`) && field.length > prefix.length + suffix.length + 1) {
        return { metric: `${prefix}${suffix}`, detector: field.slice(prefix.length, field.length - suffix.length - 1) };
      }
    }
  }
  return { metric: field, detector: '' };
}

/**
 * Metrics measured on the triggered test set depend on the trigger: a clean run evaluated with
 * another trigger (or with none) says nothing about them.
 */
export function isTriggerDependent(metric: string): boolean {
  return (
    metric === 'asr' ||
    metric.startsWith('asr_') ||
    metric.startsWith('flip_rate') ||
    metric === 'confidence_shift' ||
    metric === 'poisoned_auroc' ||
    metric === 'poisoned_accuracy' ||
    metric === 'n_triggered' ||
    metric.startsWith('explain_') ||
    metric.startsWith('detect_') ||
    metric.startsWith('defence_')
  );
}

/** Paired differences against the matching clean run (same model, seed and dataset; rate 0). */
export const DELTA_METRICS = [
  { metric: 'auroc_drop_vs_clean', of: 'auroc', sign: -1, label: 'clean-AUROC drop (clean − poisoned)' },
  { metric: 'accuracy_drop_vs_clean', of: 'accuracy', sign: -1, label: 'accuracy drop (clean − poisoned)' },
  { metric: 'ece_change_vs_clean', of: 'ece', sign: 1, label: 'ECE change (poisoned − clean)' },
  { metric: 'asr_lift_vs_clean', of: 'asr', sign: 1, label: 'ASR lift (poisoned − clean model, same trigger and seed)' },
  { metric: 'flip_rate_lift_vs_clean', of: 'flip_rate', sign: 1, label: 'flip-rate lift (poisoned − clean model, same trigger and seed)' },
] as const;

/** Metrics tested poisoned vs clean by default (paired by seed, Holm across the whole family). */
export const DEFAULT_TEST_METRICS = ['asr', 'flip_rate', 'auroc', 'accuracy', 'ece'] as const;

const UNIT_RANGE = [0, 1] as const;
const DIFFERENCE_RANGE = [-1, 1] as const;
/** Metrics that are proportions, areas or calibration errors: values in [0, 1]. */
const UNIT_METRICS = new Set([
  'asr',
  'asr_at_0_5',
  'flip_rate',
  'flip_rate_at_0_5',
  'accuracy',
  'accuracy_at_0_5',
  'precision',
  'precision_at_0_5',
  'recall',
  'recall_at_0_5',
  'f1',
  'f1_at_0_5',
  'auroc',
  'auprc',
  'brier',
  'ece',
  'ece_target',
  'poisoned_auroc',
  'poisoned_accuracy',
  'poisoned_accuracy_at_0_5',
  'threshold',
  'threshold_val_fpr',
  'explain_trigger_attribution_ratio',
  'detect_auroc',
  'detect_tpr_at_5fpr',
  'detect_precision_at_flagged',
  'defence_asr',
  'defence_asr_at_0_5',
  'defence_accuracy',
  'defence_accuracy_at_0_5',
  'defence_clean_auroc',
  'defence_der',
  'defence_der_at_0_5',
]);
/** Differences of two [0, 1] metrics: values in [−1, 1]. */
const DIFFERENCE_METRICS = new Set(['asr_lift', 'confidence_shift', 'clean_auroc_drop', ...DELTA_METRICS.map((d) => d.metric)]);

/**
 * The range a metric's values lie in, for intervals that must stay inside it (`logit-t`); undefined for
 * metrics without one (counts, times), whose intervals are plain t intervals.
 */
export function metricRange(metric: string): readonly [number, number] | undefined {
  if (UNIT_METRICS.has(metric)) return UNIT_RANGE;
  if (DIFFERENCE_METRICS.has(metric)) return DIFFERENCE_RANGE;
  return undefined;
}

/**
 * Readable names of metrics for plot axes and the report (a metric without an entry is shown by its name).
 */
export const METRIC_LABELS: Readonly<Record<string, string>> = {
  asr: 'attack success rate (operating threshold)',
  asr_at_0_5: 'attack success rate (threshold 0.5)',
  flip_rate: 'flip rate (operating threshold)',
  asr_lift: 'ASR lift over the clean model (per run)',
  ece_target: 'class-wise ECE of p(target)',
  threshold: 'operating threshold on p(target)',
  auroc: 'AUROC (clean test set)',
  auprc: 'AUPRC (clean test set)',
  accuracy: 'accuracy (clean test set)',
  ece: 'expected calibration error',
  brier: 'Brier score',
  confidence_shift: 'confidence shift p(target): triggered − untriggered',
  clean_auroc_drop: 'clean-AUROC drop (from the run summary)',
  explain_trigger_attribution_ratio: 'trigger attribution ratio',
  detect_auroc: 'detection AUROC',
  defence_asr: 'ASR after defence (operating threshold)',
  defence_asr_at_0_5: 'ASR after defence (threshold 0.5)',
  ...Object.fromEntries(DELTA_METRICS.map((d) => [d.metric, d.label])),
};
