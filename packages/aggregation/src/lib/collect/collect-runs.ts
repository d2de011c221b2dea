import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { assertInput } from '@ehr-backdoor/core';
import { staleLockHolder } from './lock.js';
import { parseMetadata, type RunProvenance } from './metadata.js';
import { formatRate, parseSummary, type RunSummary } from './summary.js';
import { WARN, type AggregationWarning } from './warnings.js';
import type { AggregationCode } from '../error-codes.js';

/**
 * Collection: walk the runs root, find every run directory, read what it holds.
 *
 *   root ──walk──▶ run directories ──classify──▶ done (summary.json) │ failed │ running │ interrupted │ partial │ pending
 *                                     done ──parse──▶ summary ✓ │ corrupt │ other version │ invalid
 *                                     ✓ ──dedupe, check path, read run_metadata.json──▶ runs + warnings
 *
 * A directory is a run directory when it holds any file the runner writes into one (or is named
 * `seed_N`); the walk does not descend into run directories, hidden entries or `.tmp-*` siblings.
 */
const RUN_FILES = [
  'summary.json',
  'summary.csv',
  'run_metadata.json',
  'error.json',
  '.lock',
  'checkpoints',
  'poisoned_indices.json',
  'predictions.arrow',
];
const SEED_DIR = /^seed_\d+$/;
const PLAN_FILE = 'sweep-plan.json';

/**
 * A completed run whose summary parsed and passed the checks, with its provenance when run_metadata.json was readable.
 */
export interface CollectedRun {
  /** Run directory relative to the root, with `/` separators. */
  readonly dir: string;
  readonly summary: RunSummary;
  readonly metadata?: RunProvenance;
}

/** Every run directory under a runs root, sorted into usable runs and warnings for the rest. */
export interface RunCollection {
  readonly root: string;
  readonly runs: readonly CollectedRun[];
  readonly warnings: readonly AggregationWarning[];
  /** Run directories found, by what became of them; `notStarted`: cells of a sweep plan without a directory yet. */
  readonly counts: { readonly found: number; readonly aggregated: number; readonly excluded: number; readonly notStarted: number };
}

/**
 * Walks `root` and collects every run directory (phases drawn above). Unusable runs (unfinished, failed,
 * corrupt, another format version, duplicated) are never dropped silently: each gets an {@link AggregationWarning}.
 * @throws InputError `E_RUNS_NOT_FOUND` when `root` does not exist.
 */
export async function collectRuns(root: string): Promise<RunCollection> {
  const absRoot = resolve(root);
  assertInput<AggregationCode>(
    existsSync(absRoot),
    'E_RUNS_NOT_FOUND',
    () => `The runs directory ${root} does not exist; pass --runs DIR with the output directory of a sweep.`,
  );
  const found = { runs: [] as string[], plans: [] as string[] };
  await findRunDirectories(absRoot, found);
  const dirs = found.runs.sort();
  const runs: CollectedRun[] = [];
  const warnings: AggregationWarning[] = [];
  const notStarted = await plannedButAbsent(absRoot, found.plans.sort(), warnings);
  const seen = new Map<string, string>();
  let excluded = 0;
  for (const abs of dirs) {
    const dir = relative(absRoot, abs).split(sep).join('/') || '.';
    const summaryPath = join(abs, 'summary.json');
    if (!existsSync(summaryPath)) {
      warnings.push(await classifyUnfinished(abs, dir));
      excluded++;
      continue;
    }
    const parsed = parseSummary(await readFile(summaryPath, 'utf8'), dir);
    if (!parsed.ok) {
      warnings.push(parsed.warning);
      excluded++;
      continue;
    }
    const s = parsed.summary;
    const key = [s.datasetHash, s.model, s.trigger, s.mode, s.targetLabel, formatRate(s.poisonRate), s.seed].join('\u0000');
    const kept = seen.get(key);
    if (kept !== undefined) {
      warnings.push(WARN.duplicate(dir, kept));
      excluded++;
      continue;
    }
    seen.set(key, dir);
    warnings.push(...parsed.warnings);
    const mismatch = pathMismatch(dir, s);
    if (mismatch) warnings.push(WARN.pathMismatch(dir, mismatch));
    let metadata: RunProvenance | undefined;
    const metadataPath = join(abs, 'run_metadata.json');
    if (!existsSync(metadataPath)) warnings.push(WARN.metadataMissing(dir));
    else {
      const m = parseMetadata(await readFile(metadataPath, 'utf8'), dir);
      if (m.ok) metadata = m.metadata;
      else warnings.push(m.warning);
    }
    runs.push(metadata ? { dir, summary: s, metadata } : { dir, summary: s });
  }
  return { root: absRoot, runs, warnings, counts: { found: dirs.length, aggregated: runs.length, excluded, notStarted } };
}

async function findRunDirectories(dir: string, found: { runs: string[]; plans: string[] }): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  if (RUN_FILES.some((f) => names.has(f)) || SEED_DIR.test(dir.split(sep).pop() ?? '')) {
    found.runs.push(dir);
    return;
  }
  if (names.has(PLAN_FILE)) found.plans.push(join(dir, PLAN_FILE));
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    await findRunDirectories(join(dir, entry.name), found);
  }
}

/**
 * The runner writes the sweep's cells to `sweep-plan.json` in the runs root; a planned cell whose
 * directory does not exist yet has not started, and is listed so a half-run sweep is never mistaken
 * for a complete one.
 */
async function plannedButAbsent(root: string, plans: readonly string[], warnings: AggregationWarning[]): Promise<number> {
  let count = 0;
  for (const planPath of plans) {
    const planDir = dirname(planPath);
    const rel = relative(root, planPath).split(sep).join('/');
    let cells: unknown;
    try {
      const plan = JSON.parse(await readFile(planPath, 'utf8')) as { formatVersion?: unknown; cells?: unknown };
      if (plan.formatVersion !== 1) {
        warnings.push(WARN.planUnreadable(rel, `formatVersion ${JSON.stringify(plan.formatVersion)}, this aggregator reads 1`));
        continue;
      }
      cells = plan.cells;
    } catch (error) {
      warnings.push(WARN.planUnreadable(rel, (error as Error).message));
      continue;
    }
    if (!Array.isArray(cells)) {
      warnings.push(WARN.planUnreadable(rel, 'no cells list'));
      continue;
    }
    for (const cell of cells as { model?: unknown; trigger?: unknown; rate?: unknown; seed?: unknown }[]) {
      if (
        typeof cell?.model !== 'string' ||
        typeof cell.trigger !== 'string' ||
        typeof cell.rate !== 'number' ||
        typeof cell.seed !== 'number'
      )
        continue;
      const dir = join(planDir, cell.model, cell.trigger, formatRate(cell.rate), `seed_${cell.seed}`);
      if (existsSync(dir)) continue;
      warnings.push(WARN.notStarted(relative(root, dir).split(sep).join('/')));
      count++;
    }
  }
  return count;
}

async function classifyUnfinished(abs: string, dir: string): Promise<AggregationWarning> {
  if (existsSync(join(abs, 'error.json'))) {
    let message = 'unreadable error.json';
    try {
      const body = JSON.parse(await readFile(join(abs, 'error.json'), 'utf8')) as { message?: unknown; code?: unknown };
      if (typeof body.message === 'string') message = typeof body.code === 'string' ? `${body.message} [${body.code}]` : body.message;
    } catch {
      // keep the generic message: the failure itself is what the table must show
    }
    return WARN.failed(dir, message);
  }
  if (existsSync(join(abs, '.lock'))) {
    // A lock whose holder died (SIGKILL, OOM, a lost session) is not a run in progress.
    const stale = await staleLockHolder(join(abs, '.lock'));
    return stale ? WARN.interrupted(dir, stale) : WARN.running(dir);
  }
  const checkpoints = join(abs, 'checkpoints');
  if (existsSync(checkpoints) && (await readdir(checkpoints)).some((f) => !f.startsWith('.tmp-'))) return WARN.partial(dir);
  let status: string | undefined;
  try {
    status = (JSON.parse(await readFile(join(abs, 'run_metadata.json'), 'utf8')) as { status?: string }).status;
  } catch {
    status = undefined;
  }
  return WARN.pending(dir, status);
}

/** Compares `{model}/{trigger}/{rate}/seed_{seed}` at the end of the path with the summary. */
function pathMismatch(dir: string, s: RunSummary): string | undefined {
  const parts = dir.split('/');
  if (parts.length < 4 || !SEED_DIR.test(parts[parts.length - 1])) return undefined;
  const [model, trigger, rate, seed] = parts.slice(-4);
  const problems: string[] = [];
  if (model !== s.model) problems.push(`model ${model} ≠ ${s.model}`);
  if (trigger !== s.trigger) problems.push(`trigger ${trigger} ≠ ${s.trigger}`);
  if (Number(rate) !== Number(formatRate(s.poisonRate))) problems.push(`rate ${rate} ≠ ${s.poisonRate}`);
  if (seed !== `seed_${s.seed}`) problems.push(`${seed} ≠ seed_${s.seed}`);
  return problems.length > 0 ? problems.join(', ') : undefined;
}

/** Candidate locations of a dataset directory recorded in run_metadata.json (often relative to where the sweep ran). */
export function datasetDirCandidates(datasetPath: string, root: string): string[] {
  if (isAbsolute(datasetPath)) return [datasetPath];
  return [
    ...new Set([
      resolve(process.cwd(), datasetPath),
      resolve(root, datasetPath),
      resolve(root, '..', datasetPath),
      resolve(root, '..', '..', datasetPath),
    ]),
  ];
}
