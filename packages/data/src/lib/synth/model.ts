import { ITEM_CALIBRATION, QUANTILE_GRID } from './calibration.js';
import { DiscreteMap, QuantileMap } from './sampling.js';
import { BugError } from '@ehr-backdoor/core';

/**
 * The generative model of a synthetic ICU stay (see docs/synthetic.md):
 *
 *   age ─┐
 *   severity s ~ N(0,1), trend d ~ N(0,1) ──▶ S(t) = s + TREND·d·min(t, 72 h)/24 h (+ terminal decline)
 *        │                                        │
 *        │                      organ systems o_k(t) = ρ_k·S(t) + √(1−ρ_k²)·η_k   (η_k per stay)
 *        │                                        │
 *        │          item latent z(t) = ±λ·o_k(t) + α·u (per stay) + √(1−λ²−α²)·ε(t) (AR(1) in hours)
 *        │                                        │
 *        │                   value = calibrated inverse CDF of the demo (quantile grid or PMF) at z
 *        ▼
 *   in-hospital death ~ Bernoulli(logistic(β0 + βs·s + βd·d + βa·(age − 65)/15))
 *
 * Every item's latent is close to N(0, 1), so its marginal stays the demo's whatever the loadings; the
 * loadings decide how much of the death signal each item carries.
 */

export type Organ = 'cardio' | 'resp' | 'renal' | 'liver' | 'neuro' | 'inflam' | 'none';
export const ORGANS: readonly Organ[] = ['cardio', 'resp', 'renal', 'liver', 'neuro', 'inflam', 'none'];

/** Correlation of each organ system with overall severity. */
export const ORGAN_RHO: Readonly<Record<Organ, number>> = {
  cardio: 0.82,
  resp: 0.75,
  renal: 0.7,
  liver: 0.6,
  neuro: 0.75,
  inflam: 0.65,
  none: 0,
};

/** Death model. β0 is set so that ≈ 12 % of cohort stays (after the exclusions) die in hospital. */
export const DEATH_MODEL = {
  intercept: -3.8,
  severity: 2.4,
  trend: 1.0,
  agePer15Years: 0.35,
} as const;

/** Drift of severity per 24 h per unit of trend (capped at 72 h), and the decline in the 36 h before death. */
export const TREND_PER_DAY = 0.7;
export const TERMINAL_DECLINE = 0.8;
export const TERMINAL_HOURS = 36;

export interface ItemModel {
  /** Key in ITEM_CALIBRATION. */
  readonly key: string;
  readonly organ: Organ;
  /** +1 when the item rises with organ dysfunction, −1 when it falls. */
  readonly sign: 1 | -1;
  /** λ: loading on the organ system. */
  readonly loading: number;
  /** α: weight of the per-stay (patient baseline) component. */
  readonly stay: number;
  /** Hour-to-hour autocorrelation of the measurement noise. */
  readonly phi: number;
  readonly decimals: number;
  /** Items sharing a group share one latent (sbp/dbp/mbp, the GCS components, hemoglobin/hematocrit). */
  readonly group?: string;
}

const item = (
  key: string,
  organ: Organ,
  sign: 1 | -1,
  loading: number,
  stay: number,
  phi: number,
  decimals: number,
  group?: string,
): ItemModel => ({ key, organ, sign, loading, stay, phi, decimals, ...(group ? { group } : {}) });

export const ITEM_MODELS: readonly ItemModel[] = [
  item('heart_rate', 'cardio', 1, 0.5, 0.5, 0.85, 0),
  item('abp_sys', 'cardio', -1, 0.5, 0.5, 0.85, 0, 'bp'),
  item('abp_dia', 'cardio', -1, 0.5, 0.5, 0.85, 0, 'bp'),
  item('abp_mean', 'cardio', -1, 0.5, 0.5, 0.85, 0, 'bp'),
  item('nbp_sys', 'cardio', -1, 0.5, 0.5, 0.85, 0, 'bp'),
  item('nbp_dia', 'cardio', -1, 0.5, 0.5, 0.85, 0, 'bp'),
  item('nbp_mean', 'cardio', -1, 0.5, 0.5, 0.85, 0, 'bp'),
  item('resp_rate', 'resp', 1, 0.45, 0.45, 0.8, 0),
  item('spo2', 'resp', -1, 0.4, 0.4, 0.8, 0),
  item('temperature_f', 'inflam', 1, 0.35, 0.45, 0.85, 1),
  item('gcs_eye', 'neuro', -1, 0.6, 0.55, 0.9, 0, 'gcs'),
  item('gcs_verbal', 'neuro', -1, 0.6, 0.55, 0.9, 0, 'gcs'),
  item('gcs_motor', 'neuro', -1, 0.6, 0.55, 0.9, 0, 'gcs'),
  item('fio2', 'resp', 1, 0.5, 0.45, 0.9, 0),
  item('glucose_fingerstick', 'inflam', 1, 0.25, 0.5, 0.8, 0, 'glucose'),
  item('glucose', 'inflam', 1, 0.25, 0.5, 0.8, 0, 'glucose'),
  item('weight', 'none', 1, 0, 0.98, 0.99, 1),
  item('height', 'none', 1, 0, 0.98, 0.99, 0),
  item('creatinine', 'renal', 1, 0.55, 0.6, 0.97, 1),
  item('sodium', 'none', 1, 0, 0.55, 0.95, 0),
  item('potassium', 'renal', 1, 0.3, 0.35, 0.9, 1),
  item('chloride', 'none', 1, 0, 0.5, 0.95, 0),
  item('bicarbonate', 'cardio', -1, 0.45, 0.45, 0.95, 0),
  item('bun', 'renal', 1, 0.5, 0.65, 0.97, 0),
  item('hemoglobin', 'inflam', -1, 0.2, 0.7, 0.97, 1, 'hb'),
  item('hematocrit', 'inflam', -1, 0.2, 0.7, 0.97, 1, 'hb'),
  item('wbc', 'inflam', 1, 0.45, 0.55, 0.95, 1),
  item('platelets', 'liver', -1, 0.4, 0.65, 0.97, 0),
  item('lactate', 'cardio', 1, 0.55, 0.3, 0.9, 1),
  item('ph', 'cardio', -1, 0.45, 0.3, 0.85, 2),
  item('po2', 'resp', -1, 0.35, 0.3, 0.8, 0),
  item('pco2', 'resp', 1, 0.2, 0.4, 0.85, 0),
  item('bilirubin', 'liver', 1, 0.5, 0.7, 0.98, 1),
  item('albumin', 'liver', -1, 0.4, 0.7, 0.98, 1),
  item('inr', 'liver', 1, 0.45, 0.55, 0.95, 1),
  item('anion_gap', 'cardio', 1, 0.45, 0.4, 0.9, 0),
  item('calcium', 'liver', -1, 0.25, 0.5, 0.95, 1),
  item('magnesium', 'none', 1, 0, 0.4, 0.9, 1),
  item('phosphate', 'renal', 1, 0.4, 0.5, 0.95, 1),
];

/** An item model with its calibrated value map, resolved once. */
export interface ResolvedItem extends ItemModel {
  readonly index: number;
  readonly groupIndex: number;
  readonly noise: number;
  value(z: number): number;
}

export function resolveItems(): { items: readonly ResolvedItem[]; byKey: ReadonlyMap<string, ResolvedItem>; groups: number } {
  const groupIds = new Map<string, number>();
  const items = ITEM_MODELS.map((model, index): ResolvedItem => {
    const calibration = ITEM_CALIBRATION[model.key];
    if (!calibration) throw new BugError(`no calibration for ${model.key}`);
    const map = calibration.pmf
      ? new DiscreteMap(calibration.pmf.values, calibration.pmf.p)
      : new QuantileMap(QUANTILE_GRID, calibration.quantiles ?? [], 0);
    const groupKey = model.group ?? model.key;
    if (!groupIds.has(groupKey)) groupIds.set(groupKey, groupIds.size);
    const noise = Math.sqrt(Math.max(0, 1 - model.loading ** 2 - model.stay ** 2));
    return { ...model, index, groupIndex: groupIds.get(groupKey) ?? 0, noise, value: (z: number) => map.value(z) };
  });
  return { items, byKey: new Map(items.map((i) => [i.key, i])), groups: groupIds.size };
}
