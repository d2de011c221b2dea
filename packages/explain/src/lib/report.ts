import type { ExplainDriftResult } from './explain-drift.js';

/**
 * `explain.json` (formatVersion 1): the run's attribution-drift results in plain JSON. NaN becomes
 * null with its reason, as in summary.json. Full attributions are left out (n × d floats); the
 * per-stay measures and per-group importances are kept for the report's figures.
 */
export interface ExplainJson {
  readonly formatVersion: 1;
  readonly columns: Record<string, number | null>;
  readonly reasons: Record<string, string>;
  readonly integratedGradients: {
    readonly method: string;
    readonly steps: number;
    readonly target: { output: string; classIndex: number };
    readonly relativeConvergenceDelta: number | null;
    readonly stays: number;
  };
  readonly cleanTriggerAttributionRatio: number | null;
  readonly triggerElementShare: number | null;
  readonly topK: number;
  readonly groupImportance: { readonly names: readonly string[]; readonly clean: (number | null)[]; readonly triggered: (number | null)[] };
  readonly perStay: Record<string, (number | null)[]>;
  readonly attention?: {
    readonly meanAbsDelta: number | null;
    readonly meanJsDivergence: number | null;
    readonly clsShift: (number | null)[] | null;
  }[];
  readonly tokens?: readonly string[];
}

const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The plain-JSON `explain.json` of a run (see {@link ExplainJson}): NaN becomes null, its reason kept. */
export function toExplainJson(result: ExplainDriftResult & { readonly tokens?: readonly string[] }): ExplainJson {
  const { drift } = result;
  return {
    formatVersion: 1,
    columns: Object.fromEntries(Object.entries(result.columns).map(([k, v]) => [k, num(v as number)])),
    reasons: { ...result.reasons },
    integratedGradients: {
      method: result.clean.method,
      steps: result.clean.steps,
      target: { ...result.clean.target },
      relativeConvergenceDelta: num(result.relativeConvergenceDelta),
      stays: result.clean.shape[0],
    },
    cleanTriggerAttributionRatio: num(drift.cleanTriggerAttributionRatio),
    triggerElementShare: num(drift.triggerElementShare),
    topK: drift.topK,
    groupImportance: {
      names: drift.groupImportance.names,
      clean: Array.from(drift.groupImportance.clean, num),
      triggered: Array.from(drift.groupImportance.triggered, num),
    },
    perStay: Object.fromEntries(Object.entries(drift.perStay).map(([k, v]) => [k, Array.from(v as Float64Array, num)])),
    ...(result.attention
      ? {
          attention: result.attention.map((a) => ({
            meanAbsDelta: num(a.meanAbsDelta),
            meanJsDivergence: num(a.meanJsDivergence),
            clsShift: a.clsShift ? Array.from(a.clsShift, num) : null,
          })),
        }
      : {}),
    ...(result.tokens ? { tokens: result.tokens } : {}),
  };
}
