/**
 * DEVELOPMENT MOCK — NOT PART OF THE PRODUCT. A stand-in for cinerank's HTTP API that follows
 * src/serve/api-types.ts, so the web app can be built and looked at before (or without) trained
 * artifacts: `npm run web:mock` serves web/dist and /api/* on ml-latest-small (port 5174).
 * It starts nothing on import (node's test runner loads every file under dist/test). Its
 * "models" numbers are synthetic (clearly labelled run "dev-mock"); its recommendations are a simple genre-affinity x quality heuristic. The browser tests use the
 * real server (src/serve); this file only keeps front-end work unblocked.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import type {
  ApiError,
  ComparisonRow,
  Curve,
  InteractionsResponse,
  Metrics,
  ModelsResponse,
  MovieSummary,
  MoviesResponse,
  RatingsResponse,
  RecommendationsResponse,
  SimilarResponse,
  StatsResponse,
  UserRatingsResponse,
} from "../../src/serve/api-types.js";

interface Movie {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
  imdb: string | null;
  tmdb: number | null;
  users: number[];
  sum: number;
}
interface Rating {
  userId: number;
  movieId: number;
  rating: number;
  timestamp: number;
}

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function lines(file: string): string[][] {
  return readFileSync(file, "utf8").split(/\r?\n/).slice(1).filter(Boolean).map(parseCsvLine);
}

const fold = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\s*\(\d{4}\)\s*$/, "")
    .replace(/^(.*), (the|a|an)$/, "$2 $1");

class ApiFail extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DevMock {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Start the mock on 127.0.0.1:port (0 = any free port). */
export async function startDevMock(dataDir: string, webDist: string, port = 0): Promise<DevMock> {
  const movies = new Map<number, Movie>();
  for (const [id, title, genres] of lines(join(dataDir, "movies.csv"))) {
    const y = /\((\d{4})\)\s*$/.exec(title);
    movies.set(Number(id), {
      id: Number(id),
      title,
      year: y ? Number(y[1]) : null,
      genres: genres === "(no genres listed)" ? [] : genres.split("|"),
      imdb: null,
      tmdb: null,
      users: [],
      sum: 0,
    });
  }
  for (const [id, imdb, tmdb] of lines(join(dataDir, "links.csv"))) {
    const m = movies.get(Number(id));
    if (!m) continue;
    m.imdb = imdb || null;
    m.tmdb = tmdb ? Number(tmdb) : null;
  }
  const ratings: Rating[] = lines(join(dataDir, "ratings.csv")).map(([u, m, r, t]) => ({
    userId: Number(u),
    movieId: Number(m),
    rating: Number(r),
    timestamp: Number(t),
  }));
  const byUser = new Map<number, Rating[]>();
  for (const r of ratings) {
    const m = movies.get(r.movieId)!;
    m.users.push(r.userId);
    m.sum += r.rating;
    if (!byUser.has(r.userId)) byUser.set(r.userId, []);
    byUser.get(r.userId)!.push(r);
  }
  const globalMean = ratings.reduce((s, r) => s + r.rating, 0) / ratings.length;
  const quality = (m: Movie) => (m.sum + 20 * globalMean) / (m.users.length + 20);

  const summary = (m: Movie): MovieSummary => ({
    movieId: m.id,
    title: m.title,
    year: m.year,
    genres: m.genres,
    ratingCount: m.users.length,
    meanRating: m.users.length ? m.sum / m.users.length : null,
    imdbUrl: m.imdb ? `https://www.imdb.com/title/tt${m.imdb}/` : null,
    tmdbUrl: m.tmdb ? `https://www.themoviedb.org/movie/${m.tmdb}` : null,
    posterUrl: null,
    overview: null,
  });

  const movieOr404 = (id: number): Movie => {
    const m = movies.get(id);
    if (!m) throw new ApiFail(404, "ERR_UNKNOWN_MOVIE", `movie ${id} is not in the catalogue`);
    return m;
  };
  const intParam = (
    v: string | null | undefined,
    field: string,
    lo: number,
    hi: number,
    dflt: number,
  ): number => {
    if (v === null || v === undefined || v === "") return dflt;
    if (!/^\d+$/.test(v) || Number(v) < lo || Number(v) > hi)
      throw new ApiFail(
        400,
        "ERR_INVALID_ARGUMENT",
        `${field} must be an integer in ${lo}..${hi}, got "${v}"`,
      );
    return Number(v);
  };

  function stats(): StatsResponse {
    const hist = new Map<number, number>();
    const years = new Map<string, number>();
    for (const r of ratings) {
      hist.set(r.rating, (hist.get(r.rating) ?? 0) + 1);
      const y = String(new Date(r.timestamp * 1000).getUTCFullYear());
      years.set(y, (years.get(y) ?? 0) + 1);
    }
    const genre = new Map<string, { movies: number; ratings: number; sum: number }>();
    for (const m of movies.values())
      for (const g of m.genres) {
        const e = genre.get(g) ?? { movies: 0, ratings: 0, sum: 0 };
        e.movies++;
        e.ratings += m.users.length;
        e.sum += m.sum;
        genre.set(g, e);
      }
    const counts = [...byUser.values()].map((rs) => rs.length).sort((a, b) => a - b);
    const edges = [1, 20, 50, 100, 200, 500, 1000, 2000, 5000];
    const perUser = edges.map((lo, i) => {
      const hi = edges[i + 1];
      return {
        label: hi ? `${lo}–${hi - 1}` : `${lo}+`,
        count: counts.filter((c) => c >= lo && (!hi || c < hi)).length,
      };
    });
    const movieCounts = [...movies.values()].map((m) => m.users.length).sort((a, b) => a - b);
    const q = (xs: number[]) =>
      Object.fromEntries(
        [0.1, 0.25, 0.5, 0.75, 0.9].map((p) => [String(p), xs[Math.floor(p * (xs.length - 1))]]),
      );
    return {
      release: "ml-latest-small",
      users: byUser.size,
      movies: movies.size,
      ratings: ratings.length,
      meanRating: globalMean,
      likeRate: ratings.filter((r) => r.rating >= 3.5).length / ratings.length,
      threshold: 3.5,
      sparsity: 1 - ratings.length / (byUser.size * movies.size),
      ratingHistogram: [...hist]
        .sort((a, b) => a[0] - b[0])
        .map(([k, v]) => ({ label: k.toFixed(1), count: v })),
      ratingsPerYear: [...years].sort().map(([k, v]) => ({ label: k, count: v })),
      genres: [...genre].map(([g, e]) => ({
        genre: g,
        movies: e.movies,
        ratings: e.ratings,
        meanRating: e.sum / e.ratings,
      })),
      ratingsPerUser: perUser.filter((b) => b.count > 0),
      quantiles: { ratingsPerUser: q(counts), ratingsPerMovie: q(movieCounts) },
    };
  }

  function models(): ModelsResponse {
    // Synthetic curves (binormal ROC with separation d): shape only, no real model behind them.
    const fams: [string, string, ComparisonRow["variant"], number][] = [
      ["gbdt/random", "gbdt", "random", 1.35],
      ["random-forest/grid", "random-forest", "grid", 1.25],
      ["logistic/grid", "logistic", "grid", 1.1],
      ["mf/grid", "mf", "grid", 1.05],
      ["user-mean", "user-mean", "baseline", 0.8],
      ["popularity", "popularity", "baseline", 0.55],
    ];
    const phi = (x: number) => 0.5 * (1 + Math.tanh(0.7978845608 * (x + 0.044715 * x ** 3)));
    const roc = (d: number): Curve => {
      const pts: [number, number][] = [];
      for (let t = 4; t >= -4; t -= 0.25) pts.push([1 - phi(t), 1 - phi(t - d)]);
      return { id: "", points: pts, auc: phi(d / Math.SQRT2) };
    };
    const pr = (d: number, base: number): Curve => {
      const pts: [number, number][] = [];
      for (let t = 4; t >= -4; t -= 0.25) {
        const tpr = 1 - phi(t - d);
        const fpr = 1 - phi(t);
        pts.push([tpr, (tpr * base) / (tpr * base + fpr * (1 - base) || 1)]);
      }
      return { id: "", points: pts, auc: 0 };
    };
    const metric = (d: number, shift: number): Metrics => ({
      accuracy: 0.6 + d * 0.08 + shift,
      precision: 0.66 + d * 0.07 + shift,
      recall: 0.75 + d * 0.05,
      f1: 0.7 + d * 0.06 + shift,
      rocAuc: phi(d / Math.SQRT2) + shift,
      prAuc: 0.7 + d * 0.1 + shift,
      logLoss: 0.68 - d * 0.1 - shift,
      brier: 0.24 - d * 0.035 - shift / 3,
    });
    const rows: ComparisonRow[] = fams.map(([id, family, variant, d], i) => ({
      id,
      family,
      variant,
      params: {},
      validation: metric(d, 0.004),
      test: metric(d, 0),
      fitSeconds: 20 / (i + 1),
      chosen: i === 0,
    }));
    const curves = (fn: (d: number) => Curve) => fams.map(([id, , , d]) => ({ ...fn(d), id }));
    const withAuc = (cs: Curve[]) =>
      cs.map((c) => ({ ...c, auc: rows.find((r) => r.id === c.id)!.test.prAuc }));
    return {
      run: "dev-mock",
      chosen: "gbdt/random",
      threshold: 3.5,
      decisionThreshold: 0.46,
      split: {
        kind: "stratified",
        seed: 42,
        train: 70585,
        validation: 15125,
        test: 15126,
        dropped: 12,
      },
      rows,
      roc: { validation: curves(roc), test: curves(roc) },
      pr: {
        validation: withAuc(curves((d) => pr(d, 0.61))),
        test: withAuc(curves((d) => pr(d, 0.61))),
      },
      importance: [
        ["user_mean_rating", 0.21],
        ["movie_bayes_mean", 0.17],
        ["mf_score", 0.15],
        ["user_genre_affinity", 0.11],
        ["movie_rating_count", 0.07],
        ["knn_score", 0.06],
        ["movie_year", 0.04],
        ["user_rating_count", 0.03],
        ["genre_Drama", 0.02],
      ].map(([feature, value]) => ({ feature: String(feature), value: Number(value) })),
      confusion: { threshold: 0.46, tp: 7600, fp: 2300, tn: 3570, fn: 1656 },
      calibration: Array.from({ length: 10 }, (_, b) => ({
        bin: b,
        meanPredicted: b / 10 + 0.05,
        fractionPositive: Math.min(1, Math.max(0, b / 10 + 0.05 + (b - 5) * 0.006)),
        count: Math.round(2200 * Math.exp(-(((b - 6.5) / 2.5) ** 2))),
      })),
      ranking: { "precision@10": 0.081, "recall@10": 0.093, "ndcg@10": 0.112, "hitRate@10": 0.52 },
    };
  }

  const userRatings = (u: number) => byUser.get(u) ?? [];

  function recommendations(u: number, q: URLSearchParams): RecommendationsResponse {
    const k = intParam(q.get("k"), "k", 1, 100, 10);
    const genres = (q.get("genres") ?? "").split(",").filter(Boolean);
    const minYear = intParam(q.get("minYear"), "minYear", 1800, 2100, 0);
    const maxYear = intParam(q.get("maxYear"), "maxYear", 1800, 2100, 9999);
    const rs = userRatings(u);
    const rated = new Set(rs.map((r) => r.movieId));
    // Mirrors the real recommender's strategies: none -> popularity, a few -> profile, else model.
    const strategy = rs.length === 0 ? "popularity" : rs.length < 5 ? "profile" : "model";
    const coldStart = strategy !== "model";
    const popular = strategy === "popularity";
    const userMean = rs.length ? rs.reduce((s, r) => s + r.rating, 0) / rs.length : globalMean;
    const aff = new Map<string, { sum: number; n: number }>();
    for (const r of rs)
      for (const g of movies.get(r.movieId)!.genres) {
        const e = aff.get(g) ?? { sum: 0, n: 0 };
        e.sum += r.rating - userMean;
        e.n++;
        aff.set(g, e);
      }
    const liked = rs
      .filter((r) => r.rating >= 4)
      .sort((a, b) => b.rating - a.rating || b.timestamp - a.timestamp);
    const scored: { m: Movie; p: number; reasons: string[] }[] = [];
    for (const m of movies.values()) {
      if (rated.has(m.id) || m.users.length < 10) continue;
      if (genres.length && !genres.some((g) => m.genres.includes(g))) continue;
      if (m.year !== null && (m.year < minYear || m.year > maxYear)) continue;
      let a = 0;
      let best = "";
      let bestA = 0;
      for (const g of m.genres) {
        const e = aff.get(g);
        if (!e) continue;
        const v = e.sum / (e.n + 3);
        a += v;
        if (v > bestA) [best, bestA] = [g, v];
      }
      const qv = quality(m);
      const pop = Math.log1p(m.users.length) / 6;
      const z = popular
        ? (qv - 3.5) * 2 + pop
        : (qv - 3.5) * 2 + (userMean - 3.5) * 1.2 + a * 1.5 + pop * 0.4;
      const reasons: string[] = [];
      if (bestA > 0.05) reasons.push(`you rate ${best} ${bestA.toFixed(1)} above your average`);
      const anchor = liked.find((r) =>
        movies.get(r.movieId)!.genres.some((g) => m.genres.includes(g)),
      );
      if (anchor && !popular)
        reasons.push(`you liked ${movies.get(anchor.movieId)!.title}, which shares its genres`);
      reasons.push(
        `highly rated: ${(m.sum / m.users.length).toFixed(1)} from ${m.users.length.toLocaleString("en-US")} ratings`,
      );
      scored.push({ m, p: 1 / (1 + Math.exp(-z)), reasons: reasons.slice(0, 3) });
    }
    scored.sort((x, y) => y.p - x.p);
    return {
      userId: u,
      coldStart,
      strategy,
      items: scored
        .slice(0, k)
        .map((s, i) => ({ ...summary(s.m), rank: i + 1, pLike: s.p, reasons: s.reasons })),
    };
  }

  function similar(id: number, q: URLSearchParams): SimilarResponse {
    const m = movieOr404(id);
    const k = intParam(q.get("k"), "k", 1, 100, 10);
    const methodParam = q.get("method") ?? "blended";
    if (!["content", "collaborative", "blended"].includes(methodParam))
      throw new ApiFail(
        400,
        "ERR_INVALID_ARGUMENT",
        `method must be content, collaborative or blended, got "${methodParam}"`,
      );
    const method = methodParam as SimilarResponse["method"];
    const co = new Map<number, number>();
    const fans = new Set(m.users);
    for (const u of fans)
      for (const r of userRatings(u))
        if (r.movieId !== id) co.set(r.movieId, (co.get(r.movieId) ?? 0) + 1);
    const items = [];
    for (const o of movies.values()) {
      if (o.id === id || o.users.length < 5) continue;
      const inter = o.genres.filter((g) => m.genres.includes(g)).length;
      const uni = new Set([...o.genres, ...m.genres]).size || 1;
      const title = fold(o.title).split(" ")[0] === fold(m.title).split(" ")[0] ? 0.25 : 0;
      const content = Math.min(1, inter / uni + title);
      const collab = (co.get(o.id) ?? 0) / Math.sqrt(fans.size * o.users.length || 1);
      const score =
        method === "content"
          ? content
          : method === "collaborative"
            ? collab
            : 0.5 * content + 0.5 * collab * 2;
      items.push({ ...summary(o), score, contentScore: content, collaborativeScore: collab });
    }
    items.sort((a, b) => b.score - a.score || b.ratingCount - a.ratingCount);
    return { movie: summary(m), method, items: items.slice(0, k) };
  }

  function search(q: URLSearchParams): MoviesResponse {
    const text = fold(q.get("query") ?? "");
    const limit = intParam(q.get("limit"), "limit", 1, 100, 10);
    const hits = [...movies.values()]
      .filter((m) => fold(m.title).includes(text))
      .sort((a, b) => b.users.length - a.users.length);
    return { items: hits.slice(0, limit).map(summary) };
  }

  function userId(raw: string): number {
    if (!/^\d+$/.test(raw) || Number(raw) < 1)
      throw new ApiFail(
        400,
        "ERR_INVALID_ARGUMENT",
        `user id must be a positive integer, got "${raw}"`,
      );
    return Number(raw);
  }

  async function body(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      throw new ApiFail(400, "ERR_INVALID_ARGUMENT", "request body is not JSON");
    }
  }

  async function api(req: IncomingMessage, url: URL): Promise<unknown> {
    const p = url.pathname;
    const q = url.searchParams;
    let mm: RegExpExecArray | null;
    if (p === "/api/health")
      return { status: "ok", run: "dev-mock", model: "dev-mock heuristic", uptimeSeconds: 1 };
    if (p === "/api/stats") return stats();
    if (p === "/api/models") return models();
    if (p === "/api/movies") return search(q);
    if (p === "/api/interactions/sample") {
      const n = intParam(q.get("limit"), "limit", 1, 100, 10);
      const items: InteractionsResponse["items"] = [];
      for (let i = 0; i < n; i++) {
        const r = ratings[Math.floor(Math.random() * ratings.length)];
        items.push({
          ...summary(movies.get(r.movieId)!),
          userId: r.userId,
          rating: r.rating,
          timestamp: r.timestamp,
        });
      }
      return { items } satisfies InteractionsResponse;
    }
    if ((mm = /^\/api\/movies\/([^/]+)$/.exec(p)))
      return summary(movieOr404(intParam(mm[1], "movie id", 1, 1e9, 0)));
    if ((mm = /^\/api\/movies\/([^/]+)\/similar$/.exec(p)))
      return similar(intParam(mm[1], "movie id", 1, 1e9, 0), q);
    if ((mm = /^\/api\/users\/([^/]+)\/recommendations$/.exec(p)))
      return recommendations(userId(mm[1]), q);
    if ((mm = /^\/api\/users\/([^/]+)\/ratings$/.exec(p))) {
      const u = userId(mm[1]);
      if (req.method === "POST") {
        const b = (await body(req)) as { ratings?: { movieId: number; rating: number }[] };
        if (!Array.isArray(b.ratings))
          throw new ApiFail(400, "ERR_INVALID_ARGUMENT", "body.ratings must be an array");
        for (const r of b.ratings) {
          movieOr404(r.movieId);
          if (!(r.rating >= 0.5 && r.rating <= 5 && (r.rating * 2) % 1 === 0))
            throw new ApiFail(
              400,
              "ERR_INVALID_ARGUMENT",
              `rating must be 0.5..5 in half steps, got ${r.rating}`,
            );
        }
        const list = byUser.get(u) ?? [];
        const now = Math.floor(Date.now() / 1000);
        for (const r of b.ratings)
          list.push({ userId: u, movieId: r.movieId, rating: r.rating, timestamp: now });
        byUser.set(u, list);
        return {
          userId: u,
          added: b.ratings.length,
          ratingCount: list.length,
        } satisfies RatingsResponse;
      }
      const items = [...userRatings(u)]
        .sort((a, b) => b.timestamp - a.timestamp)
        .map((r) => ({
          ...summary(movies.get(r.movieId)!),
          rating: r.rating,
          timestamp: r.timestamp,
        }));
      return { userId: u, items } satisfies UserRatingsResponse;
    }
    throw new ApiFail(404, "ERR_NOT_FOUND", `no route ${req.method} ${p}`);
  }

  const types: Record<string, string> = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
  };
  const root = resolve(webDist);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/api/")) {
      api(req, url).then(
        (data) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(data));
        },
        (e: unknown) => {
          const f = e instanceof ApiFail ? e : new ApiFail(500, "ERR_INTERNAL", String(e));
          res.writeHead(f.status, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: f.code, message: f.message } satisfies ApiError));
        },
      );
      return;
    }
    const file = normalize(join(root, url.pathname === "/" ? "index.html" : url.pathname));
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(port, "127.0.0.1", ok));
  const addr = server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  return {
    server,
    url: `http://127.0.0.1:${actual}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
