#!/usr/bin/env python3
"""Reference percentile-bootstrap intervals for @ehr-backdoor/metrics.

Writes packages/metrics/src/lib/__fixtures__/bootstrap.json. The resamples are drawn with an
independent Python port of the package's PRNG (xoshiro128** seeded by splitmix32, integers in [0, n)
by rejection; see packages/metrics/src/lib/seeded-random.ts) in the same order as bootstrap.ts, so the
same multisets of stays are drawn. Each resample's metric comes from scipy/numpy, not from the
TypeScript (AUROC = Mann-Whitney U / (n+ n-) from scipy.stats.mannwhitneyu; average precision as
sklearn defines it, in numpy; a proportion as a mean), and the interval endpoints are
np.percentile(values, [100 a/2, 100 (1 - a/2)]) with numpy's default linear interpolation,
a = 1 - level. Reading any other percentile (the 5th/95th for a 95 % interval, say) misses these
numbers by far more than the spec's 1e-12.

The JSON is committed, so the spec that reads it needs no Python. Run with any Python 3 that has numpy
and scipy (Debian: apt-get install python3-numpy python3-scipy):
    python3 tools/scripts/bootstrap-fixtures.py
"""
import json
import os

import numpy as np
import scipy
from scipy.stats import mannwhitneyu

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "packages", "metrics", "src", "lib", "__fixtures__", "bootstrap.json",
)
M32 = 0xFFFFFFFF


class Xoshiro128:
    """xoshiro128** (Blackman & Vigna 2018) seeded by four splitmix32 outputs, written from the paper."""

    def __init__(self, seed):
        state = (seed & M32) ^ (((seed >> 32) & M32) * 0x27D4EB2D & M32)

        def splitmix32():
            nonlocal state
            state = (state + 0x9E3779B9) & M32
            z = state
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
            return z ^ (z >> 16)

        self.s = [splitmix32() for _ in range(4)]
        if not any(self.s):
            self.s[0] = 1

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (32 - k))) & M32

    def next_uint32(self):
        s = self.s
        result = self.rotl(s[1] * 5 & M32, 7) * 9 & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self.rotl(s[3], 11)
        return result

    def int(self, n):
        """Uniform in [0, n) without modulo bias: reject draws at or above the largest multiple of n."""
        limit = 2**32 - (2**32 % n)
        while True:
            x = self.next_uint32()
            if x < limit:
                return x % n


def auroc(y, p):
    pos, neg = p[y == 1], p[y == 0]
    u = mannwhitneyu(pos, neg, alternative="two-sided").statistic
    return float(u) / (len(pos) * len(neg))


def average_precision(y, p):
    """sklearn's AP: sum over distinct thresholds (descending) of (R_k - R_{k-1}) P_k."""
    total_pos = y.sum()
    ap, prev_recall = 0.0, 0.0
    for t in np.unique(p)[::-1]:
        above = p >= t
        tp = y[above].sum()
        recall = tp / total_pos
        ap += (recall - prev_recall) * (tp / above.sum())
        prev_recall = recall
    return float(ap)


def percentile_interval(values, level):
    alpha = 1 - level
    low, high = np.percentile(np.asarray(values), [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(low), float(high)


def ranking_case(name, y, p, seed, resamples, level, stratified):
    y, p = np.asarray(y), np.asarray(p, dtype=float)
    n = len(y)
    pos_idx, neg_idx = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    rng = Xoshiro128(seed)
    aurocs, aps = [], []
    for _ in range(resamples):
        if stratified:
            idx = [pos_idx[rng.int(len(pos_idx))] for _ in range(len(pos_idx))]
            idx += [neg_idx[rng.int(len(neg_idx))] for _ in range(len(neg_idx))]
        else:
            idx = [rng.int(n) for _ in range(n)]
        yr, pr = y[idx], p[idx]
        # A one-class resample has no AUROC/AUPRC: bootstrap.ts skips it and counts it.
        if yr.min() == yr.max():
            continue
        aurocs.append(auroc(yr, pr))
        aps.append(average_precision(yr, pr))
    a_low, a_high = percentile_interval(aurocs, level)
    b_low, b_high = percentile_interval(aps, level)
    return {
        "name": name,
        "y_true": [int(v) for v in y],
        "p": [float(v) for v in p],
        "options": {"seed": seed, "resamples": resamples, "level": level, "stratified": stratified},
        "validResamples": len(aurocs),
        "auroc": {"estimate": auroc(y, p), "low": a_low, "high": a_high},
        "auprc": {"estimate": average_precision(y, p), "low": b_low, "high": b_high},
    }


def proportion_case(name, successes, seed, resamples, level):
    s = np.asarray(successes)
    n = len(s)
    rng = Xoshiro128(seed)
    values = [s[[rng.int(n) for _ in range(n)]].mean() for _ in range(resamples)]
    low, high = percentile_interval(values, level)
    return {
        "name": name,
        "successes": [int(v) for v in s],
        "options": {"seed": seed, "resamples": resamples, "level": level},
        "estimate": float(s.mean()),
        "low": low,
        "high": high,
    }


def scores(rng, n, prevalence, decimals):
    y = (rng.random(n) < prevalence).astype(int)
    y[0], y[1] = 1, 0
    p = 1 / (1 + np.exp(-(rng.normal(size=n) + 1.0 * y)))
    return y, np.round(p, decimals)


def main():
    rng = np.random.default_rng(20261205)
    ranking = []
    y, p = scores(rng, 80, 0.3, 2)
    ranking.append(ranking_case("n80-plain-95", y, p, 11, 500, 0.95, False))
    ranking.append(ranking_case("n80-plain-90", y, p, 11, 500, 0.9, False))
    y, p = scores(rng, 60, 0.25, 1)
    ranking.append(ranking_case("n60-coarse-stratified-90", y, p, -3, 400, 0.9, True))
    # Two positives in 12: about a fifth of plain resamples hold no positive and are skipped.
    y = np.array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    p = np.array([0.9, 0.2, 0.4, 0.7, 0.1, 0.3, 0.5, 0.5, 0.2, 0.8, 0.05, 0.6])
    ranking.append(ranking_case("n12-two-positives-plain-95", y, p, 2**33 + 5, 300, 0.95, False))
    successes = (rng.random(40) < 0.6).astype(int)
    proportion = [
        proportion_case("asr-n40-95", successes, 0, 500, 0.95),
        proportion_case("asr-n40-80", successes, 7, 500, 0.8),
    ]
    doc = {
        "generator": "tools/scripts/bootstrap-fixtures.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "ranking": ranking,
        "proportion": proportion,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(ranking)} ranking and {len(proportion)} proportion cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
