import type { PlotDefinition } from './base.js';
import { cohortFlow } from './cohort-flow.js';
import { asrAfterDefence, detectionAurocHeatmap } from './detection-plots.js';
import { asrVsRate, attributionRatioVsRate, cleanAurocDropVsRate, confidenceShiftVsRate } from './line-plots.js';
import { asrVsAurocDrop, eceCleanVsPoisoned } from './scatter-plots.js';

/** Every plot of a study, in the order the report shows them. */
export const PLOTS: readonly PlotDefinition[] = [
  asrVsRate,
  cleanAurocDropVsRate,
  confidenceShiftVsRate,
  eceCleanVsPoisoned,
  asrVsAurocDrop,
  detectionAurocHeatmap,
  asrAfterDefence,
  attributionRatioVsRate,
  cohortFlow,
];
