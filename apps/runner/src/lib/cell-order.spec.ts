import { CellOrder } from './cell-order.js';
import { cellId, expandGrid } from './grid.js';

const grid = expandGrid({ models: ['mlp', 'tabtransformer', 'tcn'], triggers: ['rare_value'], rates: [0, 0.05], seeds: [0] });
const prior = { tabtransformer: 40, tcn: 10, mlp: 2 };

/** The order in which one worker would run the whole grid. */
function drain(order: CellOrder, cells = grid, finishSeconds?: (model: string) => number): string[] {
  const queue = cells.map((_, i) => i);
  const ready = () => true;
  const ran: string[] = [];
  for (let at = order.pick(queue, ready); at >= 0; at = order.pick(queue, ready)) {
    const [index] = queue.splice(at, 1);
    ran.push(cellId(cells[index]));
    if (finishSeconds) order.record(cells[index], finishSeconds(cells[index].model));
  }
  return ran;
}

describe('CellOrder', () => {
  it('runs the most expensive cells first, a clean baseline before its poisoned cells among equals', () => {
    expect(drain(new CellOrder(grid, prior))).toEqual([
      'tabtransformer/none/0/seed_0',
      'tabtransformer/rare_value/0.05/seed_0',
      'tcn/none/0/seed_0',
      'tcn/rare_value/0.05/seed_0',
      'mlp/none/0/seed_0',
      'mlp/rare_value/0.05/seed_0',
    ]);
  });

  it('runs every cell of an expensive model before a cheaper clean baseline: no cell waits for another', () => {
    const cells = expandGrid({ models: ['tabtransformer', 'tcn'], triggers: ['a', 'b', 'c', 'd', 'e'], rates: [0, 0.05], seeds: [0] });
    const order = drain(new CellOrder(cells, prior), cells);
    expect(order.slice(0, 7)).toEqual([
      'tabtransformer/none/0/seed_0',
      ...['a', 'b', 'c', 'd', 'e'].map((t) => `tabtransformer/${t}/0.05/seed_0`),
      'tcn/none/0/seed_0',
    ]);
  });

  it('replaces the prior by what finished cells took', () => {
    // Measured, the TCN turns out the most expensive: its poisoned cell now goes before the TabTransformer's.
    const order = new CellOrder(grid, prior);
    const index = (id: string) => grid.findIndex((c) => cellId(c) === id);
    order.record(grid[index('tabtransformer/none/0/seed_0')], 5);
    order.record(grid[index('tcn/none/0/seed_0')], 50);
    const queue = [index('tabtransformer/rare_value/0.05/seed_0'), index('tcn/rare_value/0.05/seed_0')];
    expect(queue[order.pick(queue, () => true)]).toBe(index('tcn/rare_value/0.05/seed_0'));
  });

  it('rescales the priors of unmeasured models by how measured ones compared with theirs', () => {
    const order = new CellOrder(grid, prior);
    order.record(grid.find((c) => c.model === 'tcn')!, 5); // half its prior: the machine is twice as fast
    expect(order.estimate('tcn')).toBe(5);
    expect(order.estimate('tabtransformer')).toBe(20);
  });

  it('estimates a model without prior or measurement as the mean of the others', () => {
    const cells = expandGrid({ models: ['mlp', 'tcn', 'gru'], triggers: ['rare_value'], rates: [0], seeds: [0] });
    expect(new CellOrder(cells, prior).estimate('gru')).toBe(6);
  });

  it('returns -1 when nothing queued is ready', () => {
    expect(new CellOrder(grid, prior).pick([1, 2], () => false)).toBe(-1);
    expect(new CellOrder(grid, prior).pick([], () => true)).toBe(-1);
  });

  it('ignores non-positive durations', () => {
    const order = new CellOrder(grid, prior);
    order.record(grid[0], 0);
    order.record(grid[0], NaN);
    expect(order.estimate(grid[0].model)).toBe(prior[grid[0].model as keyof typeof prior]);
  });
});
