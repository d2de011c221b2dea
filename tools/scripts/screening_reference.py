"""The robust scores input screening builds on, written independently in numpy/scipy from what
packages/detect/src/lib/robust-scores.ts documents; shared by the fixture scripts of the screening
components (screening-fixtures.py, consistency-fixtures.py)."""
import numpy as np
from scipy.stats import norm


def log_scaled(column):
    """Strictly positive and right-skewed: the upper 5–50 % span more than 1.5 times the lower one."""
    finite = np.sort(column[np.isfinite(column)])
    if len(finite) < 4 or not finite[0] > 0:
        return False
    q05, q50, q95 = np.quantile(finite, [0.05, 0.5, 0.95])  # linear interpolation, as core's quantileSorted
    return q50 > q05 and (q95 - q50) / (q50 - q05) > 1.5


def robust_centre(values):
    """Median and, per side, the larger of 1.4826 × MAD and 1.2533 × mean deviation (of finite values)."""
    finite = values[np.isfinite(values)]
    median = float(np.median(finite))

    def side(deviations):
        return max(1.4826 * np.median(deviations), 1.2533 * np.mean(deviations), 1e-9 * (abs(median) + 1))

    return median, side(median - finite[finite <= median]), side(finite[finite >= median] - median)


def z_surprisal(z):
    """−ln P(|Z| ≥ |z|), 0 at z = 0."""
    return max(0.0, -(np.log(2) + norm.logsf(abs(z))))
