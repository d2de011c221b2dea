import { assertInput } from '@ehr-backdoor/core';
import { kendallTauB, topKOverlap } from './rank-agreement.js';
import type { ExplainCode } from './error-codes.js';

/**
 * Attribution drift between the clean and the triggered version of the same n stays, from their
 * attributions (n × d, row-major, the same stays in the same order):
 *
 *   per stay ─▶ distances      l1 = Σ|a−b|, l2 = ‖a−b‖₂, cosine distance = 1 − a·b / (‖a‖ ‖b‖)
 *            ─▶ rank agreement Kendall τ-b and top-k overlap of the groups ranked by Σ|attribution|
 *                              (a group is one feature, or e.g. one channel over all hours)
 *            ─▶ trigger ratio  Σ_{trigger}|b| / Σ|b|: the share of the triggered stay's attribution on
 *                              the trigger's elements (and the same share on the clean stay, for reference)
 *   summary  ─▶ means over stays; a stay whose value is undefined (zero attribution) is left out and
 *               a summary with no defined stay is NaN with a reason.
 */
export interface AttributionDriftInput {
  readonly clean: ArrayLike<number>;
  readonly triggered: ArrayLike<number>;
  readonly n: number;
  /** Elements per stay. */
  readonly d: number;
  /** 1 = a trigger element: length d (every stay) or n × d (per stay). */
  readonly triggerMask?: ArrayLike<number>;
  /** Ranking groups: group index of each of the d elements, and their names. Default: one group per element. */
  readonly groups?: { readonly index: ArrayLike<number>; readonly names: readonly string[] };
  /** k of the top-k overlap. Default 10 (capped at the number of groups). */
  readonly topK?: number;
}

/** The drift summary columns of a run's summary.json (defined in docs/formats.md); NaN when undefined. */
export interface DriftColumns {
  readonly explain_trigger_attribution_ratio: number;
  readonly explain_attr_l1: number;
  readonly explain_attr_l2: number;
  readonly explain_attr_cosine: number;
  readonly explain_kendall_tau: number;
  readonly explain_topk_overlap: number;
}

/** The result of {@link attributionDrift}: summary columns, per-stay measures and per-group importances. */
export interface AttributionDrift {
  /** The summary columns (docs/formats.md); NaN ones are named in `reasons`. */
  readonly columns: DriftColumns;
  /** Column → why it is NaN. */
  readonly reasons: Readonly<Record<string, string>>;
  /** Per stay (length n), NaN where undefined (a stay with zero attribution). */
  readonly perStay: {
    /** Σ|a − b| between the clean and triggered attributions. */
    readonly l1: Float64Array;
    /** ‖a − b‖₂. */
    readonly l2: Float64Array;
    /** Cosine distance 1 − a·b / (‖a‖ ‖b‖), in [0, 2]. */
    readonly cosine: Float64Array;
    /** Kendall τ-b between the groups' rankings by Σ|attribution|, in [−1, 1]. */
    readonly kendallTau: Float64Array;
    /** Share of the top-k groups the two rankings have in common, in [0, 1]. */
    readonly topKOverlap: Float64Array;
    /** Share of the triggered stay's Σ|attribution| on the trigger's elements, in [0, 1]. */
    readonly triggerRatio: Float64Array;
    /** The same share on the clean stay. */
    readonly cleanTriggerRatio: Float64Array;
  };
  /** The same share on the clean stays: what the trigger's elements receive without the trigger. */
  readonly cleanTriggerAttributionRatio: number;
  /** Mean share of elements in the trigger mask: the ratio a uniform attribution would give. */
  readonly triggerElementShare: number;
  /** Per group, mean Σ|attribution| over stays, clean and triggered (for the report's bar charts). */
  readonly groupImportance: { readonly names: readonly string[]; readonly clean: Float64Array; readonly triggered: Float64Array };
  /** The k used, after capping at the number of groups. */
  readonly topK: number;
}

/** k of the top-k overlap when none is given (10 groups). */
export const DEFAULT_TOP_K = 10;

/**
 * Attribution drift between clean and triggered attributions of the same stays (see
 * {@link AttributionDriftInput}). A stay whose measure is undefined is left out of the mean; a column with no
 * defined stay is NaN with its reason in `reasons`.
 * @throws InputError `E_DRIFT_SHAPE` when `n`, `d` or the array lengths disagree, `E_DRIFT_MASK` for a trigger
 * mask of another length, `E_DRIFT_TOPK` for `topK` < 1, `E_DRIFT_GROUPS` for malformed groups.
 */
export function attributionDrift(input: AttributionDriftInput): AttributionDrift {
  const checked = checkDriftInput(input);
  const { mask, topK, groupNames } = checked;
  const stays = perStayDrift(input, checked);
  const { columns, reasons } = summariseDrift(stays, mask !== undefined);
  const { l1, l2, cosine, kendallTau, overlap, triggerRatio, cleanTriggerRatio } = stays;
  return {
    columns,
    reasons,
    perStay: { l1, l2, cosine, kendallTau, topKOverlap: overlap, triggerRatio, cleanTriggerRatio },
    cleanTriggerAttributionRatio: mask ? nanMean(cleanTriggerRatio) : NaN,
    triggerElementShare: mask ? stays.maskShare : NaN,
    groupImportance: { names: groupNames, clean: stays.importanceClean, triggered: stays.importanceTriggered },
    topK: Math.min(topK, groupNames.length),
  };
}

/** The input's options, checked and defaulted; an all-zero mask becomes no mask. */
interface CheckedDriftInput {
  readonly mask: ArrayLike<number> | undefined;
  readonly topK: number;
  readonly groupIndex: ArrayLike<number>;
  readonly groupNames: readonly string[];
}

function checkDriftInput(input: AttributionDriftInput): CheckedDriftInput {
  const { clean, triggered, n, d } = input;
  assertInput<ExplainCode>(
    Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1,
    'E_DRIFT_SHAPE',
    () => `n and d must be integers ≥ 1, got n = ${n}, d = ${d}.`,
  );
  assertInput<ExplainCode>(
    clean.length === n * d && triggered.length === n * d,
    'E_DRIFT_SHAPE',
    () => `clean and triggered attributions must each hold n × d = ${n * d} values, got ${clean.length} and ${triggered.length}.`,
  );
  const given = input.triggerMask;
  assertInput<ExplainCode>(
    given === undefined || given.length === d || given.length === n * d,
    'E_DRIFT_MASK',
    () => `triggerMask must have d = ${d} or n × d = ${n * d} entries, got ${given?.length}.`,
  );
  // An all-zero mask (trigger 'none', or a trigger that changed nothing on these stays) is no mask.
  const mask = given && Array.prototype.some.call(given, (v: number) => v !== 0) ? given : undefined;
  assertInput<ExplainCode>(
    mask === undefined || mask.length === d || mask.length === n * d,
    'E_DRIFT_MASK',
    () => `triggerMask must have d = ${d} or n × d = ${n * d} entries, got ${mask?.length}.`,
  );
  const topK = input.topK ?? DEFAULT_TOP_K;
  assertInput<ExplainCode>(Number.isInteger(topK) && topK >= 1, 'E_DRIFT_TOPK', () => `topK must be an integer ≥ 1, got ${topK}.`);
  const groupIndex = input.groups?.index ?? Int32Array.from({ length: d }, (_, j) => j);
  const groupNames = input.groups?.names ?? Array.from({ length: d }, (_, j) => String(j));
  const G = groupNames.length;
  assertInput<ExplainCode>(
    groupIndex.length === d,
    'E_DRIFT_GROUPS',
    () => `groups.index must have d = ${d} entries, got ${groupIndex.length}.`,
  );
  for (let j = 0; j < d; j++) {
    const g = groupIndex[j];
    assertInput<ExplainCode>(
      Number.isInteger(g) && g >= 0 && g < G,
      'E_DRIFT_GROUPS',
      () => `groups.index[${j}] = ${g} is not a group (0 ≤ g < ${G}).`,
    );
  }
  return { mask, topK, groupIndex, groupNames };
}

interface PerStayDrift {
  readonly l1: Float64Array;
  readonly l2: Float64Array;
  readonly cosine: Float64Array;
  readonly kendallTau: Float64Array;
  readonly overlap: Float64Array;
  readonly triggerRatio: Float64Array;
  readonly cleanTriggerRatio: Float64Array;
  readonly importanceClean: Float64Array;
  readonly importanceTriggered: Float64Array;
  /** Mean share of elements in the trigger mask (0 without a mask). */
  readonly maskShare: number;
}

/** Distances, rank agreement and trigger ratios of each stay, and the groups' mean importances. */
function perStayDrift(input: AttributionDriftInput, { mask, topK, groupIndex, groupNames }: CheckedDriftInput): PerStayDrift {
  const { clean, triggered, n, d } = input;
  const G = groupNames.length;
  const l1 = new Float64Array(n);
  const l2 = new Float64Array(n);
  const cosine = new Float64Array(n);
  const kendallTau = new Float64Array(n);
  const overlap = new Float64Array(n);
  const triggerRatio = new Float64Array(n).fill(NaN);
  const cleanTriggerRatio = new Float64Array(n).fill(NaN);
  const importanceClean = new Float64Array(G);
  const importanceTriggered = new Float64Array(G);
  const ga = new Float64Array(G);
  const gb = new Float64Array(G);
  let maskShare = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let s1 = 0;
    let s2 = 0;
    let dot = 0;
    let na = 0;
    let nb = 0;
    ga.fill(0);
    gb.fill(0);
    let onA = 0;
    let onB = 0;
    let totalA = 0;
    let totalB = 0;
    let inMask = 0;
    const mo = mask && mask.length === n * d ? o : 0;
    for (let j = 0; j < d; j++) {
      const a = clean[o + j];
      const b = triggered[o + j];
      const diff = a - b;
      s1 += Math.abs(diff);
      s2 += diff * diff;
      dot += a * b;
      na += a * a;
      nb += b * b;
      ga[groupIndex[j]] += Math.abs(a);
      gb[groupIndex[j]] += Math.abs(b);
      totalA += Math.abs(a);
      totalB += Math.abs(b);
      if (mask && mask[mo + j]) {
        inMask++;
        onA += Math.abs(a);
        onB += Math.abs(b);
      }
    }
    l1[i] = s1;
    l2[i] = Math.sqrt(s2);
    cosine[i] = na > 0 && nb > 0 ? 1 - dot / Math.sqrt(na * nb) : NaN;
    kendallTau[i] = kendallTauB(ga, gb);
    overlap[i] = topKOverlap(ga, gb, topK);
    if (mask) {
      triggerRatio[i] = totalB > 0 ? onB / totalB : NaN;
      cleanTriggerRatio[i] = totalA > 0 ? onA / totalA : NaN;
      maskShare += inMask / d / n;
    }
    for (let g = 0; g < G; g++) {
      importanceClean[g] += ga[g] / n;
      importanceTriggered[g] += gb[g] / n;
    }
  }
  return { l1, l2, cosine, kendallTau, overlap, triggerRatio, cleanTriggerRatio, importanceClean, importanceTriggered, maskShare };
}

/** The summary columns: means over the stays where defined, NaN with a reason where none is. */
function summariseDrift(stays: PerStayDrift, masked: boolean): { columns: DriftColumns; reasons: Record<string, string> } {
  const { l1, l2, cosine, kendallTau, overlap, triggerRatio } = stays;
  const reasons: Record<string, string> = {};
  const summarise = (column: keyof DriftColumns, values: Float64Array, why: string): number => {
    const m = nanMean(values);
    if (Number.isNaN(m)) reasons[column] = why;
    return m;
  };
  const columns: DriftColumns = {
    explain_trigger_attribution_ratio: masked
      ? summarise('explain_trigger_attribution_ratio', triggerRatio, 'every triggered stay has zero total attribution')
      : ((reasons.explain_trigger_attribution_ratio = 'no trigger mask (trigger none, or no input element changed)'), NaN),
    explain_attr_l1: summarise('explain_attr_l1', l1, 'no stays'),
    explain_attr_l2: summarise('explain_attr_l2', l2, 'no stays'),
    explain_attr_cosine: summarise('explain_attr_cosine', cosine, 'every stay has an all-zero clean or triggered attribution'),
    explain_kendall_tau: summarise(
      'explain_kendall_tau',
      kendallTau,
      'every stay has a constant ranking (fewer than 2 groups, or all attributions equal)',
    ),
    explain_topk_overlap: summarise('explain_topk_overlap', overlap, 'no stays'),
  };
  return { columns, reasons };
}

function nanMean(values: Float64Array): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    count++;
  }
  return count ? sum / count : NaN;
}
