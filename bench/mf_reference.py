#!/usr/bin/env python3
"""Reference rating models for `npm run bench:mf`, on the split bench/mf.ts exports.

usage: /usr/bin/python3 bench/mf_reference.py <split.csv> <reg> <biasReg>

split.csv: user,movie,rating,part (dense indices; part 0 = train, 2 = test). Prints one JSON
line per model: {"model", "rmse", "mae", "n", "seconds"}, scored like cinerank's ratingErrors
(test rows whose user and movie have training ratings; predictions clipped to the training
rating range).

- NumPy biased ALS with exact per-row solves: the same objective as cinerank's biased MF
  (mu + b_u + b_i + p_u.q_i; reg * n on factors, biasReg * n on biases), k = 32, 15 iterations.
- scikit-learn TruncatedSVD (randomized, 20 components) of the user-mean-centred sparse matrix,
  prediction = user mean + reconstruction (the original study's SVD variant).
"""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

path, reg, bias_reg = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
d = np.loadtxt(path, delimiter=",", skiprows=1)
u, m, r, part = d[:, 0].astype(int), d[:, 1].astype(int), d[:, 2], d[:, 3].astype(int)
tr, te = part == 0, part == 2
nu, nm = u.max() + 1, m.max() + 1
tu, tm, tr_r = u[tr], m[tr], r[tr]
lo, hi = tr_r.min(), tr_r.max()
known_u = np.bincount(tu, minlength=nu) > 0
known_m = np.bincount(tm, minlength=nm) > 0
mask = known_u[u[te]] & known_m[m[te]]
eu, em, er = u[te][mask], m[te][mask], r[te][mask]


def report(name, pred, seconds):
    err = np.clip(pred, lo, hi) - er
    print(json.dumps({"model": name, "rmse": float(np.sqrt(np.mean(err**2))),
                      "mae": float(np.mean(np.abs(err))), "n": int(len(er)), "seconds": seconds}))


# --- NumPy biased ALS, exact solves
t0 = time.time()
k, iters = 32, 15
rng = np.random.default_rng(42)
mu = tr_r.mean()
P = np.hstack([rng.normal(0, 0.1, (nu, k)), np.zeros((nu, 1))])  # [p_u, b_u]
Q = np.hstack([rng.normal(0, 0.1, (nm, k)), np.zeros((nm, 1))])  # [q_i, b_i]
by_u = sp.csr_matrix((np.arange(len(tu)), (tu, tm)), shape=(nu, nm))
by_m = by_u.tocsc()
order_u = [by_u.data[by_u.indptr[i]:by_u.indptr[i + 1]].astype(int) for i in range(nu)]
order_m = [by_m.data[by_m.indptr[j]:by_m.indptr[j + 1]].astype(int) for j in range(nm)]
D = np.full(k + 1, reg)
D[k] = bias_reg
for _ in range(iters):
    for i in range(nu):
        rows = order_u[i]
        if len(rows) == 0:
            P[i] = 0
            continue
        A = np.hstack([Q[tm[rows], :k], np.ones((len(rows), 1))])
        t = tr_r[rows] - mu - Q[tm[rows], k]
        P[i] = np.linalg.solve(A.T @ A + np.diag(D * len(rows)), A.T @ t)
    for j in range(nm):
        rows = order_m[j]
        if len(rows) == 0:
            Q[j] = 0
            continue
        A = np.hstack([P[tu[rows], :k], np.ones((len(rows), 1))])
        t = tr_r[rows] - mu - P[tu[rows], k]
        Q[j] = np.linalg.solve(A.T @ A + np.diag(D * len(rows)), A.T @ t)
pred = mu + P[eu, k] + Q[em, k] + np.sum(P[eu, :k] * Q[em, :k], axis=1)
report("NumPy biased ALS, exact solves (k=32, reference)", pred, time.time() - t0)

# --- scikit-learn TruncatedSVD on the user-centred matrix
t0 = time.time()
umean = np.bincount(tu, weights=tr_r, minlength=nu) / np.maximum(np.bincount(tu, minlength=nu), 1)
X = sp.csr_matrix((tr_r - umean[tu], (tu, tm)), shape=(nu, nm))
svd = TruncatedSVD(n_components=20, algorithm="randomized", n_iter=5, random_state=42)
Z = svd.fit_transform(X)  # U * S
pred = umean[eu] + np.sum(Z[eu] * svd.components_.T[em], axis=1)
report("scikit-learn TruncatedSVD (k=20, reference)", pred, time.time() - t0)
