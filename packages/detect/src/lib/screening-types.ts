/**
 * Input-space and clinical-plausibility screening: a stay is suspicious when what was charted is
 * improbable under the training distribution, on its own or given the rest of the stay. No model is
 * needed; the defender screens the training data as it would be trained on.
 *
 *   raw training stays (clinical units, NaN / mask = never measured)
 *     ─▶ univariate      per variable: two-sided robust z of each value against the training median and
 *                        the MAD of its own side (skew-aware), and the rarity of the variable being missing
 *                        (log scale for right-skewed positive variables; empirical tail frequency for
 *                        variables of few levels), and a spike score: a tail value charted in far more
 *                        stays than its neighbouring values (Poisson tail)
 *     ─▶ missingness     a variable missing while a variable it is normally measured with was measured
 *                        (a broken lab panel), summed over the stay's missing variables
 *     ─▶ cross-variable  (optional) each feature predicted from all the others by ridge regression
 *                        (standardised, missing-indicator coded): robust-standardised residuals
 *     ─▶ temporal        (time series) each channel's hourly value predicted from its previous one (AR(1)
 *                        per channel, least squares on consecutive observations): standardised residuals
 *     ─▶ consistency     (optional; hourly values) each channel at each hour predicted from the other
 *                        channels at that hour and from its own history, its value (ridge: robust residual
 *                        surprisal) and whether it was charted (linear probability: −ln P(state), minus its
 *                        expectation, summed over the stay): `consistency-values`, `consistency-missingness`
 *     ─▶ each finding as a surprisal in nats, −ln P (a z of 3 ≈ 5.9 nats, a missingness seen in 1 % of
 *        stays = 4.6 nats); per component a stay's largest, put on the component's own scale
 *        (s − median) / (q95 − median); the stay's score is the largest over components
 *     ─▶ flag the round(c · n) highest scores (c = the assumed contamination)
 *
 * Fitted on the very stays it screens (contaminated at the assumed rate): the medians, MADs and
 * regressions are robust or averaged enough that a few per cent of triggered stays barely move them.
 */
export type ScreeningData =
  | {
      readonly view: 'tabular';
      /** n × F raw feature values, row-major; NaN = not measured in the window. */
      readonly values: ArrayLike<number>;
      readonly rows: number;
      /** Per column: the clinical variable it summarises (columns of one variable are missing together). */
      readonly variables: readonly string[];
      /** Per column: its statistic; `count` columns are 0, not NaN, when the variable was never measured. */
      readonly stats?: readonly string[];
      /**
       * The same stays' hourly charting, which the tabular features summarise: only the consistency
       * components read it (a defender who holds the features holds the charting they come from).
       */
      readonly hourly?: HourlyData;
    }
  | {
      readonly view: 'timeseries';
      /** n × T × C hourly values (forward-filled where not measured), row-major. */
      readonly values: ArrayLike<number>;
      /** n × T × C: 1 where the channel was measured in that hour. */
      readonly mask: ArrayLike<number>;
      readonly rows: number;
      readonly hours: number;
      readonly channels: readonly string[];
    };

/** Hourly charting of the training stays (the time-series view without its tag). */
export interface HourlyData {
  /** n × T × C hourly values (forward-filled where not measured), row-major. */
  readonly values: ArrayLike<number>;
  /** n × T × C: 1 where the channel was measured in that hour. */
  readonly mask: ArrayLike<number>;
  readonly rows: number;
  readonly hours: number;
  readonly channels: readonly string[];
}

/** The screening's components (see the drawing above {@link ScreeningData}). */
export type ScreeningComponent =
  | 'univariate'
  | 'missingness'
  | 'cross-variable'
  | 'temporal'
  | 'consistency-values'
  | 'consistency-missingness';

/** Inputs and settings of {@link inputScreening}. */
export interface InputScreeningOptions {
  readonly data: ScreeningData;
  /** The defender's assumed contamination in (0, 0.5): round(c · n) stays are flagged. */
  readonly assumedContamination: number;
  /**
   * Default: univariate and missingness, and temporal for time series. `cross-variable` (ridge residuals
   * of every feature on all others) is available but off: on the default cohort it ranked ordinary
   * multi-organ derangement above the triggers (docs/explain-detect.md). `consistency-values` and
   * `consistency-missingness` (the joint hourly model) are off too: on the default cohort they leave the
   * goal cells as they are and find none of the in-distribution triggers (docs/results.md).
   */
  readonly components?: readonly ScreeningComponent[];
  /** Ridge penalty of the cross-variable and consistency regressions, on standardised features. Default 1. */
  readonly ridge?: number;
}

/** Per stay and variable, the largest surprisal found by one component (nats). */
export interface ComponentScores {
  readonly component: ScreeningComponent;
  /** n × V, row-major. */
  readonly surprisal: Float64Array;
  /** The V variables (the table's, or the hourly channels for the consistency components). */
  readonly variables: readonly string[];
}

/** Every component, in the order they are run and reported. */
export const SCREENING_COMPONENTS: readonly ScreeningComponent[] = [
  'univariate',
  'missingness',
  'cross-variable',
  'temporal',
  'consistency-values',
  'consistency-missingness',
];
