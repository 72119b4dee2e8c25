/**
 * The /api routes. Each handler validates through its schema, asks the backend and returns a
 * plain object that the response schema serialises. Handlers stay thin: what a recommendation
 * is lives in recommend/, what a status code is lives in error-handler.ts.
 */
import { timingSafeEqual } from "node:crypto";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { CinerankError } from "../../core/index.js";
import type { BackendSlot } from "../build-app.js";
import type { RequestMetrics } from "../request-metrics.js";
import {
  ErrorSchema,
  errorResponses,
  HealthSchema,
  InteractionsSchema,
  LimitQuery,
  ModelsSchema,
  MovieParams,
  MoviesQuery,
  MoviesSchema,
  MovieSummarySchema,
  PredictBody,
  PredictSchema,
  RatingsBody,
  RatingsSchema,
  RecommendationsSchema,
  RecommendQuerySchema,
  SimilarQuerySchema,
  SimilarSchema,
  StatsSchema,
  UserParams,
  UserRatingsSchema,
} from "../schemas.js";

export interface RouteContext {
  slot: BackendSlot;
  metrics: RequestMetrics;
  apiKey?: string;
  startedAt: number;
}

function keyMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function presentedKey(req: FastifyRequest): string | null {
  const h = req.headers["x-api-key"];
  if (typeof h === "string") return h;
  const auth = req.headers.authorization;
  if (typeof auth === "string" && auth.startsWith("Bearer ")) return auth.slice(7);
  return null;
}

/** "Action, sci-fi" -> ["Action", "sci-fi"]; empty parts dropped. */
function splitList(s: string | undefined): string[] | undefined {
  if (s === undefined) return undefined;
  const parts = s
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  return parts.length > 0 ? parts : undefined;
}

export function registerApiRoutes(plain: FastifyInstance, ctx: RouteContext): void {
  const api = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { slot, metrics } = ctx;

  api.get(
    "/health",
    {
      schema: {
        tags: ["meta"],
        summary: "Readiness: 200 once the models are loaded, 503 before",
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_req, reply) => {
      const info = slot.current?.info() ?? { run: null, model: null };
      const body = {
        status: slot.ready ? ("ok" as const) : ("loading" as const),
        run: info.run,
        model: info.model,
        uptimeSeconds: (Date.now() - ctx.startedAt) / 1000,
      };
      return reply.status(slot.ready ? 200 : 503).send(body);
    },
  );

  api.get(
    "/metrics",
    { schema: { tags: ["meta"], summary: "Prometheus text metrics" } },
    async (_req, reply) => {
      reply.header("content-type", "text/plain; version=0.0.4; charset=utf-8");
      return metrics.render();
    },
  );

  api.get(
    "/stats",
    {
      schema: {
        tags: ["data"],
        summary: "Dataset overview",
        response: { 200: StatsSchema, 503: ErrorSchema },
      },
    },
    async () => slot.get().stats(),
  );

  api.get(
    "/models",
    {
      schema: {
        tags: ["models"],
        summary: "Model comparison table and the chosen model's diagnostics",
        response: { 200: ModelsSchema, 404: ErrorSchema, 503: ErrorSchema },
      },
    },
    async () => slot.get().models(),
  );

  api.get(
    "/users/:id/recommendations",
    {
      schema: {
        tags: ["recommendations"],
        summary: "Top-k movies for a user, with reasons (cold start for unknown users)",
        params: UserParams,
        querystring: RecommendQuerySchema,
        response: { 200: RecommendationsSchema, ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      if (q.minYear !== undefined && q.maxYear !== undefined && q.minYear > q.maxYear) {
        throw new CinerankError(
          "ERR_INVALID_ARGUMENT",
          `querystring field "minYear" (${q.minYear}) must not exceed "maxYear" (${q.maxYear})`,
          { field: "minYear", location: "querystring" },
        );
      }
      return slot.get().recommend(req.params.id, {
        k: q.k,
        genres: splitList(q.genres),
        minYear: q.minYear,
        maxYear: q.maxYear,
        minRatings: q.minRatings,
      });
    },
  );

  api.get(
    "/users/:id/ratings",
    {
      schema: {
        tags: ["users"],
        summary: "A user's ratings, newest first (training data and live ratings)",
        params: UserParams,
        querystring: LimitQuery,
        response: { 200: UserRatingsSchema, ...errorResponses },
      },
    },
    async (req) => slot.get().userRatings(req.params.id, req.query.limit),
  );

  api.post(
    "/users/:id/ratings",
    {
      schema: {
        tags: ["users"],
        summary: "Add ratings (live update; persisted; used by the next train)",
        params: UserParams,
        body: RatingsBody,
        response: { 200: RatingsSchema, 401: ErrorSchema, ...errorResponses },
        ...(ctx.apiKey ? { security: [{ apiKey: [] }] } : {}),
      },
      preHandler: async (req) => {
        if (!ctx.apiKey) return;
        const key = presentedKey(req);
        if (key === null || !keyMatches(key, ctx.apiKey)) {
          throw new CinerankError(
            "ERR_UNAUTHORIZED",
            "this route needs the API key in the x-api-key header (or Authorization: Bearer)",
            { header: "x-api-key" },
          );
        }
      },
    },
    async (req) => slot.get().addRatings(req.params.id, req.body.ratings),
  );

  api.post(
    "/predict",
    {
      schema: {
        tags: ["recommendations"],
        summary: "P(like) for (user, movie) pairs",
        body: PredictBody,
        response: { 200: PredictSchema, ...errorResponses },
      },
    },
    async (req) => slot.get().predict(req.body.userId, req.body.movieIds),
  );

  api.get(
    "/movies",
    {
      schema: {
        tags: ["movies"],
        summary: "Search movies by title (case/accent-insensitive) and/or genre",
        querystring: MoviesQuery,
        response: { 200: MoviesSchema, ...errorResponses },
      },
    },
    async (req) =>
      slot
        .get()
        .searchMovies({ query: req.query.query, genre: req.query.genre, limit: req.query.limit }),
  );

  api.get(
    "/movies/:id",
    {
      schema: {
        tags: ["movies"],
        summary: "One movie",
        params: MovieParams,
        response: { 200: MovieSummarySchema, ...errorResponses },
      },
    },
    async (req) => slot.get().movie(req.params.id),
  );

  api.get(
    "/movies/:id/similar",
    {
      schema: {
        tags: ["movies"],
        summary: "Similar movies by content, collaborative signal, or a blend",
        params: MovieParams,
        querystring: SimilarQuerySchema,
        response: { 200: SimilarSchema, ...errorResponses },
      },
    },
    async (req) =>
      slot.get().similar(req.params.id, {
        k: req.query.k,
        method: req.query.method,
        contentWeight: req.query.contentWeight,
      }),
  );

  api.get(
    "/interactions/sample",
    {
      schema: {
        tags: ["data"],
        summary: "A random sample of ratings (for the EDA page)",
        querystring: LimitQuery,
        response: { 200: InteractionsSchema, ...errorResponses },
      },
    },
    async (req) => slot.get().sampleInteractions(req.query.limit),
  );
}
