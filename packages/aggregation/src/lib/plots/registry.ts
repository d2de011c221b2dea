import type { PlotDefinition } from './base.js';
import { attributionHeatmapTabular, attributionHeatmapTimeSeries } from './attribution-heatmaps.js';
import { cohortFlow } from './cohort-flow.js';
import { detectionRocCurves, detectorScoreDistributions } from './detector-score-plots.js';
import { prCurves, rocCurves } from './curve-plots.js';
import { reliabilityDiagrams } from './reliability-plot.js';
import { trainingCurves } from './training-curves.js';
import { asrAfterDefence, detectionAurocHeatmap } from './detection-plots.js';
import { asrVsRate, attributionRatioVsRate, cleanAurocDropVsRate, confidenceShiftVsRate } from './line-plots.js';
import { asrVsAurocDrop, eceCleanVsPoisoned } from './scatter-plots.js';

/** Every plot of a study, in the order the report shows them (grouped by section, in PLOT_SECTIONS order). */
export const PLOTS: readonly PlotDefinition[] = [
  // Attack
  asrVsRate,
  confidenceShiftVsRate,
  asrVsAurocDrop,
  // Clean performance and calibration
  cleanAurocDropVsRate,
  eceCleanVsPoisoned,
  rocCurves,
  prCurves,
  reliabilityDiagrams,
  // Training
  trainingCurves,
  // Explanations
  attributionRatioVsRate,
  attributionHeatmapTimeSeries,
  attributionHeatmapTabular,
  // Detection and defence
  detectionAurocHeatmap,
  asrAfterDefence,
  detectorScoreDistributions,
  detectionRocCurves,
  // Data
  cohortFlow,
];
