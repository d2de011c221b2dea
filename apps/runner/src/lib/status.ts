import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '@ehr-backdoor/core';
import { readCellState, ERROR_FILE, type CellState } from './cell-state.js';
import { describeHolder, holderState, readCellLock, type LockHolder } from './cell-lock.js';
import { cellDir, cellId, type CellKey } from './grid.js';
import { PLAN_FILE, readPlan } from './plan.js';
import type { RunnerCode } from './error-codes.js';

export interface CellStatus {
  readonly index: number;
  readonly id: string;
  readonly cell: CellKey;
  readonly state: CellState;
  readonly error?: string;
  /** Who holds a running cell: pid, host, since when (and its Slurm job); a remote holder cannot be probed from here. */
  readonly holder?: LockHolder & { readonly probed: boolean };
}

export interface SweepStatus {
  readonly runsRoot: string;
  readonly cells: readonly CellStatus[];
  readonly counts: Readonly<Record<CellState, number>>;
}

/** Reads every cell's state of the sweep planned in `runsRoot` from the run directories alone. */
export async function sweepStatus(runsRoot: string): Promise<SweepStatus> {
  const planPath = join(runsRoot, PLAN_FILE);
  if (!existsSync(planPath)) {
    throw new InputError<RunnerCode>(
      'E_NOT_A_SWEEP',
      `${runsRoot} holds no ${PLAN_FILE}: name the --out directory of an \`ehr-backdoor sweep\`.`,
    );
  }
  const plan = await readPlan(planPath);
  const counts: Record<CellState, number> = { done: 0, running: 0, failed: 0, awaiting: 0, partial: 0, pending: 0 };
  const cells: CellStatus[] = [];
  for (let index = 0; index < plan.cells.length; index++) {
    const cell = plan.cells[index];
    const dir = cellDir(runsRoot, cell);
    const state = await readCellState(dir);
    counts[state]++;
    let error: string | undefined;
    if (state === 'failed') {
      try {
        error = (JSON.parse(await readFile(join(dir, ERROR_FILE), 'utf8')) as { message?: string }).message;
      } catch {
        error = 'unreadable error.json';
      }
    }
    const lock = state === 'running' ? await readCellLock(dir) : undefined;
    const holder = lock ? { ...lock, probed: holderState(lock) !== 'remote' } : undefined;
    cells.push({ index, id: cellId(cell), cell, state, ...(error ? { error } : {}), ...(holder ? { holder } : {}) });
  }
  return { runsRoot, cells, counts };
}

export function formatStatus(status: SweepStatus, all = false): string {
  const { counts } = status;
  const total = status.cells.length;
  const lines = [
    `${status.runsRoot}: ${counts.done}/${total} done, ${counts.running} running, ${counts.awaiting} awaiting their clean baseline, ${counts.partial} partial, ${counts.failed} failed, ${counts.pending} pending`,
  ];
  for (const c of status.cells) {
    if (!(all || c.state !== 'done')) continue;
    const held = c.holder ? `  — ${describeHolder(c.holder)}${c.holder.probed ? '' : ' (another host: not probed from here)'}` : '';
    lines.push(`  ${c.state.padEnd(8)} #${String(c.index).padStart(3)} ${c.id}${c.error ? `  — ${c.error}` : ''}${held}`);
  }
  return lines.join('\n');
}
