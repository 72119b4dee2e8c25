/**
 * Reasons: the like-model's largest positive feature contributions (TreeSHAP for trees,
 * coefficient x value for LR) turned into phrases a person can check against their own
 * ratings — "you rate Sci-Fi 0.8 above your average", "people who liked Alien liked this",
 * "highly rated: 4.3 from 2,100 ratings". A feature says WHICH kind of evidence mattered; the
 * numbers in the phrase come from the user's ratings and the catalogue, not from standardised
 * feature values. Features that describe only the user (their mean, activity hour...) are the
 * same for every candidate and are not reasons.
 */
import { GENRES, genresOf } from "../data/index.js";
import type { MovieCatalog } from "./movie-catalog.js";
import type { UserRatings } from "./rating-book.js";
import type { Contributions, ItemNeighbours, ItemVectors, ReasonDetail } from "./types.js";

export type ReasonKind =
  | "genre-preference"
  | "genre"
  | "quality"
  | "popularity"
  | "neighbours"
  | "collaborative"
  | "content"
  | "trending"
  | "year";

/** A genre as it appears inside feature names ("Sci-Fi" -> "sci_fi", as feature-spec spells it). */
function genreSlug(genre: string): string {
  return genre.toLowerCase().replace(/[^a-z0-9]+/g, "_");
}

/** What kind of evidence a feature name carries; null for user-only features. */
export function reasonKindOf(feature: string): ReasonKind | null {
  const f = feature.toLowerCase();
  if (/knn|neighbo/.test(f)) return "neighbours";
  if (/content|tfidf|embed|cosine/.test(f)) return "content";
  if (/(^|_)(mf|als|svd|dot|factor)/.test(f)) return "collaborative";
  if (/trend/.test(f)) return "trending";
  if (/genre/.test(f) && /(pref|affin|match|user)/.test(f)) return "genre-preference";
  if (/genre|is_/.test(f) && GENRES.some((g) => f.includes(genreSlug(g)))) return "genre";
  if (/(movie|item).*(year|age)|release|(^|_)year/.test(f)) return "year";
  if (/(movie|item).*(count|popular)|popular/.test(f)) return "popularity";
  if (/(movie|item).*(mean|avg|like|rating|bayes|shrunk)/.test(f)) return "quality";
  return null;
}

/** reasonKindOf of every name, once per names array (the model's featureNames: per model). */
const kindsByNames = new WeakMap<readonly string[], (ReasonKind | null)[]>();

function kindsOf(names: readonly string[]): (ReasonKind | null)[] {
  let kinds = kindsByNames.get(names);
  if (!kinds) {
    kinds = names.map(reasonKindOf);
    kindsByNames.set(names, kinds);
  }
  return kinds;
}

/** The genre (index into GENRES) a "genre" feature names, -1 for none; once per name. */
const genreOfName = new Map<string, number>();

function genreOfFeature(feature: string): number {
  let g = genreOfName.get(feature);
  if (g === undefined) {
    const f = feature.toLowerCase();
    g = GENRES.findIndex((name) => f.includes(genreSlug(name)));
    genreOfName.set(feature, g);
  }
  return g;
}

/** Per feature: 1 when a reason can name it (reasonKindOf), the contributions explain() reads. */
export function reasonFeatures(names: readonly string[]): Uint8Array {
  return Uint8Array.from(names, (n) => (reasonKindOf(n) ? 1 : 0));
}

/** "Matrix, The (1999)" -> "The Matrix". */
export function displayTitle(title: string): string {
  let t = title.replace(/\s*\(\s*\d{4}(?:\s*[-–]\s*\d{0,4})?\s*\)\s*$/u, "").trim();
  const alt = /^(.*\S)\s*\([^()]+\)$/u.exec(t);
  if (alt) t = alt[1];
  const m = /^(.*),\s*(The|A|An|Les|La|Le|L'|Il|El|Das|Die|Der)$/u.exec(t);
  return m ? `${m[2]} ${m[1]}` : t;
}

/** displayTitle per title list and movie, computed once (a phrase names a liked movie). */
const displayTitles = new WeakMap<readonly string[], Map<number, string>>();

function displayTitleOf(titles: readonly string[], m: number): string {
  let known = displayTitles.get(titles);
  if (!known) {
    known = new Map();
    displayTitles.set(titles, known);
  }
  let t = known.get(m);
  if (t === undefined) {
    t = displayTitle(titles[m]);
    known.set(m, t);
  }
  return t;
}

const fmt1 = (x: number) => (Math.round(x * 10) / 10).toFixed(1);
/** Math.round(x).toLocaleString("en-US") ("2,100"), without the locale machinery per call. */
export function fmtInt(x: number): string {
  const r = Math.round(x);
  if (!(Math.abs(r) < 1e21) || Object.is(r, -0)) return r.toLocaleString("en-US");
  const digits = String(Math.abs(r));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return r < 0 ? `-${out}` : out;
}

/** Squared norm of every vector of a set, computed once per set (a per-model table). */
const squaredNorms = new WeakMap<Float32Array, Float64Array>();

function normsOf(v: ItemVectors): Float64Array {
  let out = squaredNorms.get(v.vectors);
  if (!out) {
    const d = v.dim;
    const n = d > 0 ? Math.floor(v.vectors.length / d) : 0;
    out = new Float64Array(n);
    for (let m = 0; m < n; m++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += v.vectors[m * d + j] * v.vectors[m * d + j];
      out[m] = s;
    }
    squaredNorms.set(v.vectors, out);
  }
  return out;
}

/** Cosine of two vectors of a set; 0 when either is zero. The squared norms are summed in the
 * same order as the dot product, so this equals the one-pass computation exactly. */
function cosine(v: ItemVectors, a: number, b: number): number {
  const norms = normsOf(v);
  const na = norms[a];
  const nb = norms[b];
  if (!(na > 0 && nb > 0)) return 0;
  const d = v.dim;
  let dot = 0;
  for (let j = 0; j < d; j++) dot += v.vectors[a * d + j] * v.vectors[b * d + j];
  return dot / Math.sqrt(na * nb);
}

export interface ReasonSources {
  catalog: MovieCatalog;
  neighbours?: ItemNeighbours;
  content?: ItemVectors;
  collaborative?: ItemVectors;
}

/** Genre preference: shrunk genre mean minus the user's mean, per genre (prior weight 5). */
function genreDeltas(
  ratings: UserRatings,
  genreMasks: Uint32Array,
  userMean: number,
): Float64Array {
  const sum = new Float64Array(GENRES.length);
  const cnt = new Float64Array(GENRES.length);
  for (let i = 0; i < ratings.movie.length; i++) {
    const mask = genreMasks[ratings.movie[i]];
    for (let g = 0; g < GENRES.length; g++) {
      if (mask & (1 << g)) {
        sum[g] += ratings.rating[i];
        cnt[g]++;
      }
    }
  }
  const out = new Float64Array(GENRES.length);
  const prior = 5;
  for (let g = 0; g < GENRES.length; g++) {
    out[g] = cnt[g] > 0 ? (sum[g] + prior * userMean) / (cnt[g] + prior) - userMean : 0;
  }
  return out;
}

/** Decade preference: shrunk mean rating of the user's movies of each decade minus their mean. */
function decadeDeltas(
  ratings: UserRatings,
  years: Float32Array,
  userMean: number,
): Map<number, number> {
  const acc = new Map<number, [number, number]>();
  for (let i = 0; i < ratings.movie.length; i++) {
    const y = years[ratings.movie[i]];
    if (!Number.isFinite(y)) continue;
    const d = Math.floor(y / 10) * 10;
    const a = acc.get(d) ?? [0, 0];
    a[0] += ratings.rating[i];
    a[1]++;
    acc.set(d, a);
  }
  const prior = 5;
  const out = new Map<number, number>();
  for (const [d, [sum, n]] of acc) out.set(d, (sum + prior * userMean) / (n + prior) - userMean);
  return out;
}

/** Phrases for one user; built once per request. */
export class UserReasons {
  private readonly userMean: number;
  /** Genre and decade preferences, computed on first use (most lists name neither). */
  private deltasCache: Float64Array | null = null;
  private decadeCache: Map<number, number> | null = null;
  /** Movies the user liked, strongest first. */
  private readonly liked: { movie: number; rating: number }[];
  private likedMap: Map<number, number> | null = null;
  /** likedNeighbour answers by movie * 3 + source (0 kNN lists, 1 collaborative, 2 content):
   * two features of one kind (mf_pred, mf_dot) ask the same question about a movie. */
  private readonly neighbourMemo = new Map<number, number>();
  /** Per movie: the liked movie whose neighbour list holds it with the highest similarity, and
   * that similarity (the backward lookup of likedNeighbour); built on first use. */
  private backBest: Int32Array | null = null;

  constructor(
    private readonly src: ReasonSources,
    private readonly ratings: UserRatings,
    threshold: number,
  ) {
    const n = ratings.movie.length;
    let s = 0;
    for (let i = 0; i < n; i++) s += ratings.rating[i];
    this.userMean = n > 0 ? s / n : src.catalog.book.globalMean;
    const cut = Math.max(threshold, Math.min(this.userMean, 4.5));
    this.liked = [];
    for (let i = 0; i < n; i++) {
      if (ratings.rating[i] >= cut)
        this.liked.push({ movie: ratings.movie[i], rating: ratings.rating[i] });
    }
    this.liked.sort((a, b) => b.rating - a.rating || a.movie - b.movie);
  }

  private get deltas(): Float64Array {
    this.deltasCache ??= genreDeltas(
      this.ratings,
      this.src.catalog.dataset.movieInfo.genres,
      this.userMean,
    );
    return this.deltasCache;
  }

  private get decadeDeltas(): Map<number, number> {
    this.decadeCache ??= decadeDeltas(
      this.ratings,
      this.src.catalog.dataset.movieInfo.year,
      this.userMean,
    );
    return this.decadeCache;
  }

  /** Liked movie -> its rating. */
  private get likedSet(): Map<number, number> {
    this.likedMap ??= new Map(this.liked.map((l) => [l.movie, l.rating]));
    return this.likedMap;
  }

  private bestGenre(movie: number, only?: number): { genre: number; delta: number } | null {
    const mask = this.src.catalog.dataset.movieInfo.genres[movie];
    let best: { genre: number; delta: number } | null = null;
    for (let g = 0; g < GENRES.length; g++) {
      if (!(mask & (1 << g)) || (only !== undefined && g !== only)) continue;
      if (!best || this.deltas[g] > best.delta) best = { genre: g, delta: this.deltas[g] };
    }
    return best;
  }

  /**
   * The liked movie (among the 200 strongest) whose neighbour list holds `movie` with the
   * highest positive similarity, the earliest liked movie on ties; -1 for none. All movies are
   * indexed at once, on first use: one pass over those 200 lists instead of one per movie.
   * (The similarity of the best so far, per movie, is kept while indexing only.)
   */
  private backward(nb: ItemNeighbours, movie: number): number {
    if (!this.backBest) {
      const size = this.src.catalog.size;
      const bestOf = new Int32Array(size).fill(-1);
      const simOf = new Float64Array(size);
      for (const l of this.liked.slice(0, 200)) {
        const back = nb.neighbours(l.movie);
        for (let j = 0; j < back.movie.length; j++) {
          const m = back.movie[j];
          if (back.sim[j] > simOf[m]) {
            bestOf[m] = l.movie;
            simOf[m] = back.sim[j];
          }
        }
      }
      this.backBest = bestOf;
    }
    return movie >= 0 && movie < this.backBest.length ? this.backBest[movie] : -1;
  }

  /** The liked movie most similar to `movie` by the kNN lists, else by vectors (memoised). */
  private likedNeighbour(movie: number, vectors?: ItemVectors): number {
    const source = !vectors ? 0 : vectors === this.src.collaborative ? 1 : 2;
    const key = movie * 3 + source;
    let m = this.neighbourMemo.get(key);
    if (m === undefined) {
      m = this.findLikedNeighbour(movie, vectors);
      this.neighbourMemo.set(key, m);
    }
    return m;
  }

  private findLikedNeighbour(movie: number, vectors?: ItemVectors): number {
    const nb = this.src.neighbours;
    if (nb && !vectors) {
      const list = nb.neighbours(movie);
      let best = -1;
      let bestSim = 0;
      for (let j = 0; j < list.movie.length; j++) {
        if (this.likedSet.has(list.movie[j]) && list.sim[j] > bestSim) {
          best = list.movie[j];
          bestSim = list.sim[j];
        }
      }
      if (best >= 0) return best;
      // Neighbour lists are top-K per movie: look from the liked side too.
      best = this.backward(nb, movie);
      if (best >= 0) return best;
    }
    if (vectors) return this.closestLiked(vectors, movie);
    // By vectors instead, through the memo: a "collaborative" phrase may ask the same.
    const v = this.src.collaborative ?? this.src.content;
    return v ? this.likedNeighbour(movie, v) : -1;
  }

  /**
   * The liked movie (among the 300 strongest) with the highest cosine to `movie` above 0.05,
   * the earliest on ties; -1 for none. Four liked movies at a time: their dot products are
   * independent sums (each in the usual order, so every cosine is the one cosine() gives).
   */
  private closestLiked(v: ItemVectors, movie: number): number {
    const norms = normsOf(v);
    const na = norms[movie];
    if (!(na > 0)) return -1; // every cosine is 0
    const d = v.dim;
    const x = v.vectors;
    const a = movie * d;
    const liked = this.liked;
    const n = Math.min(300, liked.length);
    let best = -1;
    let bestSim = 0.05;
    const offer = (m: number, dot: number) => {
      const nb = norms[m];
      const s = nb > 0 ? dot / Math.sqrt(na * nb) : 0;
      if (s > bestSim) {
        best = m;
        bestSim = s;
      }
    };
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const m0 = liked[i].movie;
      const m1 = liked[i + 1].movie;
      const m2 = liked[i + 2].movie;
      const m3 = liked[i + 3].movie;
      const b0 = m0 * d;
      const b1 = m1 * d;
      const b2 = m2 * d;
      const b3 = m3 * d;
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      for (let j = 0; j < d; j++) {
        const xa = x[a + j];
        d0 += xa * x[b0 + j];
        d1 += xa * x[b1 + j];
        d2 += xa * x[b2 + j];
        d3 += xa * x[b3 + j];
      }
      offer(m0, d0);
      offer(m1, d1);
      offer(m2, d2);
      offer(m3, d3);
    }
    for (; i < n; i++) {
      const m = liked[i].movie;
      const s = cosine(v, movie, m);
      if (s > bestSim) {
        best = m;
        bestSim = s;
      }
    }
    return best;
  }

  /** A phrase for evidence `kind` (from `feature`) about `movie`, or null when it does not apply. */
  phrase(kind: ReasonKind, feature: string, movie: number): string | null {
    const cat = this.src.catalog;
    const title = (m: number) => displayTitleOf(cat.dataset.movieInfo.title, m);
    switch (kind) {
      case "genre-preference":
      case "genre": {
        let only: number | undefined;
        if (kind === "genre") {
          only = genreOfFeature(feature);
          if (only < 0) return null;
        }
        const g = this.bestGenre(movie, only);
        if (!g || g.delta < 0.05) return null;
        return `you rate ${GENRES[g.genre]} ${fmt1(g.delta)} above your average`;
      }
      case "quality": {
        const n = cat.book.movieCount[movie];
        if (n <= 0) return null;
        const mean = cat.book.movieMean(movie);
        if (mean < cat.book.globalMean) return null;
        return `highly rated: ${fmt1(mean)} from ${fmtInt(n)} ratings`;
      }
      case "popularity": {
        const n = cat.book.movieCount[movie];
        if (n <= 0) return null;
        // A well-rated popular movie gets the one "highly rated" phrase, said once.
        if (cat.book.movieMean(movie) >= cat.book.globalMean)
          return this.phrase("quality", feature, movie);
        return `popular: ${fmtInt(n)} ratings`;
      }
      case "neighbours": {
        const m = this.likedNeighbour(movie);
        return m >= 0 ? `people who liked ${title(m)} liked this` : null;
      }
      case "collaborative": {
        const m = this.src.collaborative ? this.likedNeighbour(movie, this.src.collaborative) : -1;
        return m >= 0
          ? `viewers with your taste who liked ${title(m)} rate it highly`
          : "viewers with tastes like yours rate it highly";
      }
      case "content": {
        if (!this.src.content) return null;
        const m = this.likedNeighbour(movie, this.src.content);
        if (m < 0) return null;
        return `similar to ${title(m)}, which you rated ${this.likedSet.get(m)}`;
      }
      case "trending":
        return "trending: much rated lately";
      case "year": {
        const y = cat.dataset.movieInfo.year[movie];
        if (!Number.isFinite(y)) return null;
        const decade = Math.floor(y / 10) * 10;
        const delta = this.decadeDeltas.get(decade) ?? 0;
        return delta >= 0.05
          ? `you rate films from the ${decade}s ${fmt1(delta)} above your average`
          : null;
      }
    }
  }

  /**
   * The two or three strongest positive contributions that have a phrase, strongest first.
   * Several features may give the same phrase (e.g. two genre columns): it is said once.
   */
  explain(
    names: readonly string[],
    contrib: Contributions,
    movie: number,
    max = 3,
  ): ReasonDetail[] {
    const kinds = kindsOf(names);
    const values = contrib.values;
    // The positive contributions a phrase can name, taken strongest first (equal ones in
    // feature order) one at a time rather than sorted: `max` phrases are usually found among
    // the first few.
    const open: number[] = [];
    for (let j = 0; j < names.length; j++) if (values[j] > 0 && kinds[j]) open.push(j);
    const out: ReasonDetail[] = [];
    while (open.length > 0 && out.length < max) {
      let at = 0;
      for (let i = 1; i < open.length; i++) if (values[open[i]] > values[open[at]]) at = i;
      const j = open[at];
      open.splice(at, 1);
      const reason = this.phrase(kinds[j] as ReasonKind, names[j], movie);
      if (!reason || out.some((o) => o.reason === reason)) continue;
      out.push({ feature: names[j], contribution: values[j], reason });
    }
    return out;
  }

  /** Reasons without a model (cold start, a new user's few ratings). */
  profileReasons(movie: number, max = 3): string[] {
    const out: string[] = [];
    const push = (s: string | null) => {
      if (s && !out.includes(s) && out.length < max) out.push(s);
    };
    push(this.phrase("neighbours", "knn", movie));
    push(this.phrase("content", "content", movie));
    push(this.phrase("genre-preference", "genre_pref", movie));
    push(this.phrase("quality", "movie_mean", movie));
    if (out.length === 0) push(this.phrase("popularity", "movie_count", movie));
    return out;
  }
}

/** Reasons for a popularity-and-quality (cold-start) item. */
export function coldStartReasons(catalog: MovieCatalog, movie: number, genres?: number): string[] {
  const out: string[] = [];
  const n = catalog.book.movieCount[movie];
  const likes = catalog.book.movieLikes[movie];
  if (n > 0) {
    out.push(`highly rated: ${fmt1(catalog.book.movieMean(movie))} from ${fmtInt(n)} ratings`);
    out.push(`liked by ${Math.round((100 * likes) / n)}% of those who rated it`);
  }
  if (genres) {
    const hit = genresOf(catalog.dataset.movieInfo.genres[movie] & genres);
    if (hit.length > 0)
      out.push(`in your chosen genre${hit.length > 1 ? "s" : ""}: ${hit.join(", ")}`);
  }
  return out.slice(0, 3);
}
