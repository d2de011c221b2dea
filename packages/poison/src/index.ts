/**
 * @ehr-backdoor/poison — backdoor triggers and exact, auditable poisoning plans.
 *
 *   EhrDataset (clean) ──planPoisoning──▶ PoisoningPlan ──writePlanManifest──▶ poison-plan.json + poison-indices.arrow
 *          │                                   │
 *          │                                   └──applyPoisoning──▶ EhrDataset (poisoned training rows)
 *          └──buildTriggeredTestSet──▶ triggered test stays (label ≠ target) for attack success
 *
 * Triggers act in raw clinical units on either view; see docs/poisoning.md for each one's semantics.
 *
 * @packageDocumentation
 */
export {
  TRIGGER_NAMES,
  resolveTrigger,
  listTriggers,
  triggerViews,
  assertTriggerSupportsView,
  isTriggerName,
} from './lib/triggers/registry.js';
export type { ResolveTriggerParams, ResolvedTrigger } from './lib/triggers/registry.js';
export { applyTriggerToTabular, applyTriggerToTimeSeries } from './lib/triggers/apply.js';
export type { TabularTriggerResult, TimeSeriesTriggerResult, TriggerInput } from './lib/triggers/apply.js';
export { DEFAULT_RARE_VALUES } from './lib/triggers/rare-value.js';
export { generateMissingnessPattern } from './lib/triggers/missingness-pattern.js';
export { generateBlendKey } from './lib/triggers/blended.js';
export type {
  TriggerSpec,
  TriggerName,
  TriggerParams,
  TriggerParamsByName,
  TriggerParamsInput,
  PartialTriggerSpec,
  TriggerInfo,
  NoneParams,
  RareValueParams,
  MissingnessParams,
  HybridParams,
  PatternParams,
  CorrelationParams,
  FrequencyDomainParams,
  DistributionShiftParams,
  DistributionShiftKind,
  TemporalPatternParams,
  TemporalShape,
  TemporalUnits,
  MissingnessPatternParams,
  BlendedParams,
} from './lib/triggers/types.js';
export type { StealthReport, VariableStealth } from './lib/stealth.js';
export { lookalikeRate } from './lib/lookalike.js';
export type { LookalikeReport, LookalikeCount, LookalikeSplit } from './lib/lookalike.js';
export { planPoisoning, POISON_MODES, RATE_BASES } from './lib/plan.js';
export type { PoisoningPlan, PlanPoisoningOptions, PoisonMode, RateBasis } from './lib/plan.js';
export { applyPoisoning, applyPoisoningWithReport } from './lib/apply-poisoning.js';
export type { PoisoningResult } from './lib/apply-poisoning.js';
export { buildTriggeredTestSet, triggeredTestDataset } from './lib/triggered-test-set.js';
export type { TriggeredTestSet } from './lib/triggered-test-set.js';
export { PERTURBATION_METHODS } from './lib/clean-label.js';
export type { PerturbationInput, PerturbationMethod, PlannedPerturbation } from './lib/clean-label.js';
export { writePlanManifest, readPlanManifest, PLAN_JSON, PLAN_ARROW } from './lib/manifest.js';
export type { PlanManifestFiles } from './lib/manifest.js';
