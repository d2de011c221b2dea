/**
 * @ehr-backdoor/explain — integrated gradients (Captum-faithful) and attribution drift between the
 * clean and triggered versions of the same stays.
 *
 * @packageDocumentation
 */
export {
  integratedGradients,
  trainMeanBaseline,
  targetValues,
  DEFAULT_STEPS,
  DEFAULT_INTERNAL_BATCH_SIZE,
} from './lib/integrated-gradients.js';
export type { IntegratedGradientsOptions, IgResult, IgBaseline } from './lib/integrated-gradients.js';
export { quadrature, gaussLegendre, IG_METHODS } from './lib/quadrature.js';
export type { IgMethod, Quadrature } from './lib/quadrature.js';
export { selectTarget, DEFAULT_TARGET } from './lib/target.js';
export type { IgTarget } from './lib/target.js';
export { explainAttributionDrift } from './lib/explain-drift.js';
export type { ExplainDriftOptions, ExplainDriftResult, ExplainColumns } from './lib/explain-drift.js';
export { attributionDrift, DEFAULT_TOP_K } from './lib/attribution-drift.js';
export type { AttributionDriftInput, AttributionDrift, DriftColumns } from './lib/attribution-drift.js';
export { kendallTauB, topKOverlap, topKIndices } from './lib/rank-agreement.js';
export { attentionShift, jensenShannon } from './lib/attention-shift.js';
export type { AttentionShift } from './lib/attention-shift.js';
export { triggerMaskFromDiff, tabularTriggerMask, timeSeriesTriggerMask, timeSeriesChannelGroups } from './lib/trigger-mask.js';
export { meanModelInput } from './lib/mean-model-input.js';
export { explainModelDrift } from './lib/model-drift.js';
export type { ModelDriftOptions, ModelDriftResult } from './lib/model-drift.js';
export { toExplainJson } from './lib/report.js';
export type { ExplainJson } from './lib/report.js';
