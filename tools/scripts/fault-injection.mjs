#!/usr/bin/env node
// The fault-injection suite (`npm test` runs it as the `fault-injection` check; docs/reliability.md).
//
// Faults a cluster user meets, injected into the real command-line tools on a tiny synthetic dataset:
//   kill      SIGKILL at a random moment of prepare, run, sweep, explain, detect and the aggregate app,
//             then the same command again; its outputs are compared with an uninterrupted run's
//   full      a full file system while checkpoints, predictions.arrow, summaries and the report are
//             written (a small tmpfs where this machine lets us mount one, else an injected ENOSPC)
//   read-only an output folder on a read-only file system (a read-only tmpfs, else an injected EROFS)
//   shared    two sweeps started together on one runs folder; a third that leaves held cells
// A fault must end with the message the user should see (exit code, E_* code, the path, no stack trace),
// and the same command, once the fault is gone, must produce outputs identical to the reference's: byte
// for byte, except wall-clock fields (timestamps, durations), which are dropped before comparing.
//
// Seeded (FAULT_SEED, default 21: the kill moments), bounded (each command has a timeout; the whole
// suite ≈ 2–4 min on 2 free cores). Prints how many faults it injected and how many outputs it compared.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNNER = join(ROOT, 'apps/runner/bin/ehr-backdoor.js');
const AGGREGATE = join(ROOT, 'apps/aggregate/bin/ehr-backdoor-aggregate.js');
const INJECT = pathToFileURL(join(ROOT, 'tools/scripts/fault-injection/inject-errno.mjs')).href;
const SEED = Number(process.env.FAULT_SEED ?? 21);
const KEEP = process.env.FAULT_KEEP === '1';
const started = Date.now();

// mulberry32: the kill moments are reproducible from the seed (where a kill lands still depends on the
// machine's speed, which is the point: every moment must be survivable).
let state = SEED >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const W = mkdtempSync(join(tmpdir(), 'fault-injection-'));
const counts = { faults: 0, kills: 0, killsMidWrite: 0, full: 0, readOnly: 0, shared: 0, outputs: 0, identical: 0, bytewise: 0 };
const failures = [];
const mounts = [];
const log = (line) => process.stdout.write(`${line}\n`);

function check(condition, what) {
  if (!condition) {
    failures.push(what);
    log(`  FAIL ${what}`);
  }
  return condition;
}

/**
 * Runs a command to its end, or kills its whole process group: `killAfterMs` after it started, or, with
 * `writing` (a predicate polled every 20 ms), `killAfterMs` after it first wrote (so the kill lands while
 * it works, not while Node loads its modules). `firstWriteMs` says when `writing` first held.
 */
function run(bin, args, { killAfterMs, writing, onStderr, env = {}, nodeArgs = [], timeoutMs = 300_000 } = {}) {
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [...nodeArgs, bin, ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr);
    });
    const killGroup = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    let killer;
    let firstWriteMs;
    const watch = writing
      ? setInterval(() => {
          if (firstWriteMs === undefined && writing()) {
            firstWriteMs = Date.now() - t0;
            clearInterval(watch);
            if (killAfterMs !== undefined) killer = setTimeout(killGroup, killAfterMs);
          }
        }, 20)
      : undefined;
    if (!writing && killAfterMs !== undefined) killer = setTimeout(killGroup, killAfterMs);
    const limit = setTimeout(() => {
      stderr += `\n[fault-injection] timed out after ${timeoutMs} ms\n`;
      killGroup();
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      clearTimeout(limit);
      clearInterval(watch);
      // Workers of a killed sweep die with it (same group); give the kernel a moment to reap them.
      setTimeout(() => done({ code, signal, stdout, stderr, ms: Date.now() - t0, firstWriteMs }), signal ? 100 : 0);
    });
  });
}

const runner = (args, options) => run(RUNNER, args, options);
const aggregate = (args, options) => run(AGGREGATE, args, options);

function walk(dir) {
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

// Wall-clock fields (study.resolved.json's writtenAt among them), the sweep plan's hash, which covers its own
// (absolute) runs root, and study.resolved.json's executor (how many workers ran the cells, not what they wrote).
const VOLATILE_KEYS = new Set(['startedAt', 'finishedAt', 'writtenAt', 'executor', 'wallTimeS', 'trainS', 'evalS', 'wall_time_s', 'createdAt', 'at', 'seconds', 'planHash']);
const TIMESTAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g;

/** The bytes to compare: wall-clock fields dropped, the folder's own path replaced (only for text). */
function comparable(path, base) {
  const bytes = readFileSync(path);
  if (/\.(json)$/.test(path)) {
    const drop = (v) => (Array.isArray(v) ? v.map(drop) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !VOLATILE_KEYS.has(k)).map(([k, x]) => [k, drop(x)])) : v);
    return { text: JSON.stringify(drop(JSON.parse(bytes.toString('utf8').replaceAll(base, '<base>')))), bytewise: false };
  }
  if (/\.csv$/.test(path)) {
    const rows = bytes.toString('utf8').replaceAll(base, '<base>').split('\n').map((l) => l.split(','));
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
function compareTrees(reference, trial, what, { referenceBase = reference, trialBase = trial } = {}) {
  const a = walk(reference);
  const b = walk(trial);
  const leftovers = b.filter((f) => /(^|\/)(\.tmp-|\.lock$|error\.json$)/.test(f));
  check(leftovers.length === 0, `${what}: leftovers ${leftovers.join(', ')}`);
  if (!check(JSON.stringify(a) === JSON.stringify(b.filter((f) => !leftovers.includes(f))), `${what}: the same files (${a.length} vs ${b.length}: ${b.filter((f) => !a.includes(f)).concat(a.filter((f) => !b.includes(f))).slice(0, 4).join(', ')})`)) return;
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

function cleanStderr(result, what, code, errorCode) {
  check(result.code === code, `${what}: exit ${result.code} (signal ${result.signal}), expected ${code}\n${result.stderr.slice(-1500)}`);
  if (errorCode) check(new RegExp(`error \\[${errorCode}\\]`).test(result.stderr), `${what}: stderr names ${errorCode}`);
  check(!/this is a bug/.test(result.stderr), `${what}: no "this is a bug"`);
  check(!/\n\s+at .+:\d+:\d+\)?\n/.test(result.stderr), `${what}: no stack trace without --verbose`);
}

function tryMount(dir, options) {
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0 || process.env.FAULT_NO_MOUNT === '1') return false;
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (result.status === 0) mounts.push(dir);
  return result.status === 0;
}
const remount = (dir, options) => spawnSync('mount', ['-o', `remount,${options}`, dir], { encoding: 'utf8' }).status === 0;

/**
 * SIGKILLs `command` at `kills` random moments (a resume may be killed again), then lets it finish. With
 * `writing`, the moment is drawn from the reference's working time (after its first write); without, from
 * its whole time.
 */
async function killAndResume(name, command, reference, { kills = 1, writing, midWrite = () => false } = {}) {
  for (let k = 0; k < kills; k++) {
    const span = writing && reference.firstWriteMs !== undefined ? reference.ms - reference.firstWriteMs : reference.ms;
    // Without a first write to wait for, the window leaves out start-up and stays short of the end, which
    // a busy machine moves.
    const delay = Math.round(span * (writing ? 0.9 * random() : 0.2 + 0.5 * random()));
    const result = await command({ killAfterMs: delay, ...(writing ? { writing } : {}) });
    counts.faults++;
    counts.kills++;
    const killed = result.signal === 'SIGKILL';
    if (killed && midWrite()) counts.killsMidWrite++;
    const when = writing ? (result.firstWriteMs === undefined ? 'before its first write' : `${delay} ms after its first write`) : `after ${delay} ms`;
    log(`  kill ${name} #${k + 1} ${when}: ${killed ? `killed${midWrite() ? ', output half-written' : ''}` : `finished first (exit ${result.code})`}`);
  }
  const resumed = await command({});
  check(resumed.code === 0, `${name}: the same command after the kill exits 0, got ${resumed.code}\n${resumed.stderr.slice(-1500)}`);
  return resumed;
}

const hasTemporaries = (dir) => walk(dir).some((f) => /(^|\/)\.tmp-/.test(f)) || (existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('.tmp-')));

try {
  log(`fault-injection: seed ${SEED}, work folder ${W}`);

  // --- the references: one uninterrupted run of each command -----------------------------------------
  const mimic = join(W, 'mimic');
  check((await runner(['synth', '--stays', '400', '--seed', '0', '--gzip-level', '1', '--out', mimic])).code === 0, 'synth');
  const prepareArgs = (out) => ['prepare', '--mimic', mimic, '--out', out, '--threads', '1'];
  const prepareWriting = (base) => () => existsSync(base) && readdirSync(base).some((f) => f.startsWith('.tmp-'));
  const refPrepare = await runner(prepareArgs(join(W, 'prepare/ref/data')), { writing: prepareWriting(join(W, 'prepare/ref')) });
  check(refPrepare.code === 0, `reference prepare\n${refPrepare.stderr.slice(-800)}`);
  const data = join(W, 'prepare/ref/data');

  const cellPath = 'runs/mlp/rare_value/0.1/seed_0';
  const cellArgs = ['--data', data, '--model', 'mlp', '--trigger', 'rare_value', '--poison-rate', '0.1', '--seed', '0', '--epochs', '4', '--backend', 'cpu'];
  const runArgs = (base) => ['run', ...cellArgs, '--out', join(base, 'runs')];
  const runWriting = (base) => () => existsSync(join(base, cellPath));
  const refRun = await runner(runArgs(join(W, 'run/ref')), { writing: runWriting(join(W, 'run/ref')) });
  check(refRun.code === 0, `reference run\n${refRun.stderr.slice(-800)}`);

  const grid = ['--models', 'mlp', '--triggers', 'rare_value', '--poison-rates', '0', '0.1', '--seeds', '0', '1', '--epochs', '3', '--backend', 'cpu', '--data', data];
  const sweepArgs = (base, workers = 2) => ['sweep', ...grid, '--workers', String(workers), '--out', join(base, 'runs')];
  const sweepWriting = (base) => () => existsSync(join(base, 'runs/mlp'));
  const refSweep = await runner(sweepArgs(join(W, 'sweep/ref')), { writing: sweepWriting(join(W, 'sweep/ref')) });
  check(refSweep.code === 0, `reference sweep\n${refSweep.stderr.slice(-800)}`);
  const sweepCells = (base) => join(base, 'runs');

  const analysed = (base) => join(base, 'run');
  const copyRun = (base) => cpSync(join(W, 'run/ref', cellPath), analysed(base), { recursive: true });
  const explainArgs = (base) => ['explain', '--run', analysed(base), '--max-stays', '20', '--steps', '8'];
  const detectArgs = (base) => ['detect', '--run', analysed(base), '--detectors', 'spectral', 'strip'];
  copyRun(join(W, 'explain/ref'));
  const refExplain = await runner(explainArgs(join(W, 'explain/ref')));
  check(refExplain.code === 0, `reference explain\n${refExplain.stderr.slice(-800)}`);
  copyRun(join(W, 'detect/ref'));
  const refDetect = await runner(detectArgs(join(W, 'detect/ref')));
  check(refDetect.code === 0, `reference detect\n${refDetect.stderr.slice(-800)}`);

  const aggregateArgs = (base) => ['--runs', sweepCells(join(W, 'sweep/ref')), '--out', join(base, 'report'), '--no-png'];
  const aggregateWriting = (base) => () => existsSync(base) && readdirSync(base).some((f) => f.startsWith('.tmp-'));
  mkdirSync(join(W, 'aggregate/ref'), { recursive: true });
  const refAggregate = await aggregate(aggregateArgs(join(W, 'aggregate/ref')), { writing: aggregateWriting(join(W, 'aggregate/ref')) });
  check(refAggregate.code === 0, `reference aggregate\n${refAggregate.stderr.slice(-800)}`);
  log(
    `references: prepare ${refPrepare.ms} ms, run ${refRun.ms} ms, sweep ${refSweep.ms} ms, explain ${refExplain.ms} ms, detect ${refDetect.ms} ms, aggregate ${refAggregate.ms} ms`,
  );

  // --- kill: SIGKILL anywhere, then the same command ---------------------------------------------------
  log('kill: SIGKILL at a random moment, then the same command');
  for (let trial = 1; trial <= 2; trial++) {
    const base = join(W, `prepare/kill${trial}`);
    mkdirSync(base, { recursive: true });
    await killAndResume(`prepare`, (o) => runner(prepareArgs(join(base, 'data')), o), refPrepare, { writing: prepareWriting(base), midWrite: () => hasTemporaries(base) });
    compareTrees(join(W, 'prepare/ref'), base, `prepare kill ${trial}`, { referenceBase: join(W, 'prepare/ref'), trialBase: base });
  }
  for (let trial = 1; trial <= 2; trial++) {
    const base = join(W, `run/kill${trial}`);
    // The second trial kills the resumed run again: a kill during the resume must be as harmless.
    await killAndResume('run', (o) => runner(runArgs(base), o), refRun, { kills: trial, writing: runWriting(base), midWrite: () => !existsSync(join(base, cellPath, 'summary.json')) });
    compareTrees(join(W, 'run/ref'), base, `run kill ${trial}`);
  }
  for (let trial = 1; trial <= 2; trial++) {
    const base = join(W, `sweep/kill${trial}`);
    await killAndResume('sweep', (o) => runner(sweepArgs(base), o), refSweep, { kills: trial, writing: sweepWriting(base), midWrite: () => walk(sweepCells(base)).filter((f) => f.endsWith('summary.json')).length < 4 });
    compareTrees(join(W, 'sweep/ref'), base, `sweep kill ${trial}`);
  }
  for (const [name, args, ref] of [
    ['explain', explainArgs, refExplain],
    ['detect', detectArgs, refDetect],
  ]) {
    for (let trial = 1; trial <= 2; trial++) {
      const base = join(W, `${name}/kill${trial}`);
      copyRun(base);
      await killAndResume(name, (o) => runner(args(base), o), ref, { midWrite: () => !existsSync(join(analysed(base), `${name}.json`)) || hasTemporaries(analysed(base)) });
      compareTrees(join(W, `${name}/ref`), base, `${name} kill ${trial}`);
    }
  }
  for (let trial = 1; trial <= 2; trial++) {
    const base = join(W, `aggregate/kill${trial}`);
    mkdirSync(base, { recursive: true });
    // The report is written at its very end: one kill while it works, one after it started writing.
    const writing = trial === 2 ? { writing: aggregateWriting(base) } : {};
    await killAndResume('aggregate', (o) => aggregate(aggregateArgs(base), o), refAggregate, { ...writing, midWrite: () => !existsSync(join(base, 'report')) || hasTemporaries(base) });
    compareTrees(join(W, 'aggregate/ref'), base, `aggregate kill ${trial}`);
  }

  // --- full: the disk fills while the outputs are written ----------------------------------------------
  log('full: no space left while checkpoints, predictions.arrow, summaries and the report are written');
  const fullDir = join(W, 'tmpfs-probe');
  const realTmpfs = tryMount(fullDir, 'size=64k');
  log(`  ${realTmpfs ? 'a real tmpfs (mount -t tmpfs works here)' : 'mount -t tmpfs is not allowed here: injected ENOSPC'}`);
  const fullCases = [
    { name: 'checkpoints', at: '/checkpoints/\\.tmp-epoch-0002', command: 'run' },
    { name: 'predictions.arrow', at: '/\\.tmp-predictions\\.arrow-', command: 'run' },
    { name: 'summaries', at: '/\\.tmp-summary\\.json-', command: 'run' },
    { name: 'sweep predictions.arrow', at: '/\\.tmp-predictions\\.arrow-', command: 'sweep' },
    { name: 'report', at: '/report\\.html$', command: 'aggregate' },
  ];
  for (const c of fullCases) {
    const base = join(W, `full/${c.name.replace(/\W+/g, '-')}`);
    mkdirSync(base, { recursive: true });
    const command = (o) => (c.command === 'run' ? runner(runArgs(base), o) : c.command === 'sweep' ? runner(sweepArgs(base), o) : aggregate(aggregateArgs(base), o));
    const inject = { nodeArgs: ['--import', INJECT], env: { EHR_FAULT_ROOT: base, EHR_FAULT_AT: c.at, EHR_FAULT_ERRNO: 'ENOSPC' } };
    const full = await command(inject);
    counts.faults++;
    counts.full++;
    cleanStderr(full, `disk full during ${c.name}`, 6, 'E_NO_SPACE');
    check(/free space/i.test(full.stderr) && /re-run the same command: it resumes/.test(full.stderr), `disk full during ${c.name}: the remedy is printed`);
    check(full.stderr.includes(base), `disk full during ${c.name}: the message names the folder`);
    log(`  ENOSPC during ${c.name}: exit ${full.code}, "${(/error \[E_NO_SPACE\]: [^\n]{0,110}/.exec(full.stderr) ?? [''])[0]}…"`);
    const resumed = await command({});
    check(resumed.code === 0, `disk full during ${c.name}: the same command with space again exits 0, got ${resumed.code}\n${resumed.stderr.slice(-800)}`);
    const ref = join(W, c.command === 'run' ? 'run/ref' : c.command === 'sweep' ? 'sweep/ref' : 'aggregate/ref');
    compareTrees(ref, base, `disk full during ${c.name}`);
  }
  if (realTmpfs) {
    // A real full disk: the run folder on a tmpfs too small for it, then grown (space freed) for the resume.
    // Sized from the reference run folder (in 4 KB pages, as tmpfs counts). Both fill while a checkpoint
    // is written (an epoch's temporary beside the kept ones is the folder's peak); the writes after it are
    // covered by the injected cases above.
    const pages = walk(join(W, 'run/ref')).reduce((sum, f) => sum + Math.ceil(statSync(join(W, 'run/ref', f)).size / 4096), 0);
    for (const share of [0.4, 0.9]) {
      const size = `${Math.round(pages * share) * 4}k`;
      const label = `a ${size}B tmpfs (${share * 100} % of the run folder)`;
      const base = join(W, `full/tmpfs-${size}`);
      if (!tryMount(base, `size=${size}`)) continue;
      const full = await runner(runArgs(base));
      counts.faults++;
      counts.full++;
      cleanStderr(full, `run on ${label}`, 6, 'E_NO_SPACE');
      check(full.stderr.includes(base), `run on ${label}: the message names the folder`);
      const where = (/E_NO_SPACE\]: [^(]*\((?:\w+ )?([^)\s]+)/.exec(full.stderr) ?? [])[1] ?? '?';
      log(`  run on ${label}: exit ${full.code} while writing ${where.replace(base + '/', '')}`);
      check(remount(base, 'size=4m'), `grow ${label}`);
      const resumed = await runner(runArgs(base));
      check(resumed.code === 0, `run on ${label}: resumed after space was freed, got ${resumed.code}\n${resumed.stderr.slice(-800)}`);
      compareTrees(join(W, 'run/ref'), base, `run on ${label}`);
    }
  }

  // --- read-only: the output folder cannot be written --------------------------------------------------
  log('read-only: the output folder is on a read-only file system');
  const ro = join(W, 'read-only');
  const realRo = tryMount(ro, 'size=4m');
  if (realRo) {
    cpSync(join(W, 'run/ref', cellPath), join(ro, 'run'), { recursive: true });
    check(remount(ro, 'ro'), 'remount read-only');
  } else {
    cpSync(join(W, 'run/ref', cellPath), join(ro, 'run'), { recursive: true });
  }
  log(`  ${realRo ? 'a read-only tmpfs' : 'injected EROFS'}`);
  const roInject = realRo ? {} : { nodeArgs: ['--import', INJECT], env: { EHR_FAULT_ROOT: ro, EHR_FAULT_AT: `^${ro}`, EHR_FAULT_ERRNO: 'EROFS' } };
  for (const [name, command] of [
    ['run', () => runner(runArgs(ro), roInject)],
    ['sweep', () => runner(sweepArgs(ro), roInject)],
    ['prepare', () => runner(prepareArgs(join(ro, 'data')), roInject)],
    ['explain', () => runner(['explain', '--run', join(ro, 'run'), '--max-stays', '20', '--steps', '8'], roInject)],
    ['aggregate', () => aggregate(aggregateArgs(ro), roInject)],
  ]) {
    const result = await command();
    counts.faults++;
    counts.readOnly++;
    cleanStderr(result, `read-only ${name}`, 6, '(E_READ_ONLY|E_PERMISSION)');
    check(result.stderr.includes(ro), `read-only ${name}: the message names the folder`);
    log(`  ${name}: exit ${result.code}, "${(/error \[E_[A-Z_]+\]: [^\n]{0,100}/.exec(result.stderr) ?? [''])[0]}…"`);
  }

  // --- shared: two sweeps on one runs folder -----------------------------------------------------------
  log('shared: two sweeps started together on one runs folder');
  {
    const base = join(W, 'shared/together');
    const [a, b] = await Promise.all([runner(sweepArgs(base, 1)), runner(sweepArgs(base, 1))]);
    counts.faults++;
    counts.shared++;
    const ran = (r) => Number((/: (\d+) run,/.exec(r.stdout) ?? [])[1] ?? NaN);
    check(a.code === 0 && b.code === 0, `two sweeps: both exit 0 (got ${a.code}, ${b.code})\n${a.stderr.slice(-600)}\n${b.stderr.slice(-600)}`);
    check(ran(a) + ran(b) === 4, `two sweeps: every cell ran exactly once (${ran(a)} + ${ran(b)} of 4)`);
    log(`  sweep A ran ${ran(a)} cells, sweep B ran ${ran(b)}; "${(/sweep finished[^\n]*/.exec(b.stdout) ?? [''])[0]}"`);
    compareTrees(join(W, 'sweep/ref'), base, 'two sweeps');
  }
  {
    // A cell held by a live process elsewhere (here: a stand-in process whose pid is in the cell's lock):
    // `status` names the holder; a sweep with --leave-held runs the rest and leaves it (and the poisoned
    // cell that needs it as its clean baseline); a plain sweep waits for it, and when the holder dies
    // without finishing, takes its lock over and runs the cell itself.
    const base = join(W, 'shared/held');
    const cell = join(base, 'runs/mlp/none/0/seed_0');
    mkdirSync(cell, { recursive: true });
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    writeFileSync(join(cell, '.lock'), JSON.stringify({ pid: holder.pid, host: hostname(), startedAt: new Date().toISOString() }));
    const left = await runner([...sweepArgs(base, 1), '--leave-held']);
    counts.faults++;
    counts.shared++;
    check(left.code === 0 && /2 left to other processes/.test(left.stdout), `--leave-held: exit 0, two cells left (got ${left.code})\n${left.stdout.slice(-600)}\n${left.stderr.slice(-600)}`);
    log(`  --leave-held: "${(/sweep finished[^\n]*/.exec(left.stdout) ?? [''])[0]}"`);
    const status = await runner(['status', join(base, 'runs')]);
    const holderLine = (/running .*pid \d+ on \S+ since \S+/.exec(status.stdout) ?? [])[0];
    check(status.code === 0 && holderLine?.includes(`pid ${holder.pid}`), `status names the holder\n${status.stdout}`);
    if (holderLine) log(`  status: "${holderLine.trim().replace(hostname(), '<host>')}"`);
    // The holder dies once the sweep says it waits for it (or after 2 min, and the check below fails).
    const fallback = setTimeout(() => holder.kill('SIGKILL'), 120_000);
    const waited = await runner(sweepArgs(base, 1), {
      onStderr: (text) => {
        if (/is running elsewhere .*waiting for it/.test(text) && holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
      },
    });
    clearTimeout(fallback);
    counts.faults++;
    counts.shared++;
    check(waited.code === 0, `a sweep waits for a held cell and runs it once its holder died: exit ${waited.code}\n${waited.stderr.slice(-800)}`);
    check(/is running elsewhere .*waiting for it/.test(waited.stderr), 'the waiting sweep says whom it waits for');
    log(`  waiting sweep: "${(/sweep finished[^\n]*/.exec(waited.stdout) ?? [''])[0]}"`);
    compareTrees(join(W, 'sweep/ref'), base, 'held cell');
  }
} catch (error) {
  failures.push(`the suite itself failed: ${error?.stack ?? error}`);
} finally {
  for (const dir of mounts.reverse()) spawnSync('umount', ['-l', dir]);
  if (!KEEP) rmSync(W, { recursive: true, force: true });
}

const seconds = ((Date.now() - started) / 1000).toFixed(0);
log(
  `\nfault-injection (seed ${SEED}, ${seconds} s): ${counts.faults} faults injected (${counts.kills} SIGKILLs, ${counts.killsMidWrite} of them mid-work, ` +
    `${counts.full} full disks, ${counts.readOnly} read-only folders, ${counts.shared} shared runs folders); ` +
    `${counts.outputs} outputs compared, ${counts.identical} identical (${counts.bytewise} byte for byte, the rest without wall-clock fields); ${failures.length} failures`,
);
process.exit(failures.length ? 1 : 0);
