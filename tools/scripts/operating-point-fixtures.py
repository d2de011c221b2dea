#!/usr/bin/python3
"""Reference values from scikit-learn for the operating-point metrics of @ehr-backdoor/metrics.

Writes packages/metrics/src/lib/__fixtures__/operating-point.json: validation and test sets (continuous,
tied and extreme probabilities; both target labels; several false-positive rates), the operating threshold
found by an independent search, and scikit-learn's accuracy, precision, recall, F1, confusion matrix and
calibration curve at that threshold, with the ASR and flip rate of a triggered copy of the test set.

Run with Debian's Python (apt-get install python3-sklearn):
    /usr/bin/python3 tools/scripts/operating-point-fixtures.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "packages", "metrics", "src", "lib", "__fixtures__", "operating-point.json",
)
BINS = 15


def probabilities(rng, y, ties):
    signal = rng.normal(size=len(y)) + 1.5 * y - 1.0
    p = 1 / (1 + np.exp(-signal))
    if ties == "coarse":
        p = np.round(p, 1)
    elif ties == "heavy":
        p = rng.choice([0.0, 0.2, 0.5, 0.7, 1.0], size=len(y), p=[0.15, 0.25, 0.3, 0.2, 0.1])
    elif ties == "float32":
        p = p.astype(np.float32).astype(np.float64)
    return p


def threshold_by_search(p_target_nontarget, fpr):
    """The smallest candidate threshold t (a non-target p(target)) at which mean(p > t) <= fpr: written as a
    search over candidates, independently of the order-statistic formula the TypeScript uses."""
    for t in np.unique(p_target_nontarget):
        if np.mean(p_target_nontarget > t) <= fpr:
            return float(t)
    raise AssertionError("unreachable: the largest value always qualifies")


def metric_or_none(fn, y, y_pred, denominator):
    # sklearn 1.2 has no zero_division=nan; null marks the undefined (0/0) cases.
    return float(fn(y, y_pred, zero_division=0)) if denominator > 0 else None


def make_case(rng, name, n_val, n_test, prevalence, ties, target, fpr):
    y_val = (rng.random(n_val) < prevalence).astype(int)
    y_val[0], y_val[1] = 1, 0
    y_test = (rng.random(n_test) < prevalence).astype(int)
    y_test[0], y_test[1] = 1, 0
    p_val = probabilities(rng, y_val, ties)
    p_test = probabilities(rng, y_test, ties)
    # The trigger pushes p(target) up for most stays.
    shift = rng.random(n_test) * 0.6
    p_trig = np.clip(p_test + shift if target == 1 else p_test - shift, 0, 1)
    if ties == "float32":
        p_trig = p_trig.astype(np.float32).astype(np.float64)

    to_target = (lambda p: p) if target == 1 else (lambda p: 1 - p)
    t = threshold_by_search(to_target(p_val[y_val != target]), fpr)
    pred = np.where(to_target(p_test) > t, target, 1 - target)
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(y_test, pred, labels=[0, 1]).ravel())

    eligible = y_test != target
    pred_trig = np.where(to_target(p_trig) > t, target, 1 - target)
    asr = float(accuracy_score(np.full(int(eligible.sum()), target), pred_trig[eligible]))
    base = eligible & (pred != target)
    flip = float(np.mean(pred_trig[base] == target)) if base.any() else None

    y_is_target = (y_test == target).astype(int)
    pt = to_target(p_test)
    prob_true, prob_pred = calibration_curve(y_is_target, pt, n_bins=BINS, strategy="uniform")
    # calibration_curve drops the empty bins; its own binning gives the counts of the non-empty ones.
    binids = np.searchsorted(np.linspace(0.0, 1.0, BINS + 1)[1:-1], pt)
    counts = np.bincount(binids, minlength=BINS)
    nonempty = counts[counts > 0]
    ece_target = float(np.sum(nonempty / len(pt) * np.abs(prob_true - prob_pred)))

    return {
        "name": name,
        "target": target,
        "fpr": fpr,
        "y_val": [int(v) for v in y_val],
        "p_val": [float(v) for v in p_val],
        "y_test": [int(v) for v in y_test],
        "p_test": [float(v) for v in p_test],
        "p_triggered": [float(v) for v in p_trig],
        "threshold": t,
        "achieved_fpr": float(np.mean(to_target(p_val[y_val != target]) > t)),
        "tp": tp, "fp": fp, "tn": tn, "fn": fn,
        "accuracy": float(accuracy_score(y_test, pred)),
        "precision": metric_or_none(precision_score, y_test, pred, tp + fp),
        "recall": metric_or_none(recall_score, y_test, pred, tp + fn),
        "f1": metric_or_none(f1_score, y_test, pred, 2 * tp + fp + fn),
        "asr": asr,
        "flip_rate": flip,
        "calibration_counts": [int(c) for c in counts],
        "calibration_prob_true": [float(v) for v in prob_true],
        "calibration_prob_pred": [float(v) for v in prob_pred],
        "ece_target": ece_target,
    }


def main():
    rng = np.random.default_rng(20261205)
    specs = [
        ("small-continuous-t1", 40, 60, 0.3, "none", 1, 0.05),
        ("small-continuous-t0", 40, 60, 0.3, "none", 0, 0.05),
        ("coarse-ties-t1", 300, 300, 0.15, "coarse", 1, 0.05),
        ("coarse-ties-t0", 300, 300, 0.15, "coarse", 0, 0.05),
        ("heavy-ties-t1-fpr10", 400, 500, 0.2, "heavy", 1, 0.1),
        ("heavy-ties-t0-fpr10", 400, 500, 0.2, "heavy", 0, 0.1),
        ("float32-mortality-like-t1", 600, 1000, 0.11, "float32", 1, 0.05),
        ("float32-mortality-like-t0", 600, 1000, 0.11, "float32", 0, 0.05),
        ("awkward-rate-0.29", 100, 200, 0.3, "none", 1, 0.29),
        ("tiny-rate-0.01", 50, 80, 0.2, "none", 1, 0.01),
        ("high-rate-0.5-t0", 200, 200, 0.4, "coarse", 0, 0.5),
    ]
    cases = [make_case(rng, *spec) for spec in specs]
    doc = {
        "generator": "tools/scripts/operating-point-fixtures.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "bins": BINS,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
