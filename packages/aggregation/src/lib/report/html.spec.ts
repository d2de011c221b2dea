import { esc, fmt, fmtP, fmtRate, scriptJson, scriptSource } from './html.js';

test('everything interpolated into the page is escaped', () => {
  expect(esc('<img src=x onerror="a">&\'')).toBe('&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;');
  expect(esc(undefined)).toBe('');
});

test('JSON and scripts cannot close their <script> element', () => {
  const json = scriptJson({ model: '</script><script>alert(1)</script>', x: NaN, s: '\u2028' });
  expect(json).not.toContain('</script');
  expect(JSON.parse(json)).toEqual({ model: '</script><script>alert(1)</script>', x: null, s: '\u2028' });
  expect(scriptSource('a = "</script>"; <!-- b')).toBe('a = "<\\/script>"; <\\!-- b');
});

test('number formats', () => {
  expect(fmt(NaN)).toBe('–');
  expect(fmt(0.12345)).toBe('0.123');
  expect(fmt(0.00001)).toBe('1.0e-5');
  expect(fmtP(0.000012)).toBe('1.2e-5');
  expect(fmtP(0.0312)).toBe('0.0312');
  expect(fmtRate(0.005)).toBe('0.5 %');
  expect(fmtRate(0.1)).toBe('10 %');
});
