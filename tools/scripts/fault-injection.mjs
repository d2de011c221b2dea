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
//   references (fault-injection/references.mjs) ─▶ kill ─▶ full ─▶ read-only ─▶ shared (scenarios/)
//     ─▶ one closing line of counts; exit 1 on any failure
//
// Seeded (FAULT_SEED, default 21: the kill moments, drawn in this order), bounded (each command has a
// timeout; the whole suite ≈ 2–4 min on 2 free cores). Prints how many faults it injected and how many
// outputs it compared.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMounts } from './fault-injection/mounts.mjs';
import { commandLines } from './fault-injection/processes.mjs';
import { seededRandom } from './fault-injection/random.mjs';
import { makeReferences } from './fault-injection/references.mjs';
import { fullScenario } from './fault-injection/scenarios/full.mjs';
import { killScenario } from './fault-injection/scenarios/kill.mjs';
import { readOnlyScenario } from './fault-injection/scenarios/read-only.mjs';
import { sharedScenario } from './fault-injection/scenarios/shared.mjs';
import { createTally } from './fault-injection/tally.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SEED = Number(process.env.FAULT_SEED ?? 21);
const KEEP = process.env.FAULT_KEEP === '1';
const started = Date.now();

const W = mkdtempSync(join(tmpdir(), 'fault-injection-'));
const tally = createTally();
const mounts = createMounts();
const suite = {
  W,
  tally,
  mounts,
  random: seededRandom(SEED),
  inject: pathToFileURL(join(ROOT, 'tools/scripts/fault-injection/inject-errno.mjs')).href,
  ...commandLines(ROOT),
};

try {
  tally.log(`fault-injection: seed ${SEED}, work folder ${W}`);
  suite.refs = await makeReferences(suite);
  await killScenario(suite);
  await fullScenario(suite);
  await readOnlyScenario(suite);
  await sharedScenario(suite);
} catch (error) {
  tally.failures.push(`the suite itself failed: ${error?.stack ?? error}`);
} finally {
  mounts.unmountAll();
  if (!KEEP) rmSync(W, { recursive: true, force: true });
}

const { counts, failures } = tally;
const seconds = ((Date.now() - started) / 1000).toFixed(0);
tally.log(
  `\nfault-injection (seed ${SEED}, ${seconds} s): ${counts.faults} faults injected (${counts.kills} SIGKILLs, ${counts.killsMidWrite} of them mid-work, ` +
    `${counts.full} full disks, ${counts.readOnly} read-only folders, ${counts.shared} shared runs folders); ` +
    `${counts.outputs} outputs compared, ${counts.identical} identical (${counts.bytewise} byte for byte, the rest without wall-clock fields); ${failures.length} failures`,
);
process.exit(failures.length ? 1 : 0);
