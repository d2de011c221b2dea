#!/usr/bin/env python3
"""What the order of a local sweep's cells costs, apart from how fast each cell runs.

    python3 tools/bench/sweep-schedule.py tabtransformer=30,lstm=18,tcn=9.6,mlp=1.7 [--lanes 2]
    python3 tools/bench/sweep-schedule.py --runs RUNS_DIR [RUNS_DIR ...]

With per-model cell durations (seconds), simulates the local scheduler on N lanes (workers) under its two
policies, on the sweep benchmark's grid (all four models x rare_value x rates 0, 0.05 x seed 0) and on the
default study's 132 cells, and prints each makespan and how busy the lanes were:

    chained (sessions 4-5)  a poisoned cell is ready only once its clean cell has finished; a clean cell's
                            priority is its own cost plus its poisoned cells'
    free (session 6)        every cell is ready; priority is the cell's own cost (cell-order.ts)

Ties keep grid order (clean cells first). With --runs, prints each runs folder's lanes as they ran (from
run_metadata.json's startedAt/finishedAt): when each lane ended, and the time the last lane ran alone.
The makespans are the order's share of a sweep's wall time on a machine where each worker has a core;
on an oversubscribed machine, a lane that is idle gives its CPU to the others and the order matters less.
"""
import heapq
import json
import os
import sys
from datetime import datetime


def grid(models_attacks, rates, seeds):
    cells = [(m, 'none', 0, s) for m in models_attacks for s in seeds]
    for r in rates:
        for m, attacks in models_attacks.items():
            cells += [(m, a, r, s) for a in attacks for s in seeds]
    return cells


def simulate(cells, cost, policy, lanes):
    queue = list(range(len(cells)))
    clean_of = {(c[0], c[3]): i for i, c in enumerate(cells) if c[2] == 0}
    dependents = {}
    for i, c in enumerate(cells):
        if c[2] != 0:
            dependents.setdefault((c[0], c[3]), []).append(i)
    finished = set()

    def priority(i):
        m, _, rate, seed = cells[i]
        own = cost[m]
        if policy == 'chained' and rate == 0:
            own += sum(cost[cells[j][0]] for j in dependents.get((m, seed), []))
        return own

    def ready(i):
        m, _, rate, seed = cells[i]
        return policy == 'free' or rate == 0 or clean_of.get((m, seed)) in finished

    running, free, now = [], list(range(lanes)), 0.0
    while queue or running:
        while free:
            candidates = [i for i in queue if ready(i)]
            if not candidates:
                break
            best = max(candidates, key=lambda i: (priority(i), -i))
            queue.remove(best)
            heapq.heappush(running, (now + cost[cells[best][0]], free.pop(0), best))
        now, lane, i = heapq.heappop(running)
        finished.add(i)
        free.append(lane)
    return now


def simulate_grids(cost, lanes):
    bench = grid({m: ['rare_value'] for m in cost}, [0.05], [0])
    attacks = {'mlp': 2, 'tabtransformer': 2, 'lstm': 3, 'tcn': 3}
    names = ['rare_value', 'missingness', 'temporal_pattern']
    default = grid({m: names[: attacks.get(m, 2)] for m in cost}, [0.005, 0.01, 0.05, 0.1], [0, 1, 2])
    for name, cells in [(f'bench grid ({len(bench)} cells)', bench), (f'default study ({len(default)} cells)', default)]:
        work = sum(cost[c[0]] for c in cells)
        chained, free = simulate(cells, cost, 'chained', lanes), simulate(cells, cost, 'free', lanes)
        print(
            f'{name}: {work:.0f} s of cells on {lanes} lanes, at best {work / lanes:.1f} s; chained {chained:.1f} s '
            f'({100 * work / (lanes * chained):.1f} % busy), free {free:.1f} s ({100 * work / (lanes * free):.1f} % busy); '
            f'chained / free {chained / free:.3f}'
        )


def show_runs(root):
    def at(s):
        return datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp()

    cells = []
    for d, _, files in os.walk(root):
        if 'summary.json' in files and 'run_metadata.json' in files:
            t = json.load(open(os.path.join(d, 'run_metadata.json')))['timings']
            cells.append((at(t['startedAt']), at(t['finishedAt']), t.get('trainS', 0), t.get('evalS', 0), os.path.relpath(d, root)))
    if not cells:
        return print(f'{root}: no finished cell')
    cells.sort()
    t0 = cells[0][0]
    lanes = []
    for c in cells:
        lane = next((lane for lane in lanes if lane[-1][1] <= c[0] + 0.5), None)
        lane.append(c) if lane else lanes.append([c])
    ends = sorted(lane[-1][1] - t0 for lane in lanes)
    wall = sum(c[1] - c[0] for c in cells)
    evaluation = sum(c[3] for c in cells)
    print(f'{root}: lanes end at {", ".join(f"{e:.1f}" for e in ends)} s; the last ran alone {ends[-1] - ends[0]:.1f} s; '
          f'evaluation {100 * evaluation / wall:.0f} % of the cells\' time (* poisoned)')
    for n, lane in enumerate(lanes, 1):
        marks = [f'{c[4].split("/")[0]}{"" if "/none/" in c[4] else "*"} {c[0] - t0:.0f}-{c[1] - t0:.0f}' for c in lane]
        print(f'  lane {n}: {", ".join(marks)}')


if __name__ == '__main__':
    args = sys.argv[1:]
    if args[:1] == ['--runs']:
        for root in args[1:]:
            show_runs(root)
    else:
        lanes = int(args[args.index('--lanes') + 1]) if '--lanes' in args else 2
        simulate_grids({k: float(v) for k, v in (a.split('=') for a in args[0].split(','))}, lanes)
