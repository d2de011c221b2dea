import { InputError } from '@ehr-backdoor/core';
import type { RunnerCode } from '../error-codes.js';

/**
 * Slurm's array index syntax (`--array=0-3,7,9-12%4`): the compact list of the cells a submission
 * covers. Only unfinished cells are submitted, so the list has gaps; runs of consecutive indices are
 * written as ranges to keep the `#SBATCH` line short for grids of hundreds of cells.
 */
export function compactIndices(indices: Iterable<number>): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  for (const i of sorted) {
    if (!(Number.isSafeInteger(i) && i >= 0)) {
      throw new InputError<RunnerCode>('E_ARRAY_INDEX', `Slurm array index ${String(i)} is not a non-negative integer.`);
    }
  }
  const parts: string[] = [];
  let start = 0;
  while (start < sorted.length) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
    parts.push(end === start ? String(sorted[start]) : `${sorted[start]}-${sorted[end]}`);
    start = end + 1;
  }
  return parts.join(',');
}

/**
 * Parses an index list as Slurm prints it (`squeue`'s `%K`, `scontrol`'s `ArrayTaskId=`, `sacct`'s
 * `123_[4-6%2]`): comma-separated indices and ranges, a range optionally with a `:step`, and an
 * optional `%throttle` suffix, which is dropped.
 */
export function expandIndexList(list: string): number[] {
  const body = list.trim().replace(/^\[/, '').replace(/\]$/, '').replace(/%\d+$/, '');
  if (body === '') return [];
  const out = new Set<number>();
  for (const part of body.split(',')) {
    const match = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!match) throw new InputError<RunnerCode>('E_ARRAY_INDEX', `Cannot read the Slurm array index list "${list}" (at "${part}").`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    const step = match[3] === undefined ? 1 : Number(match[3]);
    if (to < from || step < 1)
      throw new InputError<RunnerCode>('E_ARRAY_INDEX', `Slurm array index range "${part}" in "${list}" is empty.`);
    for (let i = from; i <= to; i += step) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}
