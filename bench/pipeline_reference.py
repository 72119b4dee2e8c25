"""The original study's pipeline, done on train-only aggregates, as the pipeline benchmark's
competitor: pandas features + scikit-learn LogisticRegression / RandomForest + XGBoost, on exactly
the rows of a cinerank run's exported split (split.csv), so the AUCs and times compare like for
like. Prints one JSON object (stage seconds, test AUC per model, peak RSS).

usage: python3 bench/pipeline_reference.py DATA_DIR SPLIT_CSV [THRESHOLD] [MAX_TRAIN_ROWS]
"""
import json
import re
import resource
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler
import xgboost as xgb


def main():
    data, split_csv = sys.argv[1], sys.argv[2]
    threshold = float(sys.argv[3]) if len(sys.argv) > 3 else 3.5
    max_rows = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    t = {}
    t0 = time.time()
    ratings = pd.read_csv(f"{data}/ratings.csv")
    movies = pd.read_csv(f"{data}/movies.csv")
    split = pd.read_csv(split_csv)
    t["load"] = time.time() - t0

    t0 = time.time()
    df = ratings.merge(split[["userId", "movieId", "part"]], on=["userId", "movieId"])
    df["like"] = (df["rating"] >= threshold).astype(np.int8)
    tr = df[df.part == "train"]
    g = movies["genres"].str.get_dummies("|")
    g = g.drop(columns=[c for c in g.columns if c.startswith("(")], errors="ignore")
    movies_f = pd.concat([movies[["movieId"]], g.add_prefix("g_")], axis=1)
    movies_f["year"] = movies["title"].map(lambda s: (lambda m: float(m.group(1)) if m else np.nan)(re.search(r"\((\d{4})\)\s*$", str(s))))
    gm = tr["rating"].mean()
    u = tr.groupby("userId")["rating"].agg(user_mean="mean", user_count="count", user_std="std")
    u["user_like"] = tr.groupby("userId")["like"].mean()
    m = tr.groupby("movieId")["rating"].agg(movie_mean="mean", movie_count="count", movie_std="std")
    m["movie_like"] = tr.groupby("movieId")["like"].mean()
    X = df.merge(u, left_on="userId", right_index=True, how="left").merge(m, left_on="movieId", right_index=True, how="left").merge(movies_f, on="movieId", how="left")
    X["movie_mean"] = X["movie_mean"].fillna(gm)
    X["movie_like"] = X["movie_like"].fillna(tr["like"].mean())
    X = X.fillna({"movie_count": 0, "movie_std": 0, "user_std": 0, "year": X["year"].median()})
    feats = [c for c in X.columns if c not in ("userId", "movieId", "rating", "timestamp", "part", "like")]
    X[feats] = X[feats].fillna(0)
    t["features"] = time.time() - t0

    trn = X[X.part == "train"]
    if max_rows and len(trn) > max_rows:
        trn = trn.sample(n=max_rows, random_state=42)
    tst = X[X.part == "test"]
    out = {"rows": {"train": int(len(trn)), "test": int(len(tst))}, "features": len(feats), "models": {}}
    sc = StandardScaler().fit(trn[feats])
    models = {
        "lr": lambda: LogisticRegression(max_iter=1000),
        "rf": lambda: RandomForestClassifier(n_estimators=100, min_samples_leaf=5, n_jobs=2, random_state=42),
        "xgboost": lambda: xgb.XGBClassifier(n_estimators=300, max_depth=6, learning_rate=0.1, tree_method="hist", n_jobs=2, random_state=42),
    }
    for name, make in models.items():
        t0 = time.time()
        mdl = make()
        xs = sc.transform(trn[feats]) if name == "lr" else trn[feats].values
        mdl.fit(xs, trn["like"].values)
        xt = sc.transform(tst[feats]) if name == "lr" else tst[feats].values
        p = mdl.predict_proba(xt)[:, 1]
        secs = time.time() - t0
        out["models"][name] = {"test_auc": float(roc_auc_score(tst["like"].values, p)), "seconds": secs}
        t[name] = secs
    out["timings"] = t
    out["total_seconds"] = sum(t.values())
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
