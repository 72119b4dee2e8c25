#!/usr/bin/env python3
"""Elastic-net / L1 reference values for cinerank's logistic regression (src/models/linear).

Uses the rows of test/fixtures/lr-sklearn.json (made by lr_sklearn.py), standardises them the
way cinerank does (population std, as StandardScaler), fits scikit-learn's
LogisticRegression(penalty="elasticnet", solver="saga") for a few (C, l1_ratio) settings and
writes the coefficients to test/fixtures/lr-elasticnet-sklearn.json. SAGA is a stochastic
solver, so it is run to a very tight tolerance (tol=1e-12, up to 10^6 epochs, a convergence
warning is an error); each case also records the objective value (scikit-learn's objective
divided by C, which cinerank minimises), so the test can check that cinerank's exact solver
reaches at least as low a value. Re-run only to regenerate the JSON:

    /usr/bin/python3 test/reference/lr_elasticnet_sklearn.py   # Debian python3-sklearn
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "fixtures", "lr-sklearn.json")) as f:
    base = json.load(f)
X = np.array(base["X"], dtype=np.float64)
y = np.array(base["y"], dtype=int)
Z = StandardScaler().fit_transform(X)


def objective(coef, intercept, C, r):
    """scikit-learn's elastic-net objective divided by C (what cinerank minimises)."""
    s = intercept + Z @ coef
    loss = np.sum(np.logaddexp(0, s) - y * s)
    return loss + ((1 - r) * 0.5 * coef @ coef + r * np.abs(coef).sum()) / C


cases = []
for C, r in [(0.05, 0.5), (0.02, 1.0), (1.0, 0.3)]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        m = LogisticRegression(
            penalty="elasticnet", solver="saga", l1_ratio=r, C=C, tol=1e-12, max_iter=1000000
        )
        m.fit(Z, y)
    cases.append(
        {
            "C": C,
            "l1Ratio": r,
            "penalty": "l1" if r == 1.0 else "elasticnet",
            "coef": m.coef_[0].tolist(),
            "intercept": float(m.intercept_[0]),
            "objective": float(objective(m.coef_[0], m.intercept_[0], C, r)),
            "epochs": int(m.n_iter_[0]),
        }
    )

out = {
    "generatedBy": "test/reference/lr_elasticnet_sklearn.py",
    "sklearnVersion": sklearn.__version__,
    "rows": "X and y of test/fixtures/lr-sklearn.json",
    "cases": cases,
}
with open(os.path.join(here, "..", "fixtures", "lr-elasticnet-sklearn.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote test/fixtures/lr-elasticnet-sklearn.json with sklearn", sklearn.__version__)
