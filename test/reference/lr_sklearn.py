#!/usr/bin/env python3
"""Reference values for cinerank's logistic regression (src/models/linear).

Generates a small fixed fixture (features of very different scales, a correlated pair, class
imbalance), standardises it the way cinerank does (population std, as StandardScaler), fits
scikit-learn's LogisticRegression (L2, intercept unpenalised) for a few settings and writes the
rows and the fitted coefficients to test/fixtures/lr-sklearn.json. The committed JSON is what
the TypeScript test compares against (within 1e-3); re-run this only to regenerate it:

    /usr/bin/python3 test/reference/lr_sklearn.py   # Debian python3-sklearn (1.2.1 made the JSON)
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

rng = np.random.default_rng(20261125)
n = 400
x0 = rng.normal(3.5, 0.8, n)  # like a user's mean rating
x1 = rng.exponential(200.0, n)  # like a popularity count (large scale)
x2 = x0 * 0.6 + rng.normal(0, 0.3, n)  # correlated with x0
x3 = rng.integers(0, 2, n).astype(float)  # a binary genre flag
x4 = rng.normal(0, 1e-3, n)  # tiny scale
X = np.column_stack([x0, x1, x2, x3, x4])
# the TypeScript side holds features as Float32: round here so both fit the same numbers
X = X.astype(np.float32).astype(np.float64)
logit = -0.4 + 1.3 * (x0 - 3.5) - 0.004 * (x1 - 200) + 0.5 * x3 + 300 * x4
y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
# make the classes unequal so class weights matter
y[: n // 8] = 0

Z = StandardScaler().fit_transform(X)
cases = []
for C, cw in [(1.0, None), (0.05, "balanced"), (100.0, None)]:
    m = LogisticRegression(C=C, class_weight=cw, solver="lbfgs", tol=1e-12, max_iter=100000)
    m.fit(Z, y)
    cases.append(
        {
            "C": C,
            "classWeight": "balanced" if cw else "none",
            "coef": m.coef_[0].tolist(),
            "intercept": float(m.intercept_[0]),
            "probaFirst5": m.predict_proba(Z[:5])[:, 1].tolist(),
        }
    )

out = {
    "generatedBy": "test/reference/lr_sklearn.py",
    "sklearnVersion": sklearn.__version__,
    "names": ["x0", "x1", "x2", "x3", "x4"],
    "X": X.tolist(),
    "y": y.tolist(),
    "cases": cases,
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "fixtures", "lr-sklearn.json"), "w") as f:
    json.dump(out, f)
    f.write("\n")
print("wrote test/fixtures/lr-sklearn.json with sklearn", sklearn.__version__)
