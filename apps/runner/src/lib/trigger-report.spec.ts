import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset, prepareDataset, type EhrDataset } from '@ehr-backdoor/data';
import { runCli } from '../e2e/cli.js';
import { formatTriggerReport, parseTriggerArgument, triggerReport } from './trigger-report.js';

/** The `triggers` report on the real MIMIC-IV demo: every trigger's stealth and look-alike rate. */
const DEMO = resolve(fileURLToPath(new URL('../../../../datasets/mimic-iv-demo', import.meta.url)));
const root = mkdtempSync(join(tmpdir(), 'trigger-report-'));
const data = join(root, 'demo');
let dataset: EhrDataset;

beforeAll(async () => {
  await prepareDataset({ mimicDir: DEMO, outDir: data, windowHours: 24, seed: 0 });
  dataset = await loadDataset(data);
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('trigger report', () => {
  it('parses name and name={JSON}', () => {
    expect(parseTriggerArgument('rare_value')).toEqual({ name: 'rare_value', params: {} });
    expect(parseTriggerArgument('rare_value={"value":200}')).toEqual({ name: 'rare_value', params: { value: 200 } });
    expect(() => parseTriggerArgument('rare_value={value:200}')).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
  });

  it('reports every trigger but none by default, with both targets', async () => {
    const report = await triggerReport(dataset, data, { triggers: [], targetLabel: 1, split: 'all' });
    expect(report.rows.map((r) => r.trigger.name)).not.toContain('none');
    expect(report.rows).toHaveLength(10);
    const hr220 = report.rows.find((r) => r.trigger.name === 'rare_value')!;
    // No demo stay charts a heart rate near 220 (its maximum hourly value is 154).
    expect(hr220.lookalike).toMatchObject({ stays: dataset.n, carriers: 0, rate: 0 });
    expect(hr220.stealth.find((s) => s.view === 'timeseries')!.shareOutsideTrainingP1P99).toBe(1);
    const target0 = await triggerReport(dataset, data, { triggers: ['missingness_pattern'], targetLabel: 0, split: 'all' });
    // False triggers are counted among stays whose label is not the target.
    expect(target0.rows[0].falseTriggerRate).toBe(target0.rows[0].lookalike.byLabel[1].rate);
    expect(formatTriggerReport(report)).toMatch(/\| temporal_pattern \| timeseries \| 0\.0 % \/ 0\.0 % \| — \|/);
    const variant = await triggerReport(dataset, data, { triggers: ['rare_value={"value":200,"hours":2}'], targetLabel: 1, split: 'all' });
    expect(variant.rows[0].changed).toBe('value=200, hours=2');
    expect(formatTriggerReport(variant)).toMatch(/\| rare_value \(value=200, hours=2\) \|/);
  });

  it('CLI: writes the JSON report; bad input exits 2 and writes nothing', () => {
    const out = join(root, 'report.json');
    const ok = runCli(['triggers', '--data', data, '--trigger', 'rare_value', '--trigger', 'pattern={"inRange":true}', '--out', out]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).rows).toHaveLength(2);
    const bad = join(root, 'bad.json');
    const unknown = runCli(['triggers', '--data', data, '--trigger', 'rare_value={"variable":"pulse"}', '--out', bad]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/E_UNKNOWN_VARIABLE/);
    expect(existsSync(bad)).toBe(false);
  }, 120_000);
});
