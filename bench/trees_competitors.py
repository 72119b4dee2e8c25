#!/usr/bin/env python3
"""The Python side of `npm run bench:trees`: fits XGBoost (hist) or scikit-learn's random forest
on the exact rows cinerank uses (the bench table file written by bench/trees-data.ts) and prints
one JSON object: fit seconds, validation ROC AUC, predict seconds, peak RSS of this process.

usage: trees_competitors.py xgboost|sklearn-rf TABLE_FILE TRAIN_ROWS VALID_ROWS THREADS [TREES [VALID_START]]
Train rows are the file's first rows; validation rows start at VALID_START (default TRAIN_ROWS).
See trees-data.ts for the file layout.
"""
import json
import resource
import sys
import time

import numpy as np


def read_table(path):
    with open(path, "rb") as f:
        head = f.read(12)
        if head[:4] != b"CRBD":
            raise SystemExit(f"{path}: not a bench table")
        rows = int.from_bytes(head[4:8], "little")
        cols = int.from_bytes(head[8:12], "little")
        x = np.fromfile(f, dtype="<f4", count=rows * cols).reshape(rows, cols)
        y = np.fromfile(f, dtype=np.uint8, count=rows)
    return x, y


def main():
    which, path, n_train, n_valid, threads = sys.argv[1:6]
    trees = int(sys.argv[6]) if len(sys.argv) > 6 else 100
    n_train, n_valid, threads = int(n_train), int(n_valid), int(threads)
    v0 = int(sys.argv[7]) if len(sys.argv) > 7 else n_train
    x, y = read_table(path)
    xt, yt = x[:n_train], y[:n_train]
    xv, yv = x[v0 : v0 + n_valid], y[v0 : v0 + n_valid]
    from sklearn.metrics import roc_auc_score

    out = {"which": which, "train_rows": int(xt.shape[0]), "valid_rows": int(xv.shape[0]), "threads": threads}
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if which == "xgboost":
        import xgboost as xgb

        out["version"] = xgb.__version__
        t0 = time.perf_counter()
        c0 = time.process_time()
        dtrain = xgb.DMatrix(xt, label=yt, missing=np.nan, nthread=threads)
        params = {
            "objective": "binary:logistic",
            "tree_method": "hist",
            "max_depth": 6,
            "eta": 0.1,
            "max_bin": 256,
            "nthread": threads,
            "lambda": 1.0,
            "min_child_weight": 1.0,
            "eval_metric": "logloss",
        }
        booster = xgb.train(params, dtrain, num_boost_round=trees)
        out["fit_seconds"] = time.perf_counter() - t0
        out["fit_cpu_seconds"] = time.process_time() - c0
        t0 = time.perf_counter()
        p = booster.predict(xgb.DMatrix(xv, missing=np.nan, nthread=threads))
        out["predict_seconds"] = time.perf_counter() - t0
    elif which == "sklearn-rf":
        import sklearn
        from sklearn.ensemble import RandomForestClassifier

        out["version"] = sklearn.__version__
        # scikit-learn has no NaN support in its 1.2 forest: impute with the column means of train
        means = np.nanmean(xt, axis=0)
        xt = np.where(np.isnan(xt), means, xt)
        xv = np.where(np.isnan(xv), means, xv)
        t0 = time.perf_counter()
        c0 = time.process_time()
        rf = RandomForestClassifier(n_estimators=trees, n_jobs=threads, max_features="sqrt", random_state=0)
        rf.fit(xt, yt)
        out["fit_seconds"] = time.perf_counter() - t0
        out["fit_cpu_seconds"] = time.process_time() - c0
        t0 = time.perf_counter()
        p = rf.predict_proba(xv)[:, 1]
        out["predict_seconds"] = time.perf_counter() - t0
    else:
        raise SystemExit(f"unknown competitor {which}")
    out["valid_auc"] = float(roc_auc_score(yv, p))
    # ru_maxrss is in KiB on Linux; report the peak and the peak above the loaded table
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["peak_rss_mb"] = peak / 1024
    out["peak_rss_over_data_mb"] = (peak - base_rss) / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
