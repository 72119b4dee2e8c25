"""The pandas way (the original study's feature code, reproduced): groupby / pivot aggregates
over ALL given ratings (no split, no out-of-fold), merged back onto every rating row. Prints one
JSON line: seconds (after reading the CSVs), read seconds, max RSS, rows, feature columns.
Usage: python3 features_pandas.py DATA_DIR N_RATINGS"""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd

data, n = sys.argv[1], int(sys.argv[2])
t_read = time.time()
ratings = pd.read_csv(f"{data}/ratings.csv", nrows=n)
movies = pd.read_csv(f"{data}/movies.csv")
t0 = time.time()
c0 = time.process_time()
ratings["like"] = (ratings["rating"] >= 3.5).astype(np.int8)
ts = pd.to_datetime(ratings["timestamp"], unit="s")
ratings["hour"] = ts.dt.hour
ratings["weekday"] = ts.dt.weekday
g = ratings.groupby("userId")
user = pd.DataFrame({
    "user_mean": g["rating"].mean(),
    "user_count_log": np.log1p(g["rating"].count()),
    "user_std": g["rating"].std().fillna(0),
    "user_like_rate": g["like"].mean(),
    "user_span_days": (g["timestamp"].max() - g["timestamp"].min()) / 86400,
})
user["user_top_hour"] = ratings.groupby(["userId", "hour"]).size().unstack(fill_value=0).idxmax(axis=1)
gm = ratings["rating"].mean()
mg = ratings.groupby("movieId")
movie = pd.DataFrame({"movie_count": mg["rating"].count(), "movie_sum": mg["rating"].sum()})
movie["movie_mean_shrunk"] = (movie["movie_sum"] + 10 * gm) / (movie["movie_count"] + 10)
movie["movie_count_log"] = np.log1p(movie["movie_count"])
movie["movie_std"] = mg["rating"].std().fillna(0)
movie["movie_like_rate"] = mg["like"].mean()
movie["movie_popularity"] = movie["movie_count_log"] * movie["movie_mean_shrunk"]
movie = movie.drop(columns=["movie_count", "movie_sum"])
genres = movies.assign(genre=movies["genres"].str.split("|")).explode("genre")[["movieId", "genre"]]
genres = genres[genres["genre"] != "(no genres listed)"]
onehot = pd.crosstab(genres["movieId"], genres["genre"]).add_prefix("genre_")
rg = ratings[["userId", "movieId", "rating"]].merge(genres, on="movieId")
pref = rg.pivot_table(index="userId", columns="genre", values="rating", aggfunc="mean").add_prefix("user_pref_")
share = rg.pivot_table(index="userId", columns="genre", values="rating", aggfunc="count")
share = share.div(g["rating"].count(), axis=0).fillna(0).add_prefix("user_share_")
table = (
    ratings.merge(user, left_on="userId", right_index=True)
    .merge(movie, left_on="movieId", right_index=True)
    .merge(pref, left_on="userId", right_index=True, how="left")
    .merge(share, left_on="userId", right_index=True, how="left")
    .merge(onehot, left_on="movieId", right_index=True, how="left")
)
table = table.fillna(0)
seconds = time.time() - t0
cpu = time.process_time() - c0
print(json.dumps({
    "seconds": seconds,
    "cpuSeconds": cpu,
    "readSeconds": t0 - t_read,
    "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "rows": len(table),
    "featureColumns": table.shape[1] - 4,
}))
