import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY } from './base.js';
import { loadFontMetrics } from './font-metrics.js';

/**
 * Rendering without a browser: vega-lite compiles the spec, vega's headless View renders SVG, and
 * resvg rasterises it to PNG with the project's own font loaded explicitly (never the system's, so a
 * machine without fonts draws the same text).
 */
export function compileToVega(spec: TopLevelSpec): vega.Spec {
  return compile(spec).spec;
}

/**
 * Renders a Vega-Lite spec to SVG headlessly, with the shipped font's metrics so text is laid out the same on every machine.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  useShippedFontMetrics();
  const view = new vega.View(vega.parse(compileToVega(spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

let metricsInstalled = false;

/**
 * Vega measures text with a canvas when it has one and otherwise estimates it; headless, it gets
 * the shipped font's real advance widths instead (as vl-convert does), so the SVG's layout fits the
 * glyphs resvg draws. This sets vega's process-wide `textMetrics.width`, once.
 */
export function useShippedFontMetrics(): void {
  if (metricsInstalled) return;
  const [regular, bold] = fontFiles().map(loadFontMetrics);
  vega.textMetrics.width = (item, text) => {
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    const value = text ?? item.text;
    const s = value == null ? '' : Array.isArray(value) ? value.join(' ') : String(value);
    const isBold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
    return (isBold ? bold : regular).width(s, size);
  };
  metricsInstalled = true;
}

// vega re-exports vega-scenegraph's textMetrics; its typings (vega-typings) leave it out.
declare module 'vega' {
  const textMetrics: { width: (item: TextItem, text?: unknown) => number };
}

interface TextItem {
  readonly fontSize?: number | string;
  readonly fontWeight?: string | number;
  readonly text?: unknown;
}

/** Options of {@link renderPng}. */
export interface PngOptions {
  /** Pixel density relative to the SVG's size (default 2, for print). */
  readonly scale?: number;
  readonly fontFiles?: readonly string[];
}

/**
 * Rasterises an SVG from {@link renderSvg} to PNG bytes with resvg, loading only the shipped font (never the system's).
 */
export function renderPng(svg: string, options: PngOptions = {}): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    font: {
      loadSystemFonts: false,
      fontFiles: [...(options.fontFiles ?? fontFiles())],
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
    background: 'white',
  });
  return resvg.render().asPng();
}

/**
 * The shipped font: DejaVu Sans from the `dejavu-fonts-ttf` package (a dependency of this package,
 * so `npm ci` installs it). Found by walking up to the nearest node_modules, because the package has
 * no `exports` map for its font files.
 */
export function fontFiles(): string[] {
  const dir = packageDir('dejavu-fonts-ttf');
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(dir, 'ttf', f));
}

export function packageDir(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`cannot find the package ${name} in any node_modules above ${fileURLToPath(import.meta.url)}; run npm ci`);
    dir = parent;
  }
}
