import { WARN, type AggregationWarning } from './warnings.js';

/**
 * The provenance the report shows from `run_metadata.json` (formatVersion 1). Only what the report
 * needs is read, and each part is optional: a run without provenance is still a run.
 */
export interface RunProvenance {
  readonly runId?: string;
  readonly status?: string;
  readonly configHash?: string;
  readonly dataset?: { readonly path?: string; readonly contentHash?: string; readonly mimicVersion?: string };
  readonly versions?: Readonly<Record<string, string>>;
  readonly backend?: { readonly requested?: string; readonly used?: string; readonly reason?: string };
  readonly wallTimeS?: number;
}

export type ParsedMetadata =
  | { readonly ok: true; readonly metadata: RunProvenance }
  | { readonly ok: false; readonly warning: AggregationWarning };

export function parseMetadata(text: string, path: string): ParsedMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, warning: WARN.metadataCorrupt(path, (error as Error).message) };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, warning: WARN.metadataCorrupt(path, 'not a JSON object') };
  const r = raw as Record<string, unknown>;
  if (r.formatVersion !== 1) return { ok: false, warning: WARN.metadataVersion(path, r.formatVersion) };
  const obj = (v: unknown): Record<string, unknown> | undefined =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const dataset = obj(r.dataset);
  const backend = obj(r.backend);
  const versions = obj(r.versions);
  const timings = obj(r.timings);
  const metadata: RunProvenance = {
    runId: s(r.runId),
    status: s(r.status),
    configHash: s(r.configHash),
    dataset: dataset ? { path: s(dataset.path), contentHash: s(dataset.contentHash), mimicVersion: s(dataset.mimicVersion) } : undefined,
    versions: versions
      ? Object.fromEntries(
          Object.entries(versions)
            .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
            .map(([k, v]) => [k, String(v)]),
        )
      : undefined,
    backend: backend
      ? { requested: s(backend.requested), used: s(backend.used), reason: s(backend.reason) ?? s(backend.description) }
      : undefined,
    wallTimeS: typeof timings?.wallTimeS === 'number' ? timings.wallTimeS : undefined,
  };
  return { ok: true, metadata };
}
