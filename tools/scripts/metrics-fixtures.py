#!/usr/bin/python3
"""Reference values from scikit-learn for @ehr-backdoor/metrics.

Writes packages/metrics/src/lib/__fixtures__/sklearn.json: random binary cases (heavy ties, strong
imbalance, probabilities exactly 0, 0.5 and 1, a non-default threshold) with the values that
scikit-learn gives for them. The JSON is committed, so the spec that reads it needs no Python.

Run with Debian's Python (apt-get install python3-sklearn):
    /usr/bin/python3 tools/scripts/metrics-fixtures.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "packages", "metrics", "src", "lib", "__fixtures__", "sklearn.json",
)


def ece(y, p, bins=15):
    """Guo et al. (2017) ECE, binary: confidence max(p, 1-p) of the predicted class (p > 0.5 => 1),
    bins (b/bins, (b+1)/bins], the first bin also holding 0. Written independently of the TypeScript."""
    pred = (p > 0.5).astype(int)
    conf = np.where(pred == 1, p, 1 - p)
    edges = np.array([b / bins for b in range(bins + 1)])
    total = 0.0
    for b in range(bins):
        lo, hi = edges[b], edges[b + 1]
        mask = (conf > lo) & (conf <= hi) if b > 0 else (conf >= lo) & (conf <= hi)
        if mask.any():
            total += mask.mean() * abs((pred[mask] == y[mask]).mean() - conf[mask].mean())
    return total


def make_case(rng, name, n, prevalence, ties, threshold=0.5):
    y = (rng.random(n) < prevalence).astype(int)
    # Both classes are needed for the ranking metrics the fixture exists to check.
    y[0], y[1] = 1, 0
    rng.shuffle(y)
    signal = rng.normal(size=n) + 1.2 * y
    p = 1 / (1 + np.exp(-signal))
    if ties == "coarse":
        p = np.round(p, 1)
    elif ties == "heavy":
        p = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], size=n, p=[0.1, 0.2, 0.4, 0.2, 0.1])
        p = np.where(y == 1, np.maximum(p, rng.choice([0.0, 0.5], size=n)), p)
    elif ties == "fine":
        p = np.round(p, 3)
    elif ties == "constant":
        p = np.full(n, 0.5)
    elif ties == "extreme":
        p = np.clip(np.round(p * 4) / 4, 0, 1)
        p[rng.random(n) < 0.1] = 0.0
        p[rng.random(n) < 0.1] = 1.0
    y_pred = (p > threshold).astype(int)
    tp = int(((y_pred == 1) & (y == 1)).sum())
    fp = int(((y_pred == 1) & (y == 0)).sum())
    fn = int(((y_pred == 0) & (y == 1)).sum())
    case = {
        "name": name,
        "threshold": threshold,
        "y_true": [int(v) for v in y],
        "p": [float(v) for v in p],
        "auroc": float(roc_auc_score(y, p)),
        "auprc": float(average_precision_score(y, p)),
        "accuracy": float(accuracy_score(y, y_pred)),
        # sklearn 1.2 has no zero_division=nan; null marks the undefined (0/0) cases.
        "precision": float(precision_score(y, y_pred, zero_division=0)) if tp + fp > 0 else None,
        "recall": float(recall_score(y, y_pred, zero_division=0)) if tp + fn > 0 else None,
        "f1": float(f1_score(y, y_pred, zero_division=0)) if 2 * tp + fp + fn > 0 else None,
        "brier": float(brier_score_loss(y, p)),
        "ece": float(ece(y, p)),
    }
    return case


def main():
    rng = np.random.default_rng(20261127)
    specs = [
        ("tiny-continuous", 8, 0.5, "none"),
        ("tiny-heavy-ties", 12, 0.4, "heavy"),
        ("small-coarse", 40, 0.3, "coarse"),
        ("small-imbalanced", 60, 0.05, "none"),
        ("medium-continuous", 300, 0.2, "none"),
        ("medium-coarse", 300, 0.1, "coarse"),
        ("medium-heavy-ties", 400, 0.25, "heavy"),
        ("medium-fine-ties", 500, 0.15, "fine"),
        ("medium-extreme", 500, 0.3, "extreme"),
        ("large-imbalanced-2pct", 2000, 0.02, "none"),
        ("large-imbalanced-coarse", 2000, 0.03, "coarse"),
        ("large-balanced", 1500, 0.5, "fine"),
        ("large-heavy-ties", 3000, 0.1, "heavy"),
        ("constant-scores", 50, 0.3, "constant"),
        ("majority-positive", 200, 0.9, "coarse"),
        ("majority-positive-heavy", 200, 0.95, "heavy"),
        ("mortality-like", 1000, 0.11, "none"),
        ("mortality-like-extreme", 1000, 0.11, "extreme"),
        ("minimal", 2, 0.5, "none"),
        ("threshold-0.3", 250, 0.2, "coarse", 0.3),
        ("threshold-0.75", 250, 0.2, "heavy", 0.75),
    ]
    cases = [make_case(rng, *spec) for spec in specs]
    doc = {
        "generator": "tools/scripts/metrics-fixtures.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
