import { loadFontMetrics } from './font-metrics.js';
import { fontFiles } from './render.js';

const [regular, bold] = fontFiles().map(loadFontMetrics);

test('advance widths from the font tables: DejaVu Sans space is 651/2048 em, digits share one width', () => {
  expect(regular.width(' ', 2048)).toBe(651);
  const digits = [...'0123456789'].map((d) => regular.width(d, 2048));
  expect(new Set(digits).size).toBe(1);
  expect(regular.width('', 12)).toBe(0);
});

test('widths add up, scale with the size, and bold is wider', () => {
  expect(regular.width('AUROC', 11)).toBeCloseTo(regular.width('AU', 11) + regular.width('ROC', 11), 10);
  expect(regular.width('poison rate', 22)).toBeCloseTo(2 * regular.width('poison rate', 11), 10);
  expect(bold.width('poison rate', 11)).toBeGreaterThan(regular.width('poison rate', 11));
  // a plausible sans-serif: an average lowercase letter is about half an em
  expect(regular.width('abcdefghijklmnopqrstuvwxyz', 10) / 26).toBeGreaterThan(4);
  expect(regular.width('abcdefghijklmnopqrstuvwxyz', 10) / 26).toBeLessThan(7);
  // characters outside the BMP or the font fall back to the .notdef glyph's width, never NaN
  expect(Number.isFinite(regular.width('\u{1F600}≥Δ', 11))).toBe(true);
});
