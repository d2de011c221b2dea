import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildReport, writeSyntheticRunTree } from '@ehr-backdoor/aggregation';

/**
 * End to end: a report built from a run tree (with broken cells) opened in headless Chromium must
 * render every chart with marks, log no console error and make no request but the page itself.
 * The screenshot is kept under test-artifacts/ (gitignored). CI installs Debian's `chromium`; locally
 * the test is skipped, with a message, only when /usr/bin/chromium is absent.
 */
const CHROMIUM = '/usr/bin/chromium';
const WORKSPACE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ARTIFACTS = join(WORKSPACE, 'test-artifacts');
const available = existsSync(CHROMIUM);
if (!available) {
  const message = `${CHROMIUM} not found: the Chromium end-to-end test of report.html is skipped (install it with \`apt-get install -y chromium\`).`;
  if (process.env.CI) throw new Error(`${message} CI must install it.`);
  console.warn(message);
}
const maybe = available ? test : test.skip;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'aggr-e2e-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

maybe('report.html renders every chart offline, without console errors or network requests', async () => {
  await writeSyntheticRunTree(join(tmp, 'runs'), { seeds: [0, 1], problems: true });
  const result = await buildReport({ runsDir: join(tmp, 'runs'), outDir: join(tmp, 'report'), png: false });
  const drawn = result.plots.filter((p) => !p.skipped).map((p) => p.name);
  expect(drawn).toHaveLength(17);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    const url = pathToFileURL(result.reportPath).href;
    await page.goto(url);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 60_000 });

    const charts = await page.$$eval('[data-chart]', (elements) =>
      elements.map((el) => ({
        name: el.getAttribute('data-chart'),
        svgs: el.querySelectorAll('svg').length,
        // items of data marks (not axes, legends, titles): vega tags each mark group with role-mark
        marks: el.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > text, g.role-mark > rect, g.role-mark > g')
          .length,
      })),
    );
    const status = await page.evaluate(() => (globalThis as unknown as { __chartStatus: Record<string, string> }).__chartStatus);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'aggregate-report.png'), fullPage: true });

    expect(charts.map((c) => c.name)).toEqual(drawn);
    for (const c of charts) {
      expect({ name: c.name, svgs: c.svgs }).toEqual({ name: c.name, svgs: 1 });
      expect({ name: c.name, hasMarks: c.marks > 0 }).toEqual({ name: c.name, hasMarks: true });
    }
    expect(Object.values(status).every((s) => s === 'rendered')).toBe(true);
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    // the table of contents reaches every plot, and every plot's file links point at files of the report
    const toc = await page.$$eval('nav.toc a', (as) => as.map((a) => a.getAttribute('href')!));
    for (const name of result.plots.map((p) => p.name)) expect(toc).toContain(`#plot-${name}`);
    for (const href of toc) expect(await page.$(href)).not.toBeNull();
    const files = await page.$$eval('a[data-plot-file]', (as) => as.map((a) => a.getAttribute('href')!));
    expect(files.length).toBeGreaterThanOrEqual(drawn.length * 3);
    for (const f of files) expect(existsSync(join(result.outDir, f))).toBe(true);
  } finally {
    await browser.close();
  }
});
