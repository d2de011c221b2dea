#!/usr/bin/python3
"""Writes packages/detect/src/lib/__fixtures__/fast-ica.json: scikit-learn's FastICA sources on small
mixtures of non-Gaussian sources, which detect's fastIca must reproduce up to sign and order.

Run from the repository root: /usr/bin/python3 tools/scripts/fast-ica-fixtures.py
"""
import json

import numpy as np
import sklearn
from sklearn.decomposition import FastICA


def case(name, n, d, k, seed):
    rng = np.random.default_rng(seed)
    kinds = [
        lambda: rng.uniform(-1, 1, n),
        lambda: rng.laplace(0, 1, n),
        lambda: np.sign(np.sin(np.linspace(0, 37, n))),
        lambda: rng.exponential(1, n),
        lambda: np.sin(np.linspace(0, 23, n)),
    ]
    sources = np.stack([kinds[i % len(kinds)]() for i in range(k)], axis=1)
    mixing = rng.normal(size=(k, d))
    x = sources @ mixing + 0.01 * rng.normal(size=(n, d)) + rng.normal(size=d)
    ica = FastICA(n_components=k, algorithm="parallel", fun="logcosh", whiten="unit-variance", tol=1e-4, max_iter=200, random_state=seed)
    s = ica.fit_transform(x)
    return {"name": name, "n": n, "d": d, "k": k, "x": np.round(x, 9).ravel().tolist(), "sources": np.round(s, 9).ravel().tolist(), "iterations": int(ica.n_iter_)}


cases = [case("three-in-five", 400, 5, 3, 1), case("four-in-eight", 600, 8, 4, 2), case("two-in-two", 300, 2, 2, 3)]
with open("packages/detect/src/lib/__fixtures__/fast-ica.json", "w") as f:
    json.dump({"generator": "tools/scripts/fast-ica-fixtures.py", "sklearn": sklearn.__version__, "numpy": np.__version__, "cases": cases}, f)
