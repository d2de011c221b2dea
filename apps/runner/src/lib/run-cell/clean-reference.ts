import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanAurocDrop } from '@ehr-backdoor/metrics';
import { SUMMARY_FILE } from '../cell-state.js';
import type { MetricRows } from '../evaluate.js';
import { cellDir, cleanCellOf, type CellKey } from '../grid.js';
import type { Summary, SummaryInputs } from '../summary.js';

/**
 * A poisoned cell's two columns that need its clean baseline (same model, data and seed, rate 0):
 * `clean_auroc_drop` and `asr_lift`. They are worked out from the summary's own rows and the clean run's
 * summary.json when the cell's summary is written, not when it starts, so a poisoned cell never waits
 * for its baseline to train (docs/results.md, "Session 6: the sweep's critical path").
 */
export interface CleanReference {
  /** Clean-test AUROC of the matching rate-0 run (null when undefined). */
  readonly auroc: number | null;
  /** Its ASR under `trigger` at its own operating threshold (null when not recorded or undefined). */
  asrOf(trigger: string): number | null;
}

/** This run's own values the two columns compare: its clean-test AUROC and its ASR at the operating threshold. */
export interface OwnResults {
  readonly auroc: number;
  readonly asr: number;
}

/** What the matching rate-0 run recorded (null when it has not finished). */
export async function cleanReferenceOf(runsRoot: string, cell: CellKey): Promise<CleanReference | null> {
  const clean = cleanCellOf(cell);
  const path = join(cellDir(runsRoot, clean), SUMMARY_FILE);
  if (!existsSync(path)) return null;
  const summary = JSON.parse(await readFile(path, 'utf8')) as Summary;
  const numberOr = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    auroc: numberOr(summary.auroc),
    asrOf: (trigger) => numberOr(clean.trigger === trigger ? summary.asr : summary[`asr@${trigger}`]),
  };
}

/**
 * The rows with `clean_auroc_drop` and `asr_lift` computed against `reference` (null: no finished clean
 * run). Only those two columns and their reasons change, in place, so the summary's columns keep their order.
 */
export function withCleanReference(
  rows: SummaryInputs['rows'],
  own: OwnResults,
  reference: CleanReference | null,
  cell: CellKey,
): SummaryInputs['rows'] {
  const drop = cleanAurocDrop(reference?.auroc ?? null, own.auroc);
  const dropRow: MetricRows = {
    metrics: { clean_auroc_drop: drop.value },
    warnings: drop.reason ? [{ metric: 'clean_auroc_drop', message: drop.reason }] : [],
  };
  return rows.map((row) => {
    if ('asr_lift' in row.metrics) return replaceColumn(row, liftRow(own.asr, reference, cell));
    if ('clean_auroc_drop' in row.metrics) return replaceColumn(row, dropRow);
    return row;
  });
}

function replaceColumn(row: SummaryInputs['rows'][number], by: MetricRows): SummaryInputs['rows'][number] {
  const [column] = Object.keys(by.metrics);
  return {
    metrics: { ...row.metrics, [column]: by.metrics[column] },
    warnings: [...row.warnings.filter((w) => w.metric !== column), ...by.warnings],
  };
}

/**
 * Lift: this run's ASR minus the same trigger's ASR on the matching clean model (same model, data and seed,
 * rate 0), each at its own model's operating threshold. What the backdoor adds over the clean model's own
 * false positives toward the target; NaN with a reason when the clean run has not finished.
 */
export function liftRow(asr: number, reference: CleanReference | null, cell: CellKey): MetricRows {
  const cleanAsr = reference?.asrOf(cell.trigger) ?? null;
  if (cleanAsr === null) {
    const reason = reference
      ? `the matching clean run has no ASR for trigger ${cell.trigger} (asr@${cell.trigger})`
      : 'no finished matching clean run (same model and seed, rate 0) when this run was evaluated';
    return { metrics: { asr_lift: Number.NaN }, warnings: [{ metric: 'asr_lift', message: `ASR lift is undefined: ${reason}.` }] };
  }
  if (Number.isNaN(asr))
    return {
      metrics: { asr_lift: Number.NaN },
      warnings: [{ metric: 'asr_lift', message: "ASR lift is undefined: this run's ASR is undefined." }],
    };
  return { metrics: { asr_lift: asr - cleanAsr }, warnings: [] };
}
