import { assertInput, quantileSorted } from '@ehr-backdoor/core';
import { assertAssumedContamination, budgetOf } from './assumed-contamination.js';
import { missingnessPattern } from './screening-panels.js';
import { consistency } from './screening-consistency.js';
import { crossVariable } from './screening-cross-variable.js';
import { checkedTabular, summariseTimeSeries } from './screening-table.js';
import { temporal } from './screening-temporal.js';
import {
  SCREENING_COMPONENTS,
  type ComponentScores,
  type HourlyData,
  type InputScreeningOptions,
  type ScreeningComponent,
  type ScreeningData,
} from './screening-types.js';
import { univariate, univariateHourly } from './screening-univariate.js';
import { topScoring, type DetectorResult } from './types.js';
import type { DetectCode } from './error-codes.js';

export type { HourlyData, InputScreeningOptions, ScreeningComponent, ScreeningData } from './screening-types.js';
export { empiricalTailSurprisal, logScaled, poissonTailSurprisal, robustCentre, spikeSurprisal, zSurprisal } from './robust-scores.js';

// The screening's pipeline is drawn above ScreeningData (screening-types.ts); each component has its file.
const ALL = SCREENING_COMPONENTS;
/** Run unless `components` says otherwise (`temporal` only on time series); docs/explain-detect.md says why the others are off. */
const DEFAULT_COMPONENTS: readonly ScreeningComponent[] = ['univariate', 'missingness', 'temporal'];

/**
 * The least spread a component's bulk is put on, in nats: ln 50, the surprisal of a finding one stay in
 * 50 would show. A component that finds nothing in most stays (the panel check: 95 % of stays break no
 * panel) has a bulk of zero width; without a floor, any finding of it would outrank every other
 * component's strongest. Chosen on the default cohort (docs/explain-detect.md): below about 3 nats
 * broken blood counts crowd out a rare value repeated in 4 stays, above about 5 the reverse.
 */
const SPREAD_FLOOR = Math.log(50);

/**
 * Scores every stay by its most improbable finding (see the drawing above) and flags the round(c · n)
 * highest. `perLabel` lists, per component, how often each variable is the top finding of a flagged
 * stay: whether the screening names the trigger's variables.
 * @throws InputError `E_DETECT_INPUT` for malformed data, an unknown component, `temporal` on tabular
 * data or a non-positive ridge; `E_DETECT_CONTAMINATION` for an assumed contamination outside (0, 0.5).
 */
export function inputScreening(options: InputScreeningOptions): DetectorResult {
  const { data, n, ridge, components } = checkedOptions(options);
  const table = data.view === 'tabular' ? checkedTabular(data) : summariseTimeSeries(data);
  const variables = table.variableNames;
  const warnings: string[] = [];
  const found: ComponentScores[] = [];
  const add = (component: ScreeningComponent, surprisal: Float64Array, names = variables) => {
    found.push({ component, surprisal, variables: names });
  };
  if (components.includes('univariate')) add('univariate', data.view === 'tabular' ? univariate(table) : univariateHourly(data, table));
  if (components.includes('missingness')) add('missingness', missingnessPattern(table));
  if (components.includes('cross-variable')) add('cross-variable', crossVariable(table, ridge, warnings));
  if (components.includes('temporal') && data.view === 'timeseries') add('temporal', temporal(data));
  const hourly = hourlyOf(data);
  const values = components.includes('consistency-values');
  const charting = components.includes('consistency-missingness');
  if (hourly && (values || charting)) {
    // One joint fit gives both components.
    const joint = consistency(hourly, ridge, warnings);
    if (values) add('consistency-values', joint.values, hourly.channels);
    if (charting) add('consistency-missingness', joint.charting, hourly.channels);
  }
  const { scores, top, topComponent } = combined(found, n);
  const flagged = topScoring(
    scores,
    Array.from({ length: n }, (_, i) => i),
    budgetOf(options.assumedContamination, n),
  ).sort((a, b) => a - b);
  const perLabel = found.map((component, k) => topVariables(component, k, flagged, topComponent, top));
  return { detector: 'input_screening', scores, flagged: Int32Array.from(flagged), perLabel, warnings };
}

function checkedOptions(options: InputScreeningOptions): {
  data: ScreeningData;
  n: number;
  ridge: number;
  components: readonly ScreeningComponent[];
} {
  const { data } = options;
  assertAssumedContamination(options.assumedContamination, 'input_screening');
  assertInput<DetectCode>(
    data !== undefined && (data.view === 'tabular' || data.view === 'timeseries'),
    'E_DETECT_INPUT',
    () => "input_screening needs the training stays' raw data ({ view: 'tabular' | 'timeseries', … }).",
  );
  const n = data.rows;
  assertInput<DetectCode>(
    Number.isInteger(n) && n >= 2,
    'E_DETECT_INPUT',
    () => `input_screening needs at least 2 training stays, got ${n}.`,
  );
  const ridge = options.ridge ?? 1;
  assertInput<DetectCode>(Number.isFinite(ridge) && ridge > 0, 'E_DETECT_INPUT', () => `input_screening: ridge must be > 0, got ${ridge}.`);
  const components =
    options.components ?? ALL.filter((c) => DEFAULT_COMPONENTS.includes(c) && (c !== 'temporal' || data.view === 'timeseries'));
  for (const c of components) {
    assertInput<DetectCode>(
      ALL.includes(c),
      'E_DETECT_INPUT',
      () => `input_screening: unknown component '${c}'; choose from ${ALL.join(', ')}.`,
    );
    assertInput<DetectCode>(
      c !== 'temporal' || data.view === 'timeseries',
      'E_DETECT_INPUT',
      () => "input_screening: the 'temporal' component needs time-series data; screen the time-series view or drop 'temporal'.",
    );
    assertInput<DetectCode>(
      !c.startsWith('consistency') || hourlyOf(data) !== undefined,
      'E_DETECT_INPUT',
      () =>
        `input_screening: the '${c}' component reads the stays' hourly charting; screen the time-series view or pass it as the tabular data's 'hourly'.`,
    );
  }
  return { data, n, ridge, components };
}

/** The stays' hourly charting: the time-series view itself, or what a tabular view was given beside its features. */
function hourlyOf(data: ScreeningData): HourlyData | undefined {
  if (data.view === 'timeseries') return data;
  const hourly = data.hourly;
  if (hourly === undefined) return undefined;
  const { rows, hours: T, channels } = hourly;
  const C = channels.length;
  assertInput<DetectCode>(
    rows === data.rows &&
      C >= 1 &&
      Number.isInteger(T) &&
      T >= 1 &&
      hourly.values.length === rows * T * C &&
      hourly.mask.length === rows * T * C,
    'E_DETECT_INPUT',
    () =>
      `input_screening: the tabular data's hourly charting must hold the same ${data.rows} stays, rows × hours × channels values and mask entries; got ${rows} stays, ${hourly.values.length} values and ${hourly.mask.length} mask entries for ${T} hours × ${C} channels.`,
  );
  return hourly;
}

/**
 * Each stay's largest finding over all components, with the variable and component it came from.
 * Components speak in nats but not on one scale (a stay's largest univariate surprisal over 180
 * features is large for everyone; a broken panel is rare): each component's stay scores are put on
 * the scale of its own bulk, (s − median) / (q95 − median), before the largest is taken.
 */
function combined(found: readonly ComponentScores[], n: number): { scores: Float64Array; top: Int32Array; topComponent: Int32Array } {
  const scores = new Float64Array(n).fill(-Infinity);
  const top = new Int32Array(n);
  const topComponent = new Int32Array(n);
  found.forEach((component, k) => {
    const V = component.variables.length;
    const stay = new Float64Array(n);
    const arg = new Int32Array(n);
    for (let i = 0; i < n; i++)
      for (let v = 0; v < V; v++)
        if (component.surprisal[i * V + v] > stay[i]) {
          stay[i] = component.surprisal[i * V + v];
          arg[i] = v;
        }
    const sorted = Float64Array.from(stay).sort();
    const median = quantileSorted(sorted, 0.5);
    const spread = Math.max(quantileSorted(sorted, 0.95) - median, SPREAD_FLOOR);
    for (let i = 0; i < n; i++) {
      const z = (stay[i] - median) / spread;
      if (z > scores[i]) [scores[i], top[i], topComponent[i]] = [z, arg[i], k];
    }
  });
  return { scores, top, topComponent };
}

/** Whether the screening names the trigger's variables: how often each is the top finding of a flagged stay. */
function topVariables(
  { component, variables }: ComponentScores,
  k: number,
  flagged: readonly number[],
  topComponent: Int32Array,
  top: Int32Array,
): { component: ScreeningComponent; flaggedStays: number; topVariables: string } {
  const counts = new Map<string, number>();
  for (const i of flagged) if (topComponent[i] === k) counts.set(variables[top[i]], (counts.get(variables[top[i]]) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return {
    component,
    flaggedStays: ranked.reduce((s, [, c]) => s + c, 0),
    topVariables: ranked
      .slice(0, 5)
      .map(([v, c]) => `${v}:${c}`)
      .join(' '),
  };
}
