import { WARN, type AggregationWarning } from './warnings.js';

/**
 * The parsed form of one run's `summary.json` (formatVersion 1, docs/formats.md). Coordinates are
 * checked; every other numeric field is a metric, null where the run could not compute it (its
 * reason kept), so a new metric added by the runner flows through without a change here.
 */
export const SUMMARY_FORMAT_VERSION = 1;

/**
 * One run's summary.json, parsed: the run's coordinates (model, trigger, rate, seed, mode, dataset) and its metrics.
 */
export interface RunSummary {
  readonly model: string;
  readonly trigger: string;
  readonly poisonRate: number;
  readonly seed: number;
  readonly mode: string;
  readonly targetLabel: number | null;
  readonly datasetHash: string;
  readonly backend: string;
  /**
   * Which epoch the metrics are of: 'last' (the runner's fixed-epoch default) or 'best' (best validation
   * AUROC). Summaries written before the field existed were best-epoch runs, and read as 'best'.
   */
  readonly selection: string;
  /**
   * How the run was measured: what the poison rate is a share of (`eligible`, also for summaries written before
   * the field existed, or `train`), the operating-threshold rule (`fpr=0.05`; summaries without it were
   * thresholded at 0.5 and read as `fixed=0.5`) and the dataset's label (`hospital_mortality` when absent).
   */
  readonly rateBasis: string;
  readonly thresholdRule: string;
  readonly labelDefinition: string;
  /** Every numeric field but the coordinates; null when missing or not finite. */
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly reasons: Readonly<Record<string, string>>;
}

/** Fields that place a run in the grid or describe it, never averaged. */
// `model` and `trigger` are the run folder's names (a study's variants); `model_kind` and `trigger_name` what they are.
const NOT_METRICS = new Set([
  'formatVersion',
  'model',
  'trigger',
  'model_kind',
  'trigger_name',
  'poison_rate',
  'seed',
  'target_label',
  'mode',
  'dataset_hash',
  'backend',
  'selection',
  'rate_basis',
  'threshold_rule',
  'label_definition',
  'reasons',
]);

/** A parsed summary with warnings about it, or the warning that says why it is unusable. */
export type ParsedSummary =
  | { readonly ok: true; readonly summary: RunSummary; readonly warnings: AggregationWarning[] }
  | { readonly ok: false; readonly warning: AggregationWarning };

/**
 * Parses a summary.json (`path` is only used in warnings). Never throws: invalid JSON, another
 * `formatVersion` or bad coordinates come back as `ok: false` with the warning.
 */
export function parseSummary(text: string, path: string): ParsedSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, warning: WARN.corruptSummary(path, (error as Error).message) };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, warning: WARN.invalidSummary(path, 'it is not a JSON object') };
  const record = raw as Record<string, unknown>;
  if (record.formatVersion !== SUMMARY_FORMAT_VERSION) return { ok: false, warning: WARN.summaryVersion(path, record.formatVersion) };

  const problems: string[] = [];
  const str = (field: string): string => {
    const v = record[field];
    if (typeof v !== 'string' || v === '') problems.push(`"${field}" must be a non-empty string, got ${JSON.stringify(v)}`);
    return String(v);
  };
  const model = str('model');
  const trigger = str('trigger');
  const poisonRate = record.poison_rate;
  if (typeof poisonRate !== 'number' || !(poisonRate >= 0 && poisonRate <= 1))
    problems.push(`"poison_rate" must be a number in [0, 1], got ${JSON.stringify(poisonRate)}`);
  const seed = record.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) problems.push(`"seed" must be an integer, got ${JSON.stringify(seed)}`);
  if (problems.length > 0) return { ok: false, warning: WARN.invalidSummary(path, problems.join('; ')) };

  const warnings: AggregationWarning[] = [];
  const metrics: Record<string, number | null> = {};
  for (const [field, value] of Object.entries(record)) {
    if (NOT_METRICS.has(field)) continue;
    if (typeof value === 'number') metrics[field] = Number.isFinite(value) ? value : null;
    else if (value === null) metrics[field] = null;
    else warnings.push(WARN.invalidField(path, field, value));
  }
  const reasons: Record<string, string> = {};
  if (record.reasons && typeof record.reasons === 'object') {
    for (const [k, v] of Object.entries(record.reasons as Record<string, unknown>)) if (typeof v === 'string') reasons[k] = v;
  }
  return {
    ok: true,
    warnings,
    summary: {
      model,
      trigger,
      poisonRate: poisonRate as number,
      seed: seed as number,
      mode: typeof record.mode === 'string' && record.mode ? record.mode : 'dirty-label',
      targetLabel: typeof record.target_label === 'number' ? record.target_label : null,
      datasetHash: typeof record.dataset_hash === 'string' ? record.dataset_hash : '',
      backend: typeof record.backend === 'string' ? record.backend : '',
      selection: typeof record.selection === 'string' && record.selection ? record.selection : 'best',
      rateBasis: typeof record.rate_basis === 'string' && record.rate_basis ? record.rate_basis : 'eligible',
      thresholdRule: typeof record.threshold_rule === 'string' && record.threshold_rule ? record.threshold_rule : 'fixed=0.5',
      labelDefinition:
        typeof record.label_definition === 'string' && record.label_definition ? record.label_definition : 'hospital_mortality',
      metrics,
      reasons,
    },
  };
}

/** The runner's directory name for a rate: at most 4 decimals, no trailing zeros. */
export function formatRate(rate: number): string {
  return String(Number(rate.toFixed(4)));
}
