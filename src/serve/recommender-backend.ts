/**
 * The ServeBackend of `cinerank serve`: the Recommender for everything per user and per movie,
 * the dataset overview (computed once at start) for /api/stats and the run's metrics for
 * /api/models.
 */
import { CinerankError, Rng } from "../core/index.js";
import type { Recommender } from "../recommend/index.js";
import type { ModelsResponse, StatsResponse } from "./api-types.js";
import type { ServeBackend } from "./backend.js";

export interface BackendSources {
  stats: StatsResponse;
  /** The run's comparison table; null when the run has no metrics.json. */
  models: ModelsResponse | null;
  /** Seed of the interaction sampler (default: time-based). */
  seed?: number;
}

export function recommenderBackend(rec: Recommender, src: BackendSources): ServeBackend {
  const rng = new Rng(src.seed ?? Date.now() % 2147483647);
  return {
    info: () => rec.info(),
    stats: () => src.stats,
    models: () => {
      if (!src.models) throw new CinerankError("ERR_NOT_FOUND", "this run has no metrics.json");
      return src.models;
    },
    // Scored on the recommender's worker threads when it has them.
    recommend: (userId, q) => rec.recommendAsync(userId, q),
    predict: (userId, movieIds) => rec.predict(userId, movieIds),
    searchMovies: (q) => ({ items: rec.searchMovies(q.query, q.genre, q.limit) }),
    movie: (id) => rec.movie(id),
    similar: (id, q) => rec.similar(id, q),
    addRatings: (userId, ratings) => rec.rate(userId, ratings),
    userRatings: (userId, limit) => rec.userRatings(userId, limit),
    sampleInteractions: (limit) => {
      const r = rec.dataset.ratings;
      const n = r.rating.length;
      const items = [];
      for (let j = 0; j < Math.min(limit, n); j++) {
        const i = rng.int(n);
        items.push({
          ...rec.catalog.summary(r.movie[i]),
          userId: rec.dataset.users.id(r.user[i]),
          rating: r.rating[i],
          timestamp: r.timestamp[i],
        });
      }
      return { items };
    },
    close: () => rec.close(),
  };
}
