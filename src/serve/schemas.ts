/**
 * JSON schemas (TypeBox) of every route: parameters, query strings, bodies and responses. Fastify
 * validates requests against them (a violation becomes a 400 naming the field), serialises
 * responses with them, and @fastify/swagger turns them into the OpenAPI document. The shapes
 * mirror api-types.ts, the contract with the web app.
 */
import { type TSchema, Type } from "@fastify/type-provider-typebox";

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

/** MovieLens ids are positive integers. */
const Id = (description: string) => Type.Integer({ minimum: 1, maximum: 2147483647, description });

export const ErrorSchema = Type.Object(
  {
    error: Type.String({ description: "stable error code, e.g. ERR_INVALID_ARGUMENT" }),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: "ApiError" },
);

const movieSummaryProps = {
  movieId: Type.Integer(),
  title: Type.String(),
  year: Nullable(Type.Integer()),
  genres: Type.Array(Type.String()),
  ratingCount: Type.Integer(),
  meanRating: Nullable(Type.Number()),
  imdbUrl: NullableString,
  tmdbUrl: NullableString,
  posterUrl: NullableString,
  overview: NullableString,
};

export const MovieSummarySchema = Type.Object(movieSummaryProps);

const ReasonDetail = Type.Object({
  feature: Type.String(),
  contribution: Type.Number(),
  reason: Type.String(),
});

export const RecommendationItemSchema = Type.Object({
  ...movieSummaryProps,
  rank: Type.Integer(),
  pLike: Type.Number(),
  reasons: Type.Array(Type.String()),
  explanation: Type.Optional(Type.Array(ReasonDetail)),
});

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("loading")]),
  run: NullableString,
  model: NullableString,
  uptimeSeconds: Type.Number(),
});

const CountBin = Type.Object({ label: Type.String(), count: Type.Number() });

export const StatsSchema = Type.Object(
  {
    release: Type.String(),
    users: Type.Integer(),
    movies: Type.Integer(),
    ratings: Type.Integer(),
    meanRating: Type.Number(),
    likeRate: Type.Number(),
    threshold: Type.Number(),
    sparsity: Type.Number(),
    ratingHistogram: Type.Array(CountBin),
    ratingsPerYear: Type.Array(CountBin),
    genres: Type.Array(
      Type.Object({
        genre: Type.String(),
        movies: Type.Integer(),
        ratings: Type.Integer(),
        meanRating: Type.Number(),
      }),
    ),
    ratingsPerUser: Type.Array(CountBin),
    quantiles: Type.Object({
      ratingsPerUser: Type.Record(Type.String(), Type.Number()),
      ratingsPerMovie: Type.Record(Type.String(), Type.Number()),
    }),
  },
  { additionalProperties: true },
);

/** The comparison table is large and owned by the train pipeline: key fields typed, rest passed. */
export const ModelsSchema = Type.Object(
  {
    run: Type.String(),
    chosen: Type.String(),
    threshold: Type.Number(),
    decisionThreshold: Type.Number(),
    rows: Type.Array(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

export const UserParams = Type.Object({ id: Id("MovieLens userId") });
export const MovieParams = Type.Object({ id: Id("MovieLens movieId") });

export const RecommendQuerySchema = Type.Object({
  k: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: "number of movies" }),
  genres: Type.Optional(
    Type.String({ maxLength: 500, description: "comma-separated genres; a movie must have one" }),
  ),
  minYear: Type.Optional(Type.Integer({ minimum: 1800, maximum: 2100 })),
  maxYear: Type.Optional(Type.Integer({ minimum: 1800, maximum: 2100 })),
  minRatings: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 1000000, description: "minimum rating count" }),
  ),
});

export const RecommendationsSchema = Type.Object({
  userId: Type.Integer(),
  coldStart: Type.Boolean(),
  strategy: Type.Optional(
    Type.Union([Type.Literal("model"), Type.Literal("profile"), Type.Literal("popularity")]),
  ),
  items: Type.Array(RecommendationItemSchema),
});

export const PredictBody = Type.Object({
  userId: Id("MovieLens userId"),
  movieIds: Type.Array(Id("MovieLens movieId"), { minItems: 1, maxItems: 1000 }),
});

export const PredictSchema = Type.Object({
  userId: Type.Integer(),
  predictions: Type.Array(Type.Object({ movieId: Type.Integer(), pLike: Type.Number() })),
});

export const MoviesQuery = Type.Object({
  query: Type.Optional(Type.String({ maxLength: 200, description: "title search text" })),
  genre: Type.Optional(Type.String({ maxLength: 50 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
});

export const MoviesSchema = Type.Object({ items: Type.Array(MovieSummarySchema) });

export const SimilarQuerySchema = Type.Object({
  k: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  method: Type.Union(
    [Type.Literal("content"), Type.Literal("collaborative"), Type.Literal("blended")],
    { default: "blended" },
  ),
  contentWeight: Type.Optional(
    Type.Number({ minimum: 0, maximum: 1, description: "content share of the blend" }),
  ),
});

export const SimilarSchema = Type.Object({
  movie: MovieSummarySchema,
  method: Type.String(),
  items: Type.Array(
    Type.Object({
      ...movieSummaryProps,
      score: Type.Number(),
      contentScore: Nullable(Type.Number()),
      collaborativeScore: Nullable(Type.Number()),
    }),
  ),
});

export const RatingsBody = Type.Object({
  ratings: Type.Array(
    Type.Object({
      movieId: Id("MovieLens movieId"),
      rating: Type.Number({
        minimum: 0.5,
        maximum: 5,
        multipleOf: 0.5,
        description: "half-star scale 0.5..5",
      }),
    }),
    { minItems: 1, maxItems: 500 },
  ),
});

export const RatingsSchema = Type.Object({
  userId: Type.Integer(),
  added: Type.Integer(),
  ratingCount: Type.Integer(),
});

export const LimitQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});

export const UserRatingsSchema = Type.Object({
  userId: Type.Integer(),
  items: Type.Array(
    Type.Object({ ...movieSummaryProps, rating: Type.Number(), timestamp: Type.Number() }),
  ),
});

export const InteractionsSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      ...movieSummaryProps,
      userId: Type.Integer(),
      rating: Type.Number(),
      timestamp: Type.Number(),
    }),
  ),
});

/** Error responses every route may answer. */
export const errorResponses = {
  400: ErrorSchema,
  404: ErrorSchema,
  503: ErrorSchema,
};
