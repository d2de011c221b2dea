import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import {
  canonicalJson,
  CompatibilityError,
  DataError,
  InputError,
  isFiniteInRange,
  sha256,
  writeFileAtomic,
  writeJsonAtomic,
} from '@ehr-backdoor/core';
import { isPlannedPerturbation } from './clean-label.js';
import { isPoisonMode, POISON_MODES } from './modes.js';
import { planHashOf, type PoisoningPlan } from './plan.js';
import { resolveTrigger } from './triggers/registry.js';
import type { TriggerSpec } from './triggers/types.js';
import type { PoisonCode } from './error-codes.js';

/**
 * A plan on disk, for reproduction and audit:
 *   poison-plan.json      every plan field (trigger and parameters, mode, rate, count, seed, dataset
 *                         hash, poisoned stay ids and row indices, plan hash) + the Arrow file's sha256
 *   poison-indices.arrow  Arrow IPC file, columns row_index and stay_id (Int32), one row per poisoned stay
 * Each file is written atomically, the Arrow file first: the JSON, written last, names the hash of
 * the Arrow file, so a reader never accepts a half-written pair.
 */
export const PLAN_JSON = 'poison-plan.json';
/** File name of the poisoned rows' Arrow IPC file in a plan directory. */
export const PLAN_ARROW = 'poison-indices.arrow';

/** Absolute paths of the two files {@link writePlanManifest} wrote. */
export interface PlanManifestFiles {
  readonly json: string;
  readonly arrow: string;
}

/**
 * Writes `plan` into `dir` as `poison-plan.json` and `poison-indices.arrow` (format above), each
 * atomically, the Arrow file first, so {@link readPlanManifest} never accepts a half-written pair.
 * File-system errors are rethrown as they are.
 */
export async function writePlanManifest(dir: string, plan: PoisoningPlan): Promise<PlanManifestFiles> {
  const table = tableFromArrays({ row_index: Int32Array.from(plan.rowIndices), stay_id: Int32Array.from(plan.stayIds) });
  const bytes = tableToIPC(table, 'file');
  const arrow = join(dir, PLAN_ARROW);
  const json = join(dir, PLAN_JSON);
  await writeFileAtomic(arrow, bytes);
  await writeJsonAtomic(json, { ...plan, indices: { file: PLAN_ARROW, sha256: sha256(bytes), rows: plan.rowIndices.length } });
  return { json, arrow };
}

function invalid(path: string, what: string): DataError {
  return new DataError<PoisonCode>(
    'E_PLAN_INVALID',
    `${path}: ${what}. The file is not a poisoning plan written by writePlanManifest, or it was edited; plan again.`,
  );
}

const isIntArray = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => Number.isInteger(v));

/**
 * Reads and checks a plan written by `writePlanManifest`: structure, trigger parameters (they must
 * resolve to themselves), the plan hash, and the Arrow indices against the JSON. Throws
 * E_PLAN_MISSING (InputError), E_PLAN_FORMAT (CompatibilityError), E_PLAN_INVALID or
 * E_PLAN_HASH_MISMATCH (DataError).
 *
 *   read poison-plan.json ─▶ check every field ─▶ check the plan hash ─▶ check poison-indices.arrow against it
 */
export async function readPlanManifest(dir: string): Promise<PoisoningPlan> {
  const path = join(dir, PLAN_JSON);
  const raw = await readPlanJson(path);
  const plan = planFromJson(raw, path);
  const { planHash, ...body } = plan;
  if (planHashOf(body) !== planHash) {
    throw new DataError<PoisonCode>(
      'E_PLAN_HASH_MISMATCH',
      `${path}: the plan's content does not match its planHash; it was edited after planning. Plan again.`,
    );
  }
  await checkArrowIndices(dir, plan, raw['indices']);
  return plan;
}

/** The JSON object of a plan file of format 1. */
async function readPlanJson(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError<PoisonCode>(
      'E_PLAN_MISSING',
      `No poisoning plan at ${path}: write one with writePlanManifest (or check the run folder).`,
      {},
      { cause: error },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DataError<PoisonCode>('E_PLAN_INVALID', `${path} is not valid JSON (${(error as Error).message}); plan again.`);
  }
  if (raw === null || typeof raw !== 'object') throw invalid(path, 'not a JSON object');
  const object = raw as Record<string, unknown>;
  if (object['formatVersion'] !== 1) {
    throw new CompatibilityError<PoisonCode>(
      'E_PLAN_FORMAT',
      `${path} has plan format ${JSON.stringify(object['formatVersion'])}; this version reads format 1.`,
    );
  }
  return object;
}

/** Every field of the plan checked and typed; the trigger's parameters must be complete resolved ones. */
function planFromJson(raw: Record<string, unknown>, path: string): PoisoningPlan {
  const {
    trigger,
    views,
    resolved,
    mode,
    rate,
    targetLabel,
    seed,
    trainSize,
    eligible,
    count,
    rowIndices,
    stayIds,
    datasetContentHash,
    planHash,
    perturbation,
  } = raw;
  const rateBasis = raw['rateBasis'] ?? 'eligible';
  if (rateBasis !== 'eligible' && rateBasis !== 'train')
    throw invalid(path, `'rateBasis' ${JSON.stringify(rateBasis)} is not 'eligible' or 'train'`);
  const spec = resolvedTrigger(trigger, path);
  if (!Array.isArray(views) || !views.every((v) => v === 'tabular' || v === 'timeseries'))
    throw invalid(path, "'views' is not a list of views");
  if (!isRecord(resolved)) throw invalid(path, "'resolved' is not an object");
  if (!isPoisonMode(mode)) throw invalid(path, `'mode' ${JSON.stringify(mode)} is not one of ${POISON_MODES.join(', ')}`);
  if (!isFiniteInRange(rate, { min: 0, max: 1 })) throw invalid(path, "'rate' is not in [0, 1]");
  if (targetLabel !== 0 && targetLabel !== 1) throw invalid(path, "'targetLabel' is not 0 or 1");
  const integers = { seed, trainSize, eligible, count };
  for (const [key, value] of Object.entries(integers)) if (!Number.isSafeInteger(value)) throw invalid(path, `'${key}' is not an integer`);
  if (!isIntArray(rowIndices) || !isIntArray(stayIds) || rowIndices.length !== count || stayIds.length !== count) {
    throw invalid(path, "'rowIndices' and 'stayIds' must be integer lists of length 'count'");
  }
  if (typeof datasetContentHash !== 'string' || typeof planHash !== 'string') throw invalid(path, 'hashes are missing');
  if (perturbation !== undefined && !isPlannedPerturbation(perturbation))
    throw invalid(path, "'perturbation' is not a recorded clean-label perturbation");
  return {
    formatVersion: 1,
    trigger: spec,
    views,
    resolved,
    mode,
    rate,
    targetLabel,
    seed: Number(seed),
    trainSize: Number(trainSize),
    eligible: Number(eligible),
    rateBasis,
    count: Number(count),
    rowIndices,
    stayIds,
    datasetContentHash,
    ...(perturbation !== undefined && { perturbation }),
    planHash,
  };
}

/** The plan's trigger, which must be { name, params } with every parameter given (resolving it changes nothing). */
function resolvedTrigger(trigger: unknown, path: string): TriggerSpec {
  if (!isRecord(trigger) || typeof trigger['name'] !== 'string') throw invalid(path, "'trigger' is not { name, params }");
  const { name, params } = trigger;
  const spec = resolveTrigger(name, params);
  if (canonicalJson(spec.params) !== canonicalJson(params)) {
    const missing = Object.keys(spec.params).filter((k) => !(k in (isRecord(params) ? params : {})));
    // A parameter added to a trigger later (e.g. temporal_pattern's 'units') is absent from older plans,
    // whose trigger behaved differently: refuse rather than read them with the new default.
    const older = missing.length
      ? `; it lacks ${missing.map((k) => `'${k}'`).join(', ')}, so it was made by an older version whose trigger differs — re-run the cell`
      : '';
    throw invalid(path, `trigger '${name}' parameters are not complete resolved parameters${older}`);
  }
  return spec;
}

/** poison-indices.arrow: present, of the sha256 the JSON records, and listing the JSON's rows and stays. */
async function checkArrowIndices(dir: string, plan: PoisoningPlan, indices: unknown): Promise<void> {
  const arrowPath = join(dir, PLAN_ARROW);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(arrowPath);
  } catch (error) {
    throw new DataError<PoisonCode>(
      'E_PLAN_INVALID',
      `${arrowPath} is missing next to ${PLAN_JSON}; write the plan again with writePlanManifest.`,
      {},
      { cause: error },
    );
  }
  const expected = isRecord(indices) ? indices['sha256'] : undefined;
  if (sha256(bytes) !== expected)
    throw new DataError<PoisonCode>(
      'E_PLAN_HASH_MISMATCH',
      `${arrowPath} does not match the sha256 recorded in ${PLAN_JSON}; write the plan again.`,
    );
  const table = tableFromIPC(bytes);
  const arrowRows = Array.from(table.getChild('row_index')?.toArray() ?? [], Number);
  const arrowStays = Array.from(table.getChild('stay_id')?.toArray() ?? [], Number);
  if (canonicalJson(arrowRows) !== canonicalJson(plan.rowIndices) || canonicalJson(arrowStays) !== canonicalJson(plan.stayIds)) {
    throw invalid(arrowPath, 'the Arrow indices differ from the JSON plan');
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
