/** The phases table of tools/bench/sweep.ts: where the runner's and PyTorch's time goes, per model. */

/** A cell's phases in seconds: training, then prediction (ours: the whole evaluation), and its whole wall time. */
export type Phases = { wall: number; train: number; predict: number };
export type Ours = { auroc: number; asr: number; epochs: number; phases: Phases; startedAt: number; finishedAt: number };
/** One cell of the first run: the runner's side and PyTorch's. */
export type CellRow = { id: string; ours: Ours; torch: { auroc: number; asr: number; seconds: number; phases: Phases } };

const f2 = (x: number) => x.toFixed(2);

/**
 * Where each side's time goes, summed per model over the first run's cells (seconds of one process each):
 * training, prediction, and the rest of the cell; then the runner's start-up (launch to its first cell)
 * and tail (last cell to exit); PyTorch's start-up (Python and the imports) is inside "rest" for the
 * process-per-cell peer and outside its cells, once a process, for the long-lived one.
 * The runner's training includes its validation pass after every epoch and its "predict" the whole
 * evaluation (validation threshold, clean and triggered test sets, the clean model's trigger baseline,
 * bootstrap intervals); the peer trains and predicts the two test sets only.
 */
export function printPhases(
  rows: readonly CellRow[],
  models: readonly string[],
  rowsFrom: 'parallel' | 'persistent',
  runner: { readonly launchedAt: number; readonly endedAt: number },
): void {
  if (rows.length === 0) return;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const line = (name: string, ours: number, torch: number) =>
    `${name.padEnd(34)} ${ours.toFixed(1).padStart(7)} ${torch.toFixed(1).padStart(7)} ${(torch / ours).toFixed(2).padStart(6)}×`;
  console.log(`\nphases of the first run, seconds summed over cells (PyTorch ${rowsFrom}; ratio = torch / ours):`);
  console.log(`${''.padEnd(34)} ${'ours'.padStart(7)} ${'torch'.padStart(7)} ${'ratio'.padStart(7)}`);
  for (const model of models) {
    const mine = rows.filter((r) => r.id.startsWith(`${model}/`));
    const phase = (side: 'ours' | 'torch', key: keyof Phases) => sum(mine.map((r) => r[side].phases[key]));
    const rest = (side: 'ours' | 'torch') => phase(side, 'wall') - phase(side, 'train') - phase(side, 'predict');
    console.log(line(`${model} training`, phase('ours', 'train'), phase('torch', 'train')));
    console.log(line(`${model} predict/evaluate`, phase('ours', 'predict'), phase('torch', 'predict')));
    console.log(line(`${model} rest of the cell`, rest('ours'), rest('torch')));
  }
  const started = Math.min(...rows.map((r) => r.ours.startedAt));
  const finished = Math.max(...rows.map((r) => r.ours.finishedAt));
  console.log(
    `runner start-up (launch to first cell) ${f2((started - runner.launchedAt) / 1000)} s, tail (last cell to exit) ${f2((runner.endedAt - finished) / 1000)} s; ${rowsFrom === 'parallel' ? 'the peer\'s start-up is in its "rest"' : 'the peer pays its start-up once a process, outside its cells'}`,
  );
}
