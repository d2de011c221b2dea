#!/usr/bin/env python3
"""Writes packages/detect/src/lib/__fixtures__/screening-cross-variable.json: the cross-variable
screening's scores on a small cohort, from an independent numpy/scipy implementation of what
screening-cross-variable.ts documents (log scale for right-skewed positive columns, standardised
features with 0 where missing, missing indicators of variables sometimes missing, an intercept, ridge on
every other column, robust-standardised residuals, two-sided normal surprisal).

Run from the repository root with numpy and scipy: python3 tools/scripts/screening-fixtures.py
"""
import json

import numpy as np
import scipy
from screening_reference import log_scaled, robust_centre, z_surprisal


def cross_variable(x, variables, stats, ridge):
    n, width = x.shape
    names = list(dict.fromkeys(variables))
    variable_of = [names.index(v) for v in variables]
    is_count = [s == "count" for s in stats]
    missing = np.ones((n, len(names)), bool)
    for j in range(width):
        if not is_count[j]:
            missing[np.isfinite(x[:, j]), variable_of[j]] = False
    share = missing.mean(axis=0)
    columns = []
    for j in range(width):
        column = np.log(x[:, j]) if log_scaled(x[:, j]) else x[:, j]
        finite = np.isfinite(column)
        mean = column[finite].mean() if finite.any() else 0.0
        spread = column[finite].std(ddof=1) if finite.sum() > 1 else 0.0
        columns.append(np.where(finite, (column - mean) / (spread if spread > 0 else 1.0), 0.0))
    columns += [missing[:, v].astype(float) for v in range(len(names)) if 0 < share[v] < 1]
    z = np.column_stack(columns + [np.ones(n)])
    out = np.zeros((n, len(names)))
    for j in range(width):
        if is_count[j] or not np.isfinite(x[:, j]).any():
            continue
        others = np.delete(z, j, axis=1)
        beta = np.linalg.solve(others.T @ others + ridge * np.eye(others.shape[1]), others.T @ z[:, j])
        residual = np.where(np.isfinite(x[:, j]), z[:, j] - others @ beta, np.nan)
        median, lower, upper = robust_centre(residual)
        for i in np.flatnonzero(np.isfinite(residual)):
            r = residual[i]
            s = z_surprisal((r - median) / upper if r >= median else (median - r) / lower)
            out[i, variable_of[j]] = max(out[i, variable_of[j]], s)
    return out


def cohort():
    """16 stays: cr right-skewed by stay 0 alone, hr's mean and max, lac (with its count) and ph each
    missing in a few stays, gcs never charted."""
    rng = np.random.default_rng(22)
    rows = []
    for i in range(16):
        cr = 6.0 if i == 0 else round(1.0 + 0.5 * rng.random(), 2)
        hr = round(80 + 10 * rng.normal())
        hr_max = hr + round(12 + 3 * rng.normal())
        lac = round(1 + 0.8 * (cr - 1) + 0.3 * rng.normal(), 1) if i % 5 != 2 else np.nan
        count = 0 if np.isnan(lac) else int(rng.integers(1, 6))
        ph = round(7.45 - 0.04 * (1.5 if np.isnan(lac) else lac) + 0.02 * rng.normal(), 2) if i not in (3, 11) else np.nan
        rows.append([cr, hr, hr_max, lac, count, ph, np.nan])
    return np.array(rows)


def rounded(a):
    return [[None if np.isnan(v) else round(float(v), 9) for v in row] for row in a]


x = cohort()
variables = ["cr", "hr", "hr", "lac", "lac", "ph", "gcs"]
stats = ["mean", "mean", "max", "mean", "count", "mean", "mean"]
fixture = {
    "generator": "tools/scripts/screening-fixtures.py",
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "stays": rounded(x),
    "variables": variables,
    "stats": stats,
    # Ridge 1 on every column; ordinary least squares without gcs (its all-zero column would be singular).
    "ridge1": rounded(cross_variable(x, variables, stats, 1.0)),
    "ols": rounded(cross_variable(x[:, :6], variables[:6], stats[:6], 0.0)),
}
with open("packages/detect/src/lib/__fixtures__/screening-cross-variable.json", "w") as f:
    json.dump(fixture, f)
    f.write("\n")
