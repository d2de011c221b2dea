import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `dir`, relative to it, in a stable order. */
export function walk(dir) {
  const files = [];
  const visit = (d) => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) visit(path);
      else files.push(relative(dir, path));
    }
  };
  if (existsSync(dir)) visit(dir);
  return files;
}

export const hasTemporaries = (dir) =>
  walk(dir).some((f) => /(^|\/)\.tmp-/.test(f)) || (existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('.tmp-')));

// Wall-clock fields (study.resolved.json's writtenAt among them), the sweep plan's hash, which covers its own
// (absolute) runs root, and study.resolved.json's executor (how many workers ran the cells, not what they wrote).
const VOLATILE_KEYS = new Set([
  'startedAt',
  'finishedAt',
  'writtenAt',
  'executor',
  'wallTimeS',
  'trainS',
  'evalS',
  'wall_time_s',
  'createdAt',
  'at',
  'seconds',
  'planHash',
]);
const TIMESTAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g;

/** The bytes to compare: wall-clock fields dropped, the folder's own path replaced (only for text). */
function comparable(path, base) {
  const bytes = readFileSync(path);
  if (/\.(json)$/.test(path)) {
    const drop = (v) =>
      Array.isArray(v)
        ? v.map(drop)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([k]) => !VOLATILE_KEYS.has(k))
                .map(([k, x]) => [k, drop(x)]),
            )
          : v;
    return { text: JSON.stringify(drop(JSON.parse(bytes.toString('utf8').replaceAll(base, '<base>')))), bytewise: false };
  }
  if (/\.csv$/.test(path)) {
    const rows = bytes
      .toString('utf8')
      .replaceAll(base, '<base>')
      .split('\n')
      .map((l) => l.split(','));
    const drop = new Set(rows[0].map((h, i) => (VOLATILE_KEYS.has(h) ? i : -1)).filter((i) => i >= 0));
    return { text: rows.map((r) => r.filter((_, i) => !drop.has(i)).join(',')).join('\n'), bytewise: drop.size === 0 };
  }
  if (/\.(html|txt|svg)$/.test(path)) {
    const text = bytes.toString('utf8');
    const normal = text.replaceAll(base, '<base>').replace(TIMESTAMP, '<time>');
    return { text: normal, bytewise: normal === text };
  }
  return { bytes, bytewise: true };
}

/** Compares every file under `trial` with `reference` (same relative paths); counts outputs compared. */
export function compareTrees({ counts, check }, reference, trial, what, { referenceBase = reference, trialBase = trial } = {}) {
  const a = walk(reference);
  const b = walk(trial);
  const leftovers = b.filter((f) => /(^|\/)(\.tmp-|\.lock$|error\.json$)/.test(f));
  check(leftovers.length === 0, `${what}: leftovers ${leftovers.join(', ')}`);
  if (
    !check(
      JSON.stringify(a) === JSON.stringify(b.filter((f) => !leftovers.includes(f))),
      `${what}: the same files (${a.length} vs ${b.length}: ${b
        .filter((f) => !a.includes(f))
        .concat(a.filter((f) => !b.includes(f)))
        .slice(0, 4)
        .join(', ')})`,
    )
  )
    return;
  let identical = 0;
  for (const file of a) {
    const x = comparable(join(reference, file), referenceBase);
    const y = comparable(join(trial, file), trialBase);
    const same = x.bytes ? Buffer.compare(x.bytes, y.bytes ?? Buffer.alloc(0)) === 0 : x.text === y.text;
    counts.outputs++;
    if (same) {
      identical++;
      counts.identical++;
      if (x.bytewise && y.bytewise) counts.bytewise++;
    }
    check(same, `${what}: ${file} differs from the uninterrupted run`);
  }
  return identical;
}
