#!/usr/bin/python3
"""Writes packages/detect/src/lib/__fixtures__/fast-ica.json: scikit-learn's FastICA sources on small
mixtures of non-Gaussian sources, which detect's fastIca must reproduce up to sign and order.

- `cases`: scikit-learn from its own random start; fastIca from another, so the sources agree only
  up to sign, order and the tolerance.
- `fromInitial`: scikit-learn from a given `w_init`; fastIca from `initial`, the same start in its own
  whitening's signs, so both take the same steps and the sources and iteration counts agree.
- `rankDeficient`: data of rank `rank` < `k`; scikit-learn's sources with n_components = rank, which
  fastIca with k components must give in its first `rank` columns (and zeros after them).

Run from the repository root (Debian's python3-sklearn): /usr/bin/python3 tools/scripts/fast-ica-fixtures.py
"""
import json

import numpy as np
import sklearn
from sklearn.decomposition import FastICA


def mixture(n, d, k, rng, noise=0.01):
    kinds = [
        lambda: rng.uniform(-1, 1, n),
        lambda: rng.laplace(0, 1, n),
        lambda: np.sign(np.sin(np.linspace(0, 37, n))),
        lambda: rng.exponential(1, n),
        lambda: np.sin(np.linspace(0, 23, n)),
    ]
    sources = np.stack([kinds[i % len(kinds)]() for i in range(k)], axis=1)
    mixing = rng.normal(size=(k, d))
    return sources @ mixing + noise * rng.normal(size=(n, d)) + rng.normal(size=d)


def ica(k, seed, **kwargs):
    return FastICA(n_components=k, algorithm="parallel", fun="logcosh", whiten="unit-variance", tol=1e-4, max_iter=200, random_state=seed, **kwargs)


def case(name, n, d, k, seed):
    rng = np.random.default_rng(seed)
    x = mixture(n, d, k, rng)
    fitted = ica(k, seed)
    s = fitted.fit_transform(x)
    return {"name": name, "n": n, "d": d, "k": k, "x": np.round(x, 9).ravel().tolist(), "sources": np.round(s, 9).ravel().tolist(), "iterations": int(fitted.n_iter_)}


def from_initial(name, n, d, k, seed):
    rng = np.random.default_rng(seed)
    x = np.round(mixture(n, d, k, rng), 9)
    initial = np.round(rng.normal(size=(k, k)), 9)
    # scikit-learn signs each principal axis by its first element, fastIca by its largest: row c of
    # scikit-learn's whitened data is sign[c] times fastIca's, so its start is initial · diag(sign).
    whitening = ica(k, seed).fit(x).whitening_
    sign = np.sign(whitening[np.arange(k), np.abs(whitening).argmax(axis=1)])
    fitted = ica(k, seed, w_init=initial * sign[np.newaxis, :])
    s = fitted.fit_transform(x)
    return {
        "name": name,
        "n": n,
        "d": d,
        "k": k,
        "x": x.ravel().tolist(),
        "initial": initial.ravel().tolist(),
        "sources": np.round(s, 12).ravel().tolist(),
        "iterations": int(fitted.n_iter_),
    }


def rank_deficient(name, n, d, rank, seed):
    rng = np.random.default_rng(seed)
    x = np.round(mixture(n, d, rank, rng, noise=0), 9)
    fitted = ica(rank, seed)
    s = fitted.fit_transform(x)
    return {"name": name, "n": n, "d": d, "k": rank + 1, "rank": rank, "x": x.ravel().tolist(), "sources": np.round(s, 9).ravel().tolist()}


cases = [case("three-in-five", 400, 5, 3, 1), case("four-in-eight", 600, 8, 4, 2), case("two-in-two", 300, 2, 2, 3), case("one-in-three", 200, 3, 1, 5)]
initial = [from_initial("two-in-three", 60, 3, 2, 6), from_initial("three-in-four", 150, 4, 3, 7)]
deficient = [rank_deficient("two-in-four", 300, 4, 2, 8)]
with open("packages/detect/src/lib/__fixtures__/fast-ica.json", "w") as f:
    json.dump(
        {"generator": "tools/scripts/fast-ica-fixtures.py", "sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases, "fromInitial": initial, "rankDeficient": deficient},
        f,
    )
