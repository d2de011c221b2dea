/**
 * Data-pipeline benchmark: `synth` then `prepare` at growing sizes, each phase in its own child process
 * so that its peak RSS (getrusage maxRSS, which includes DuckDB's native memory) is its own.
 *
 *   for each target size (chartevents rows):
 *     child: generateSyntheticMimic(stays ≈ rows / rows-per-stay) ──▶ rows, seconds, peak RSS
 *     child: prepareDataset(that directory)                        ──▶ rows, seconds, peak RSS
 *   ──▶ one table side by side, and the time extrapolated (linearly in input rows) to full-size MIMIC-IV
 *
 * Run from the repository root:
 *   node --import ./tools/node/source-loader.js tools/bench/data-pipeline.ts [--rows 1e6,1e7] [--work DIR] [--keep]
 * Timings depend on the machine and its load; they are reported, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Full-size MIMIC-IV 3.1: chartevents and labevents rows, ICU stays. */
const FULL_MIMIC = { chartevents: 330e6, labevents: 120e6, stays: 74e3 } as const;
/** chartevents rows per synthetic stay (measured: 1,856,293 rows for 3,000 stays at seed 1). */
const CHART_ROWS_PER_STAY = 619;

interface PhaseResult {
  readonly phase: 'synth' | 'prepare';
  readonly stays: number;
  readonly chartevents: number;
  readonly labevents: number;
  readonly seconds: number;
  readonly maxRssMiB: number;
  readonly cohort?: number;
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function child(): Promise<void> {
  const phase = option('phase');
  const dir = resolve(option('dir') ?? '');
  const data = await import('@ehr-backdoor/data');
  const started = performance.now();
  let result: Omit<PhaseResult, 'seconds' | 'maxRssMiB'>;
  if (phase === 'synth') {
    const summary = await data.generateSyntheticMimic({ stays: Number(option('stays')), seed: 1, outDir: dir });
    result = {
      phase,
      stays: summary.rows['icu/icustays'],
      chartevents: summary.rows['icu/chartevents'],
      labevents: summary.rows['hosp/labevents'],
    };
  } else {
    const synthetic = JSON.parse(readFileSync(join(dir, 'synthetic.json'), 'utf8')) as { rows: Record<string, number> };
    const prepared = await data.prepareDataset({ mimicDir: dir, outDir: `${dir}-prepared`, seed: 0 });
    result = {
      phase: 'prepare',
      stays: synthetic.rows['icu/icustays'],
      chartevents: synthetic.rows['icu/chartevents'],
      labevents: synthetic.rows['hosp/labevents'],
      cohort: prepared.manifest.cohort.stays,
    };
  }
  const seconds = (performance.now() - started) / 1000;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ ...result, seconds, maxRssMiB })}\n`);
}

function runPhase(phase: 'synth' | 'prepare', dir: string, stays: number): PhaseResult {
  const script = fileURLToPath(import.meta.url);
  const loader = resolve('tools/node/source-loader.js');
  process.stderr.write(`  ${phase} ${stays} stays …\n`);
  const run = spawnSync(process.execPath, ['--import', loader, script, '--phase', phase, '--dir', dir, '--stays', String(stays)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`${phase} failed with exit ${run.status}`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as PhaseResult;
}

const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function duration(seconds: number): string {
  if (seconds < 120) return `${fmt(seconds)} s`;
  if (seconds < 7200) return `${fmt(seconds / 60, 1)} min`;
  return `${fmt(seconds / 3600, 1)} h`;
}

async function parent(): Promise<void> {
  const targets = (option('rows') ?? '1e6,1e7').split(',').map(Number);
  const work = option('work') ? resolve(option('work') ?? '') : mkdtempSync(join(tmpdir(), 'ehr-bench-data-'));
  const results: PhaseResult[] = [];
  process.stderr.write(`data-pipeline bench in ${work} (${cpus().length} cores, ${fmt(totalmem() / 2 ** 30, 0)} GiB)\n`);
  try {
    for (const target of targets) {
      const stays = Math.max(1, Math.round(target / CHART_ROWS_PER_STAY));
      const dir = join(work, `synth-${stays}`);
      results.push(runPhase('synth', dir, stays));
      results.push(runPhase('prepare', dir, stays));
      if (!process.argv.includes('--keep')) {
        rmSync(dir, { recursive: true, force: true });
        rmSync(`${dir}-prepared`, { recursive: true, force: true });
      }
    }
  } finally {
    if (!option('work') && !process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
  }

  const lines = [
    '| phase | stays | chartevents rows | labevents rows | time | input rows/s | peak RSS | full MIMIC-IV (extrapolated) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const rows = r.chartevents + r.labevents;
    const rate = rows / r.seconds;
    const full = (FULL_MIMIC.chartevents + FULL_MIMIC.labevents) / rate;
    lines.push(
      `| ${r.phase} | ${fmt(r.stays)} | ${fmt(r.chartevents)} | ${fmt(r.labevents)} | ${fmt(r.seconds, 1)} s | ${fmt(rate)} | ${fmt(r.maxRssMiB)} MiB | ${duration(full)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stdout.write(
    `\nExtrapolation: linear in input rows (chartevents + labevents) to full-size MIMIC-IV 3.1 ` +
      `(${fmt(FULL_MIMIC.chartevents / 1e6)} M chartevents + ${fmt(FULL_MIMIC.labevents / 1e6)} M labevents rows, ${fmt(FULL_MIMIC.stays / 1e3)} k ICU stays), from each row's own rate.\n`,
  );
}

if (option('phase')) await child();
else await parent();
