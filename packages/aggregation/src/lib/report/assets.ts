import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fontFiles, packageDir } from '../plots/render.js';

/**
 * The report's offline assets: the built UMD bundles of vega, vega-lite and vega-embed (inlined, so
 * the page needs no network) and the shipped font (inlined as a data: URL, so the browser draws the
 * same glyphs as the PNGs whatever fonts the machine has).
 */
export interface ReportAssets {
  readonly scripts: readonly { readonly name: string; readonly version: string; readonly source: string }[];
  readonly fontBase64: string;
}

const BUNDLES = [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
] as const;

export async function loadReportAssets(): Promise<ReportAssets> {
  const scripts = await Promise.all(
    BUNDLES.map(async ([name, file]) => {
      const dir = packageDir(name);
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string };
      // Drop the source-map comment: the map is not shipped and the browser would try to fetch it.
      const source = (await readFile(join(dir, file), 'utf8')).replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
      return { name, version: pkg.version, source };
    }),
  );
  const fontBase64 = (await readFile(fontFiles()[0])).toString('base64');
  return { scripts, fontBase64 };
}

/** Versions of the packages that drew the figures, for the provenance section. */
export async function toolVersions(): Promise<Record<string, string>> {
  const out: Record<string, string> = { node: process.version };
  for (const name of ['vega', 'vega-lite', 'vega-embed', '@resvg/resvg-js', 'apache-arrow', 'dejavu-fonts-ttf']) {
    try {
      out[name] = (JSON.parse(await readFile(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      out[name] = 'unknown';
    }
  }
  return out;
}
