import type { CellKey } from './grid.js';
import type { RunOptions } from './plan.js';

/** The run options a summary records. */
export type SummaryOptions = Pick<RunOptions, 'targetLabel' | 'mode' | 'selection'>;

/**
 * summary.json: one flat record per run (docs/formats.md). A metric that cannot be computed is
 * written as null, with its reason under `reasons`, never as 0.
 */
export type SummaryValue = number | string | null;
export interface Summary {
  readonly formatVersion: 1;
  readonly [field: string]: SummaryValue | Readonly<Record<string, string>> | undefined;
  readonly reasons: Readonly<Record<string, string>>;
}

export interface MetricLike {
  readonly value: number;
  readonly reason?: string;
  readonly ci?: { readonly low: number; readonly high: number };
}

export class SummaryBuilder {
  private readonly fields: Record<string, SummaryValue> = {};
  private readonly reasons: Record<string, string> = {};

  set(name: string, value: SummaryValue | undefined, reason?: string): this {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      this.fields[name] = null;
      this.reasons[name] = reason ?? 'not a finite number';
    } else if (value === undefined || value === null) {
      this.fields[name] = null;
      if (reason) this.reasons[name] = reason;
    } else {
      this.fields[name] = value;
    }
    return this;
  }

  metric(name: string, metric: MetricLike | undefined, reasonIfMissing = 'not computed'): this {
    if (!metric) return this.set(name, null, reasonIfMissing);
    this.set(name, metric.value, metric.reason);
    if (metric.ci) {
      this.set(`${name}_ci_low`, metric.ci.low, metric.reason ?? 'bootstrap interval not computable');
      this.set(`${name}_ci_high`, metric.ci.high, metric.reason ?? 'bootstrap interval not computable');
    }
    return this;
  }

  build(): Summary {
    return { formatVersion: 1, ...this.fields, reasons: { ...this.reasons } };
  }
}

export function coordinates(cell: CellKey, options: SummaryOptions): SummaryBuilder {
  return new SummaryBuilder()
    .set('model', cell.model)
    .set('trigger', cell.trigger)
    .set('poison_rate', cell.rate)
    .set('seed', cell.seed)
    .set('target_label', options.targetLabel)
    .set('mode', options.mode);
}

/** One header line and one row; RFC 4180 quoting; null as an empty field. */
export function summaryToCsv(summary: Summary): string {
  const entries = Object.entries(summary).filter(([key]) => key !== 'reasons');
  const quote = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${entries.map(([k]) => quote(k)).join(',')}\n${entries.map(([, v]) => quote(v)).join(',')}\n`;
}

interface MetricRows {
  readonly metrics: object;
  readonly warnings: readonly { readonly metric: string; readonly message: string }[];
}

export interface SummaryInputs {
  readonly cell: CellKey;
  readonly options: SummaryOptions;
  /**
   * The model kind and trigger name behind the cell's variant names (`model` and `trigger` are the
   * variants, the run folder's names, which a study chooses).
   */
  readonly kinds?: { readonly model: string; readonly trigger: string };
  readonly datasetHash: string;
  readonly backend: string;
  readonly nTrain: number;
  readonly nPoisoned: number;
  /** Training stays the poisoning mode may poison (label ≠ target in dirty-label mode). */
  readonly nEligible: number;
  /** What the poison rate is a share of: `eligible` or `train`. */
  readonly rateBasis: string;
  /** The operating-threshold rule, e.g. `fpr=0.05`. */
  readonly thresholdRule: string;
  /** The dataset's label, e.g. `hospital_mortality`. */
  readonly labelDefinition: string;
  readonly nTest: number;
  readonly nTriggered: number;
  readonly epochsRun: number;
  readonly bestEpoch: number;
  /** The epoch whose weights were evaluated: `bestEpoch`, or the last one with selection 'last'. */
  readonly evaluatedEpoch: number;
  readonly wallTimeS: number;
  /** Metric rows (evaluation, baselines, detectors, explanations), copied as they are. */
  readonly rows: readonly MetricRows[];
}

export function assembleSummary(inputs: SummaryInputs): Summary {
  const builder = coordinates(inputs.cell, inputs.options)
    .set('model_kind', inputs.kinds?.model ?? inputs.cell.model)
    .set('trigger_name', inputs.kinds?.trigger ?? inputs.cell.trigger)
    .set('dataset_hash', inputs.datasetHash)
    .set('backend', inputs.backend)
    .set('n_train', inputs.nTrain)
    .set('n_poisoned', inputs.nPoisoned)
    .set('n_eligible', inputs.nEligible)
    .set('rate_basis', inputs.rateBasis)
    .set('label_definition', inputs.labelDefinition)
    .set('threshold_rule', inputs.thresholdRule)
    .set('n_test', inputs.nTest)
    .set('n_triggered', inputs.nTriggered)
    .set('epochs_run', inputs.epochsRun)
    .set('best_epoch', inputs.bestEpoch)
    .set('selection', inputs.options.selection ?? 'best')
    .set('evaluated_epoch', inputs.evaluatedEpoch)
    .set('wall_time_s', Number(inputs.wallTimeS.toFixed(3)));
  for (const rows of inputs.rows) addRows(builder, rows);
  return builder.build();
}

export function addRows(builder: SummaryBuilder, rows: MetricRows): SummaryBuilder {
  for (const [column, value] of Object.entries(rows.metrics) as [string, number][]) {
    const reason = Number.isFinite(value)
      ? undefined
      : (rows.warnings.find((w) => w.metric === column)?.message ?? `${column} is undefined for this input.`);
    // `n` and `n_positive` of the clean test set are recorded under their summary names.
    const name = column === 'n' ? 'n_test_scored' : column === 'n_positive' ? 'n_test_positive' : column;
    builder.set(name, value, reason);
  }
  return builder;
}
