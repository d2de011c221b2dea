import { readFileSync } from 'node:fs';

/**
 * Text advance widths read from a TrueType font's own tables (head, hhea, hmtx, cmap format 4), so
 * that vega lays out labels, legends and titles with the widths resvg will draw, instead of its
 * headless estimate (0.8 × font size per character, which leaves gaps and truncates long labels).
 * Kerning is ignored: it changes a label's width by a fraction of a character.
 */
export interface FontMetrics {
  /** Width in pixels of `text` set at `fontSize` px. */
  width(text: string, fontSize: number): number;
}

export function loadFontMetrics(path: string): FontMetrics {
  const data = readFileSync(path);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const tables = new Map<string, number>();
  const numTables = view.getUint16(4);
  for (let i = 0; i < numTables; i++) {
    const record = 12 + 16 * i;
    tables.set(data.toString('latin1', record, record + 4), view.getUint32(record + 8));
  }
  const table = (tag: string) => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`${path} has no ${tag} table`);
    return offset;
  };
  const unitsPerEm = view.getUint16(table('head') + 18);
  const numberOfHMetrics = view.getUint16(table('hhea') + 34);
  const hmtx = table('hmtx');
  const advance = (glyph: number) => view.getUint16(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));

  // cmap: the Windows Unicode BMP subtable (platform 3, encoding 1), format 4
  const cmap = table('cmap');
  let sub = -1;
  for (let i = 0; i < view.getUint16(cmap + 2); i++) {
    const rec = cmap + 4 + 8 * i;
    if (view.getUint16(rec) === 3 && view.getUint16(rec + 2) === 1) sub = cmap + view.getUint32(rec + 4);
  }
  if (sub < 0 || view.getUint16(sub) !== 4) throw new Error(`${path} has no format-4 Unicode cmap`);
  const segX2 = view.getUint16(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const rangeOffsets = deltas + segX2;
  const glyphOf = (code: number): number => {
    for (let s = 0; s < segX2; s += 2) {
      if (code > view.getUint16(ends + s)) continue;
      const start = view.getUint16(starts + s);
      if (code < start) return 0;
      const delta = view.getInt16(deltas + s);
      const ro = view.getUint16(rangeOffsets + s);
      if (ro === 0) return (code + delta) & 0xffff;
      const g = view.getUint16(rangeOffsets + s + ro + 2 * (code - start));
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
  const cache = new Map<number, number>();
  const unitsOf = (code: number) => {
    let w = cache.get(code);
    if (w === undefined) {
      w = code > 0xffff ? advance(0) : advance(glyphOf(code));
      cache.set(code, w);
    }
    return w;
  };
  return {
    width(text: string, fontSize: number): number {
      let units = 0;
      for (const ch of text) units += unitsOf(ch.codePointAt(0)!);
      return (units / unitsPerEm) * fontSize;
    },
  };
}
