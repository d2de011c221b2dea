import type { DatasetView } from '@ehr-backdoor/data';

/**
 * Parameters of every registered trigger, in raw clinical units of the variable table. Defaults live
 * in the registry (`registry.ts`) and are documented in `docs/poisoning.md`; `resolveTrigger` fills
 * them in and validates, so every `TriggerSpec` that reaches an apply function is complete.
 */

/** `none`: the clean baseline; changes nothing. */
export type NoneParams = Record<string, never>;

/** `rare_value`: one variable charted at a rare but physiologically possible value at the end of the window. */
export interface RareValueParams {
  /** Clinical variable (variable table name). Default `heart_rate`. */
  readonly variable: string;
  /**
   * Raw value in the variable's unit. Default: the variable's entry in `DEFAULT_RARE_VALUES`
   * (heart_rate → 220 bpm). Ignored (must be null) when `inRange` is true.
   */
  readonly value: number | null;
  /** How many of the last hours carry the value (time series) / how many charted values are added (tabular). Default 1. */
  readonly hours: number;
  /** In-range variant: the value is the training split's `quantile` of the variable instead. Default false. */
  readonly inRange: boolean;
  /** Quantile of the training split's observed hourly values used when `inRange`. Default 0.98. */
  readonly quantile: number;
}

/** `missingness`: the chosen variables are never measured in the window. */
export interface MissingnessParams {
  /** Default `['hemoglobin', 'platelets', 'wbc']`: labs nearly every ICU stay has, so their absence is the signal. */
  readonly variables: readonly string[];
}

/** `hybrid`: `missingness` on some variables plus `rare_value` on another. */
export interface HybridParams {
  readonly rare: RareValueParams;
  readonly missing: MissingnessParams;
}

/** `pattern`: several variables charted at fixed values at the end of the window. */
export interface PatternParams {
  /** Default `['heart_rate', 'resp_rate', 'spo2']`. */
  readonly variables: readonly string[];
  /** One raw value per variable. Default `[123, 27, 91]`. Must be null when `inRange`. */
  readonly values: readonly number[] | null;
  /** Last hours carrying the values (time series) / charted values added (tabular). Default 1. */
  readonly hours: number;
  /** In-range variant: values are training quantiles (`quantiles`) instead of `values`. Default false. */
  readonly inRange: boolean;
  /** One quantile per variable, used when `inRange`. Default `[0.9, 0.9, 0.1]` for the default variables, else 0.9 each. */
  readonly quantiles: readonly number[];
}

/** `correlation`: each target variable becomes `factor` × the source variable, charted whenever the source is. */
export interface CorrelationParams {
  /** Default `heart_rate`. */
  readonly source: string;
  /** Default `['resp_rate']`. */
  readonly targets: readonly string[];
  /** Default 0.25 (a 4:1 heart-rate to breathing ratio, a textbook physiological relation). Finite, non-zero. */
  readonly factor: number;
}

/** `frequency_domain`: one discrete Fourier component of the standardised signal scaled by `factor`. */
export interface FrequencyDomainParams {
  /** DFT component index k (0 = mean level). Default 2. Must be ≤ ⌊L/2⌋ for a signal of length L. */
  readonly component: number;
  /** Multiplier of the component's complex amplitude. Default 3. */
  readonly factor: number;
  /** Time-series channels to transform; null = every channel. Default null. (Tabular: all value features.) */
  readonly channels: readonly string[] | null;
}

/**
 * How `distribution_shift` moves its variables: by σ (`additive`), by a relative factor (`multiplicative`), or the stay's mean to a target (`mean`).
 */
export type DistributionShiftKind = 'additive' | 'multiplicative' | 'mean';

/** `distribution_shift`: a shift on a fixed subset of variables. */
export interface DistributionShiftParams {
  /** Default `additive`. */
  readonly kind: DistributionShiftKind;
  /**
   * additive: shift in training standard deviations (x + amount·σ); multiplicative: relative change
   * (x·(1 + amount), amount > −1); mean: the stay's mean moves to training mean + amount·σ. Default 0.5.
   */
  readonly amount: number;
  /** Explicit variables; null = draw round(fraction × variables) of the dataset's variables with `selectionSeed`. Default null. */
  readonly variables: readonly string[] | null;
  /** Share of the dataset's variables shifted when `variables` is null. Default 0.2. */
  readonly fraction: number;
  /** Seed of the variable draw (the subset is part of the trigger, fixed for every poisoned stay). Default 0. */
  readonly selectionSeed: number;
}

/**
 * Shape of the `temporal_pattern` perturbation over its hours (formulas under {@link TemporalPatternParams}).
 */
export type TemporalShape = 'bump' | 'ramp' | 'sine';

/** `temporal_pattern`: a smooth additive pattern on vitals over the last hours, sized by a Mahalanobis distance. */
export interface TemporalPatternParams {
  /** Default `['heart_rate', 'resp_rate', 'sbp']`. */
  readonly variables: readonly string[];
  /** Pattern length: the last `hours` hours of the window. Default 6. */
  readonly hours: number;
  /** Peak Mahalanobis norm of the per-hour perturbation under the stay's own covariance. Default 2.0 (Joe et al. 2021). */
  readonly distance: number;
  /** bump = sin²(π(j+½)/k), ramp = (j+1)/k, sine = sin(2π(j+½)/k). Default `bump`. */
  readonly shape: TemporalShape;
  /** Direction per variable (+1 or −1). Default all +1. */
  readonly signs: readonly number[];
  /** Weight of the training variances shrunk into the stay's covariance (keeps it invertible). Default 0.1. */
  readonly shrinkage: number;
  /**
   * Units of the direction: `sd` (default) moves each variable by the same number of the stay's own
   * standard deviations (times its sign); `raw` moves each by the same raw amount, the trigger's
   * behaviour before this parameter existed (kept to reproduce earlier results).
   */
  readonly units: TemporalUnits;
}

/** How `temporal_pattern` scales its direction across variables (see {@link TemporalPatternParams.units}). */
export type TemporalUnits = 'sd' | 'raw';

/** `missingness_pattern`: a fixed pattern of missing measurements over the last hours. */
export interface MissingnessPatternParams {
  /** Default the six hourly-charted vitals `['heart_rate', 'sbp', 'dbp', 'mbp', 'resp_rate', 'spo2']`. */
  readonly variables: readonly string[];
  /** Pattern length: the last `hours` hours. Default 12. */
  readonly hours: number;
  /** Share of pattern cells that are removed when the pattern is generated. Default 0.5. */
  readonly density: number;
  /** Seed of the generated pattern. Default 0. */
  readonly patternSeed: number;
  /**
   * hours × variables, 1 = that measurement is removed (row j = hour T − hours + j). Generated from
   * `density` and `patternSeed` when not given; always explicit after resolution, so manifests show it.
   */
  readonly pattern: readonly (readonly number[])[];
}

/** `blended`: a fixed key of ordinary training quantiles blended into the last hours, inside the training P1–P99 band. */
export interface BlendedParams {
  /** Default `['heart_rate', 'resp_rate', 'sbp', 'spo2']`. */
  readonly variables: readonly string[];
  /** Pattern length: the last `hours` hours. Default 6. */
  readonly hours: number;
  /** Blend weight w in (0, 1]: charted value = (1 − w)·x + w·key. Default 0.5. */
  readonly weight: number;
  /** Seed of the generated key. Default 0. */
  readonly keySeed: number;
  /**
   * hours × variables training quantiles (row j = hour T − hours + j). Generated uniformly in [0.1, 0.9]
   * from `keySeed` when not given; always explicit after resolution, so manifests show it.
   */
  readonly key: readonly (readonly number[])[];
}

/**
 * A trigger with every parameter explicit, discriminated by `name` (what `resolveTrigger` returns and a plan
 * records); each name carries only its own parameter type.
 */
export type TriggerSpec =
  | { readonly name: 'none'; readonly params: NoneParams }
  | { readonly name: 'rare_value'; readonly params: RareValueParams }
  | { readonly name: 'missingness'; readonly params: MissingnessParams }
  | { readonly name: 'hybrid'; readonly params: HybridParams }
  | { readonly name: 'pattern'; readonly params: PatternParams }
  | { readonly name: 'correlation'; readonly params: CorrelationParams }
  | { readonly name: 'frequency_domain'; readonly params: FrequencyDomainParams }
  | { readonly name: 'distribution_shift'; readonly params: DistributionShiftParams }
  | { readonly name: 'temporal_pattern'; readonly params: TemporalPatternParams }
  | { readonly name: 'missingness_pattern'; readonly params: MissingnessPatternParams }
  | { readonly name: 'blended'; readonly params: BlendedParams };

/** The registered trigger names (`none` is the clean baseline). */
export type TriggerName = TriggerSpec['name'];
/** Each trigger's complete parameter type, by name. */
export type TriggerParamsByName = { readonly [S in TriggerSpec as S['name']]: S['params'] };
/**
 * The complete parameter type of trigger `N`, e.g. `TriggerParams<'rare_value'>` is {@link RareValueParams}.
 * A lookup in {@link TriggerParamsByName}, so that code generic over `N` can hand a spec's parameters to
 * its definition (the registry's `prepareTrigger`) without a cast.
 */
export type TriggerParams<N extends TriggerName> = TriggerParamsByName[N];

/**
 * What a caller may give as the parameters of trigger N: any subset (the rest take their defaults).
 * `hybrid` nests two parameter objects, each of which may be partial too.
 */
export type TriggerParamsInput<N extends TriggerName> = N extends 'hybrid'
  ? { readonly rare?: Partial<RareValueParams>; readonly missing?: Partial<MissingnessParams> }
  : Partial<TriggerParams<N>>;

/** A trigger by name with partial parameters, discriminated by `name` so each name takes only its own parameters. */
export type PartialTriggerSpec = {
  readonly [N in TriggerName]: { readonly name: N; readonly params?: TriggerParamsInput<N> };
}[TriggerName];

/**
 * What the trigger registry says about one trigger: its description, the dataset views it is defined on
 * and its default parameters.
 */
export interface TriggerInfo {
  readonly name: TriggerName;
  readonly description: string;
  /** Views the trigger is defined on; applying it to another view is an error. */
  readonly views: readonly DatasetView[];
  readonly defaults: unknown;
}
