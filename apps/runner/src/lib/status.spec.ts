import { formatStatus, type SweepStatus } from './status.js';

describe('formatStatus', () => {
  const cell = { model: 'mlp', trigger: 'none', rate: 0, seed: 0 };
  const status: SweepStatus = {
    runsRoot: '/runs/x',
    counts: { done: 0, running: 2, failed: 0, awaiting: 0, partial: 0, pending: 0 },
    cells: [
      {
        index: 0,
        id: 'mlp/none/0/seed_0',
        cell,
        state: 'running',
        holder: { pid: 4242, host: 'login1', startedAt: '2026-12-05T10:31:02.000Z', probed: true },
      },
      {
        index: 1,
        id: 'mlp/none/0/seed_1',
        cell: { ...cell, seed: 1 },
        state: 'running',
        holder: { pid: 77, host: 'node7', startedAt: '2026-12-05T10:30:00.000Z', slurmJobId: '88_1', probed: false },
      },
    ],
  };

  it('shows who holds each running cell: pid, host, since (and a Slurm job, not probed from here)', () => {
    const text = formatStatus(status);
    expect(text).toContain('running  #  0 mlp/none/0/seed_0  — pid 4242 on login1 since 2026-12-05T10:31:02.000Z');
    expect(text).toContain('pid 77 on node7 since 2026-12-05T10:30:00.000Z (Slurm job 88_1) (another host: not probed from here)');
  });
});
