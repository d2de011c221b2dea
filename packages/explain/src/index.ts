/**
 * @ehr-backdoor/explain — integrated gradients (Captum-faithful) and attribution drift between the
 * clean and triggered versions of the same stays.
 */
export { integratedGradients, validateIgOptions, trainMeanBaseline, targetValues, DEFAULT_STEPS, DEFAULT_INTERNAL_BATCH_SIZE } from './lib/integrated-gradients.js';
export type { IntegratedGradientsOptions, IgResult, IgBaseline } from './lib/integrated-gradients.js';
export { quadrature, gaussLegendre, IG_METHODS } from './lib/quadrature.js';
export type { IgMethod, Quadrature } from './lib/quadrature.js';
export { selectTarget, DEFAULT_TARGET } from './lib/target.js';
export type { IgTarget } from './lib/target.js';
