#!/usr/bin/python3
"""Reference values from SciPy for the across-seed statistics of @ehr-backdoor/aggregation.

Writes packages/aggregation/src/lib/stats/__fixtures__/scipy-stats.json: paired samples (3 to 12 seeds,
ties, a zero difference, proportions at 0 and 1) with scipy's paired t test (ttest_rel), its exact
sign-flip permutation test (permutation_test, permutation_type='samples'), Welch's test (ttest_ind,
equal_var=False), and the logit-scale t interval computed with scipy.stats.t and scipy.special.

Run with Debian's Python (apt-get install python3-scipy):
    /usr/bin/python3 tools/scripts/aggregation-stats-fixtures.py
"""
import json
import os

import numpy as np
import scipy
from scipy import special, stats

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "packages", "aggregation", "src", "lib", "stats", "__fixtures__", "scipy-stats.json",
)
CLAMP = 1e-3
LEVEL = 0.95


def logit_interval(values, lower, upper):
    u = np.clip((np.asarray(values) - lower) / (upper - lower), CLAMP, 1 - CLAMP)
    z = special.logit(u)
    n = len(z)
    half = stats.t.ppf(1 - (1 - LEVEL) / 2, n - 1) * np.std(z, ddof=1) / np.sqrt(n)
    return [float(lower + (upper - lower) * special.expit(z.mean() - half)), float(lower + (upper - lower) * special.expit(z.mean() + half))]


def case(name, a, b, lower=0.0, upper=1.0):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    rel = stats.ttest_rel(a, b)
    perm = stats.permutation_test(
        (a, b), lambda x, y: np.mean(x - y), permutation_type="samples", vectorized=False, n_resamples=np.inf, alternative="two-sided"
    )
    welch = stats.ttest_ind(a, b, equal_var=False)
    return {
        "name": name,
        "a": a.tolist(),
        "b": b.tolist(),
        "range": [lower, upper],
        "paired_t": float(rel.statistic),
        "paired_p": float(rel.pvalue),
        "permutation_p": float(perm.pvalue),
        "welch_t": float(welch.statistic),
        "welch_p": float(welch.pvalue),
        "logit_interval_a": logit_interval(a, lower, upper) if len(set(a.tolist())) > 1 else None,
    }


def main():
    rng = np.random.default_rng(20261205)
    cases = [
        case("three-seeds-asr", [0.92, 0.97, 0.88], [0.06, 0.04, 0.05]),
        case("five-seeds-auroc", [0.81, 0.83, 0.80, 0.84, 0.82], [0.82, 0.835, 0.815, 0.845, 0.83]),
        case("asr-at-one", [1.0, 1.0, 0.9], [0.05, 0.07, 0.04]),
        case("asr-at-zero", [0.0, 0.02, 0.0, 0.01], [0.05, 0.03, 0.06, 0.05]),
        case("tie-in-differences", [0.5, 0.6, 0.7, 0.8], [0.4, 0.5, 0.6, 0.9]),
        case("lift-range", [0.3, -0.1, 0.25, 0.4, 0.1, 0.2], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0], -1.0, 1.0),
        case("twelve-seeds", (0.3 + 0.1 * rng.random(12)).tolist(), (0.28 + 0.1 * rng.random(12)).tolist()),
        case("eight-seeds-ece", (0.02 + 0.03 * rng.random(8)).tolist(), (0.03 + 0.03 * rng.random(8)).tolist()),
    ]
    doc = {"generator": "tools/scripts/aggregation-stats-fixtures.py", "scipy": scipy.__version__, "numpy": np.__version__, "level": LEVEL, "clamp": CLAMP, "cases": cases}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
