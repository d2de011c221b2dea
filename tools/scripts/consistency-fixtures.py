#!/usr/bin/env python3
"""Writes packages/detect/src/lib/__fixtures__/screening-consistency.json: the joint consistency
model's scores on small hourly cohorts, from an independent numpy/scipy implementation of what
screening-consistency.ts and docs/explain-detect.md document (per channel: log scale for right-skewed
positive channels, standardised over its charted hours, state = value charted now or last, 0 before the
first; per channel c and hour: the other channels' state and charted-now flags, c's own last charted
value before the hour, whether there is one and the hours since it / T, an intercept; ridge value model on
c's charted hours with robust-standardised residual surprisal, a stay's largest; ridge linear-probability
charting model on every hour, −ln P(state) − H(p) summed over the stay, at least 0; at most 16384 hours
per model, a fixed stride of them).

Run from the repository root with numpy and scipy: python3 tools/scripts/consistency-fixtures.py
"""
import json

import numpy as np
import scipy
from screening_reference import log_scaled, robust_centre, z_surprisal

MAX_FIT_ROWS = 16384


def grid(values, mask):
    """z (NaN where not charted) and state (last z, 0 before the first), both n × T × C."""
    n, T, C = values.shape
    charted = (mask == 1) & np.isfinite(values)
    z = np.full(values.shape, np.nan)
    for c in range(C):
        seen = values[:, :, c][charted[:, :, c]]
        scaled = np.log(seen) if log_scaled(seen) else seen
        sd = scaled.std(ddof=1) if len(seen) > 1 and scaled.std() > 0 else 1.0
        column = np.log(values[:, :, c]) if log_scaled(seen) else values[:, :, c]
        with np.errstate(invalid="ignore", divide="ignore"):
            z[:, :, c] = np.where(charted[:, :, c], (column - scaled.mean()) / sd, np.nan)
    state = np.zeros(values.shape)
    for t in range(T):
        previous = state[:, t - 1] if t > 0 else 0.0
        state[:, t] = np.where(np.isfinite(z[:, t]), z[:, t], previous)
    return z, state


def design(z, state, mask, c):
    """(n · T) × (2C + 2) predictors of channel c, rows k = i · T + t."""
    n, T, C = z.shape
    others = [o for o in range(C) if o != c]
    rows = []
    for i in range(n):
        for t in range(T):
            row = []
            for o in others:
                row += [state[i, t, o], 1.0 if mask[i, t, o] else 0.0]
            before = [s for s in range(t) if np.isfinite(z[i, s, c])]
            if before:
                last = before[-1]
                row += [z[i, last, c], 1.0, (t - last) / T]
            else:
                row += [0.0, 0.0, 0.0]
            rows.append(row + [1.0])
    return np.array(rows)


def fit(x, y, ridge):
    stride = max(1, -(-len(y) // MAX_FIT_ROWS))
    x, y = x[::stride], y[::stride]
    return np.linalg.solve(x.T @ x + ridge * np.eye(x.shape[1]), x.T @ y)


def consistency(values, mask, ridge):
    n, T, C = values.shape
    z, state = grid(values, mask)
    out_values = np.zeros((n, C))
    out_charting = np.zeros((n, C))
    eps = 1 / (2 * min(n * T, MAX_FIT_ROWS))
    clamped = 0
    for c in range(C):
        x = design(z, state, mask, c)
        charted = mask[:, :, c].reshape(-1) == 1
        observed = z[:, :, c].reshape(-1)
        if charted.sum() > x.shape[1]:
            beta = fit(x[charted], observed[charted], ridge)
            residual = observed[charted] - x[charted] @ beta
            median, lower, upper = robust_centre(residual)
            for k, e in zip(np.flatnonzero(charted), residual):
                s = z_surprisal((e - median) / upper if e >= median else (median - e) / lower)
                out_values[k // T, c] = max(out_values[k // T, c], s)
        beta = fit(x, charted.astype(float), ridge)
        clamped += int(((x @ beta < eps) | (x @ beta > 1 - eps)).sum())
        p = np.clip(x @ beta, eps, 1 - eps)
        excess = -np.log(np.where(charted, p, 1 - p)) + p * np.log(p) + (1 - p) * np.log(1 - p)
        out_charting[:, c] = np.maximum(0, excess.reshape(n, T).sum(axis=1))
    return out_values, out_charting, clamped


def forward_filled(values, mask):
    """Values as the hourly view holds them: the last charted value where not charted, NaN before the first."""
    out = values.copy()
    n, T, C = values.shape
    for i in range(n):
        for c in range(C):
            last = np.nan
            for t in range(T):
                if mask[i, t, c]:
                    last = values[i, t, c]
                out[i, t, c] = last
    return out


def small_cohort():
    """6 stays × 6 hours of hr (charted most hours, from hour 0), lac (right-skewed: log scale, charted in
    13 hours) and k (charted in exactly 8 hours, the number of predictors: no value model)."""
    rng = np.random.default_rng(9)
    n, T = 6, 6
    values = np.zeros((n, T, 3))
    mask = np.zeros((n, T, 3), int)
    for i in range(n):
        level = 80 + 12 * rng.normal()
        for t in range(T):
            values[i, t, 0] = round(level + 4 * rng.normal())
            values[i, t, 1] = round(float(np.exp(0.6 * rng.normal() + 0.3)), 1)
            values[i, t, 2] = round(4 + 0.5 * rng.normal(), 1)
    mask[:, :, 0] = rng.random((n, T)) < 0.8
    mask[0, 0, 0] = 1
    lac = [(0, 0), (0, 3), (1, 1), (1, 4), (2, 2), (2, 3), (2, 5), (3, 0), (3, 4), (4, 1), (4, 5), (5, 2), (5, 3)]
    k = [(0, 1), (1, 0), (1, 3), (2, 4), (3, 2), (4, 0), (4, 3), (5, 5)]
    for i, t in lac:
        mask[i, t, 1] = 1
    for i, t in k:
        mask[i, t, 2] = 1
    return forward_filled(values, mask), mask


def constant_cohort():
    """4 stays × 5 hours: hr charted every hour, fio2 charted 4 times at 21 % (standardised to 0)."""
    rng = np.random.default_rng(10)
    n, T = 4, 5
    values = np.zeros((n, T, 2))
    mask = np.zeros((n, T, 2), int)
    values[:, :, 0] = np.round(80 + 10 * rng.normal(size=(n, T)))
    mask[:, :, 0] = 1
    values[:, :, 1] = 21
    for i, t in [(0, 1), (1, 3), (2, 0), (3, 2)]:
        mask[i, t, 1] = 1
    return forward_filled(values, mask), mask


def strided_cohort():
    """4 stays × 4100 hours (16400 > 16384: the charting models are fitted on every other hour), from
    integer formulas the spec repeats."""
    n, T = 4, 4100
    i, t = np.meshgrid(np.arange(n), np.arange(T), indexing="ij")
    values = np.zeros((n, T, 2))
    mask = np.zeros((n, T, 2), int)
    values[:, :, 0] = 60 + (i * 40503 + t * 7919) % 61
    mask[:, :, 0] = (i * 31 + t * 17) % 7 != 0
    values[:, :, 1] = 1 + ((i * 7 + t * 3) % 23) / 10
    mask[:, :, 1] = (t * 13 + i * 5) % 11 < 2
    return forward_filled(values, mask), mask


def rounded(a):
    return [None if np.isnan(v) else round(float(v), 9) for v in np.asarray(a).reshape(-1)]


fixture = {"generator": "tools/scripts/consistency-fixtures.py", "numpy": np.__version__, "scipy": scipy.__version__}
for name, (values, mask), ridge in [
    ("small", small_cohort(), 1.0),
    ("constant", constant_cohort(), 1.0),
    ("strided", strided_cohort(), 1.0),
]:
    scores_values, scores_charting, clamped = consistency(values, mask, ridge)
    print(name, "hours clamped:", clamped)
    entry = {"ridge": ridge, "values": rounded(scores_values), "charting": rounded(scores_charting)}
    if name != "strided":
        n, T, C = values.shape
        entry.update({"rows": n, "hours": T, "cohortValues": rounded(values), "mask": mask.reshape(-1).tolist()})
    fixture[name] = entry
with open("packages/detect/src/lib/__fixtures__/screening-consistency.json", "w") as f:
    json.dump(fixture, f)
    f.write("\n")
