import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The variants of a study run into a runs folder, read from the runner's study.resolved.json: what a
 * variant name stands for, so plots can say `lstm_small (lstm)` and `hr220_survive (rare_value → 0)`.
 * Run folders written before study files have no such file: every name is then its own label.
 */
export interface VariantLabels {
  /** Model variant name → label. */
  readonly models: Readonly<Record<string, string>>;
  /** Attack variant name → label. */
  readonly attacks: Readonly<Record<string, string>>;
}

export const RESOLVED_STUDY_FILE = 'study.resolved.json';

/** The parts of the runner's study.resolved.json that name variants (the file holds more). */
export interface ResolvedStudyJson {
  readonly models?: readonly { readonly name: string; readonly config?: { readonly kind?: string } }[];
  readonly attacks?: readonly { readonly name: string; readonly trigger?: string; readonly target?: number }[];
}

/** The labels of the study run into `runsDir`; undefined for a runs folder without study.resolved.json. */
export async function readVariantLabels(runsDir: string): Promise<VariantLabels | undefined> {
  const path = join(runsDir, RESOLVED_STUDY_FILE);
  if (!existsSync(path)) return undefined;
  let study: ResolvedStudyJson;
  try {
    study = JSON.parse(await readFile(path, 'utf8')) as ResolvedStudyJson;
  } catch {
    return undefined;
  }
  return variantLabels(study);
}

/** A variant named after what it is (`lstm`, `rare_value` towards 1) keeps its name; others say what they are. */
export function variantLabels(study: ResolvedStudyJson): VariantLabels {
  const models: Record<string, string> = {};
  for (const m of study.models ?? []) models[m.name] = m.config?.kind && m.config.kind !== m.name ? `${m.name} (${m.config.kind})` : m.name;
  const attacks: Record<string, string> = {};
  for (const a of study.attacks ?? []) {
    const parts = [...(a.trigger && a.trigger !== a.name ? [a.trigger] : []), ...(a.target === 0 ? ['target 0'] : [])];
    attacks[a.name] = parts.length ? `${a.name} (${parts.join(', ')})` : a.name;
  }
  return { models, attacks };
}
