import { lineWithBand, pointsOf, type PlotDefinition } from './base.js';
import { seedPointsOf } from './seed-points.js';

/** The line-and-band plots against the poison rate: one metric each, faceted by trigger, coloured by model. */
export const asrVsRate: PlotDefinition = {
  name: 'asr_vs_rate',
  section: 'Attack',
  title: 'Attack success rate vs poison rate',
  description:
    'Share of triggered test stays whose true label is not the target that the model predicts as the target, at each model’s operating threshold (chosen on its clean validation split, default: 5 % false positives among non-target stays); rate 0 is the clean model’s ASR for that trigger. Lines are means over seeds, bands their 95 % confidence intervals, dots the seeds.',
  build: (input) => {
    const points = pointsOf(input, 'asr');
    if (points.length === 0) return { skipped: 'no run of a trigger (the clean `none` cells aside) has an ASR' };
    return {
      spec: lineWithBand(points, {
        title: 'Attack success rate vs poison rate',
        yTitle: 'ASR',
        yDomain: [0, 1],
        seeds: seedPointsOf(input, 'asr'),
      }),
    };
  },
};

export const cleanAurocDropVsRate: PlotDefinition = {
  name: 'clean_auroc_drop_vs_rate',
  section: 'Clean performance and calibration',
  title: 'Clean-AUROC drop vs poison rate',
  description:
    'AUROC of the matching clean run (same model and seed, rate 0) minus the poisoned run’s AUROC, on the clean test set: how much the attack costs the model’s ordinary performance. Positive means worse.',
  build: (input) => {
    const points = pointsOf(input, 'auroc_drop_vs_clean', (r) => r.poison_rate > 0);
    if (points.length === 0) return { skipped: 'no poisoned run has a matching clean run with an AUROC' };
    return {
      spec: lineWithBand(points, {
        title: 'Clean-AUROC drop vs poison rate',
        yTitle: 'AUROC drop (clean − poisoned)',
        zeroRule: true,
        seeds: seedPointsOf(input, 'auroc_drop_vs_clean', (r) => r.poison_rate > 0),
      }),
    };
  },
};

export const confidenceShiftVsRate: PlotDefinition = {
  name: 'confidence_shift_vs_rate',
  section: 'Attack',
  title: 'Confidence shift vs poison rate',
  description:
    'Mean p(target) on triggered minus untriggered copies of the same test stays: how far the trigger pushes the model towards the target label.',
  build: (input) => {
    const points = pointsOf(input, 'confidence_shift');
    if (points.length === 0) return { skipped: 'no run has a confidence shift' };
    return {
      spec: lineWithBand(points, {
        title: 'Confidence shift vs poison rate',
        yTitle: 'Δ p(target)',
        zeroRule: true,
        seeds: seedPointsOf(input, 'confidence_shift'),
      }),
    };
  },
};

export const attributionRatioVsRate: PlotDefinition = {
  name: 'trigger_attribution_ratio_vs_rate',
  section: 'Explanations',
  title: 'Trigger attribution ratio vs poison rate',
  description:
    'Share of the integrated-gradients attribution that falls on the trigger features for triggered stays (from `ehr-backdoor explain`): how visible the backdoor is in the explanations.',
  build: (input) => {
    const points = pointsOf(input, 'explain_trigger_attribution_ratio');
    if (points.length === 0) return { skipped: 'no run has explain_trigger_attribution_ratio (run the sweep with --explain)' };
    return {
      spec: lineWithBand(points, {
        title: 'Trigger attribution ratio vs poison rate',
        yTitle: 'trigger attribution ratio',
        seeds: seedPointsOf(input, 'explain_trigger_attribution_ratio'),
      }),
    };
  },
};
