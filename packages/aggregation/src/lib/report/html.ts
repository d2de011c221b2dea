/** Small HTML helpers: everything interpolated into the report goes through `esc`. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON safe inside <script>: `<` is escaped so no `</script>` or `<!--` can end the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline JavaScript made safe inside <script>. */
export function scriptSource(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { className?: string; rawCells?: boolean } = {},
): string {
  const cell = (c: string) => (options.rawCells ? c : esc(c));
  return `<table${options.className ? ` class="${esc(options.className)}"` : ''}><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`)
    .join('\n')}</tbody></table>`;
}

export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  if (x !== 0 && Math.abs(x) < 10 ** -digits) return x.toExponential(1);
  return x.toFixed(digits);
}

export function fmtP(p: number): string {
  if (!Number.isFinite(p)) return '–';
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

export function fmtRate(rate: number): string {
  return `${Number((rate * 100).toFixed(3))} %`;
}
