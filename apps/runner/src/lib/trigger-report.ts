import type { EhrDataset } from '@ehr-backdoor/data';
import type { LookalikeReport, LookalikeSplit, StealthReport, TriggerSpec } from '@ehr-backdoor/poison';
import { InputError } from '@ehr-backdoor/core';
import type { RunnerCode } from './error-codes.js';

/**
 * The `triggers` report: for each trigger, how visible it is when applied (the stealth report of the
 * triggered test set, per view) and how often clean stays already carry it (its natural look-alike
 * rate, overall and among stays whose label is not the target: the false triggers).
 *
 *   prepared dataset ─▶ per trigger: triggered test set ─▶ stealth (both views)
 *                                    look-alike test ─▶ share of clean stays carrying it
 */
export interface TriggerReportRow {
  readonly trigger: TriggerSpec;
  readonly views: readonly string[];
  readonly stealth: readonly Pick<
    StealthReport,
    'view' | 'changedValues' | 'shareOutsidePlausible' | 'shareOutsideTrainingP1P99' | 'removedValues'
  >[];
  readonly lookalike: LookalikeReport;
  /** Look-alike rate among stays whose label is not the target (a backdoored model would flip them). */
  readonly falseTriggerRate: number;
  /** The parameters that differ from the trigger's defaults, as `key=value` (empty for the defaults). */
  readonly changed: string;
}

export interface TriggerReport {
  readonly dataset: { readonly path: string; readonly contentHash: string; readonly stays: number };
  readonly targetLabel: 0 | 1;
  readonly split: LookalikeSplit;
  readonly rows: readonly TriggerReportRow[];
}

/** `name` or `name={"param":…}` (JSON parameters) → a trigger name and its partial parameters. */
export function parseTriggerArgument(text: string): { name: string; params: unknown } {
  const at = text.indexOf('=');
  if (at < 0) return { name: text, params: {} };
  const name = text.slice(0, at);
  try {
    return { name, params: JSON.parse(text.slice(at + 1)) };
  } catch (error) {
    throw new InputError<RunnerCode>(
      'E_TRIGGER_PARAMS',
      `--trigger ${JSON.stringify(text)}: the parameters after '=' are not JSON (${(error as Error).message}); write e.g. --trigger 'rare_value={"value":200}'.`,
    );
  }
}

export async function triggerReport(
  dataset: EhrDataset,
  path: string,
  options: { triggers: readonly string[]; targetLabel: 0 | 1; split: LookalikeSplit },
): Promise<TriggerReport> {
  const poison = await import('@ehr-backdoor/poison');
  const wanted = options.triggers.length > 0 ? options.triggers : poison.TRIGGER_NAMES.filter((n) => n !== 'none');
  // Every trigger is resolved (and so validated) before any is measured.
  const specs = wanted.map((text) => {
    const { name, params } = parseTriggerArgument(text);
    return poison.resolveTrigger(name, params);
  });
  const rows = specs.map((spec): TriggerReportRow => {
    const triggered = poison.buildTriggeredTestSet(dataset, spec, options.targetLabel);
    const lookalike = poison.lookalikeRate(dataset, spec, options.split);
    return {
      trigger: spec,
      views: triggered.views,
      stealth: triggered.stealth.map(({ view, changedValues, shareOutsidePlausible, shareOutsideTrainingP1P99, removedValues }) => ({
        view,
        changedValues,
        shareOutsidePlausible,
        shareOutsideTrainingP1P99,
        removedValues,
      })),
      lookalike,
      falseTriggerRate: lookalike.byLabel[1 - options.targetLabel].rate,
      changed: changedParams(spec, poison.resolveTrigger(spec.name, {}).params),
    };
  });
  return {
    dataset: { path, contentHash: dataset.manifest.contentHash, stays: dataset.n },
    targetLabel: options.targetLabel,
    split: options.split,
    rows,
  };
}

/** `key=value` for every parameter that differs from the defaults (so two variants of one trigger are told apart). */
function changedParams(spec: TriggerSpec, defaults: unknown): string {
  const d = defaults as Record<string, unknown>;
  return Object.entries(spec.params as Record<string, unknown>)
    .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(d[k]))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a');

/** A Markdown table, one row per trigger (what the command prints). */
export function formatTriggerReport(report: TriggerReport): string {
  const header =
    `Dataset ${report.dataset.path} (${report.dataset.stays} stays, ${report.dataset.contentHash.slice(0, 12)}…), target ${report.targetLabel}, look-alikes over ${report.split === 'all' ? 'all stays' : `the ${report.split} split`}\n\n` +
    '| trigger | views | ts: outside plausible / P1–P99 | tab: outside plausible / P1–P99 | look-alike rate | false triggers (label ≠ target) | look-alike tolerance |\n' +
    '|---|---|---|---|---:|---:|---|\n';
  const lines = report.rows.map((r) => {
    const stealthOf = (view: string) => {
      const s = r.stealth.find((x) => x.view === view);
      if (!s) return '—';
      return s.changedValues === 0
        ? s.removedValues > 0
          ? 'removes only'
          : 'no change'
        : `${pct(s.shareOutsidePlausible)} / ${pct(s.shareOutsideTrainingP1P99)}`;
    };
    const l = r.lookalike;
    const label = `${r.trigger.name}${r.changed ? ` (${r.changed})` : ''}`;
    return `| ${label} | ${r.views.join(', ')} | ${stealthOf('timeseries')} | ${stealthOf('tabular')} | ${pct(l.rate)} (${l.carriers}/${l.stays}) | ${pct(r.falseTriggerRate)} | ${l.tolerance} |`;
  });
  return header + lines.join('\n') + '\n';
}
