/**
 * buildApp: the Fastify application of `cinerank serve`. Every route has JSON schemas (TypeBox)
 * for its input and output; the OpenAPI document is at /api/openapi.json and a docs page at
 * /docs. The backend may still be loading when the app starts: /api/health answers 503 and the
 * data routes answer 503 ERR_NOT_READY until it resolves. Closing the app lets in-flight
 * requests finish (Fastify refuses new ones with 503) and then closes the backend (the store).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from "fastify";
import { CinerankError } from "../core/index.js";
import type { ServeBackend } from "./backend.js";
import { errorHandler } from "./error-handler.js";
import { RequestMetrics } from "./request-metrics.js";
import { registerApiRoutes } from "./routes/api-routes.js";

export interface AppDeps {
  /** The backend, or a promise of it while the models load. */
  backend: ServeBackend | Promise<ServeBackend>;
  /** When set, POST /api/users/:id/ratings requires this key (x-api-key or Bearer). */
  apiKey?: string;
  /** Folder of the built web app (index.html + assets); served at / when it exists. */
  webDist?: string | null;
  /** Fastify/pino logger option: false (default) for silence, true or pino options to log. */
  logger?: FastifyServerOptions["logger"];
  /** Largest accepted request body in bytes (default 64 KiB). */
  bodyLimit?: number;
}

/** Holds the backend once it is loaded. */
export class BackendSlot {
  private value: ServeBackend | null = null;
  private failure: Error | null = null;
  readonly settled: Promise<void>;

  constructor(source: ServeBackend | Promise<ServeBackend>) {
    this.settled = Promise.resolve(source).then(
      (b) => {
        this.value = b;
      },
      (e: unknown) => {
        this.failure = e instanceof Error ? e : new Error(String(e));
      },
    );
  }

  get ready(): boolean {
    return this.value !== null;
  }

  get error(): Error | null {
    return this.failure;
  }

  get current(): ServeBackend | null {
    return this.value;
  }

  /** The backend, or ERR_NOT_READY (503) while loading or after a failed load. */
  get(): ServeBackend {
    if (this.value) return this.value;
    if (this.failure) {
      throw new CinerankError("ERR_NOT_READY", `models failed to load: ${this.failure.message}`);
    }
    throw new CinerankError("ERR_NOT_READY", "models are still loading; retry in a moment");
  }
}

export type App = FastifyInstance;

export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    logger: deps.logger ?? false,
    // Fastify's two lines per request are replaced by one line with the route and latency.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    // Queries like ?genres=a,b are strings; ids in params are coerced to integers by the schema.
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const slot = new BackendSlot(deps.backend);
  const metrics = new RequestMetrics();
  const startedAt = Date.now();

  slot.settled.then(() => {
    if (slot.error) app.log.error({ err: slot.error }, "backend failed to load");
  });

  app.setErrorHandler(errorHandler);

  // One structured log line per request, with the route pattern and latency. The per-request
  // hooks take callbacks rather than being async: no promise per request and hook.
  app.addHook("onResponse", (req, reply, done) => {
    const route = req.routeOptions.url ?? "(unmatched)";
    const ms = reply.elapsedTime;
    metrics.observe(req.method, route, reply.statusCode, ms / 1000);
    req.log.info(
      {
        method: req.method,
        url: req.url,
        route,
        status: reply.statusCode,
        ms: Math.round(ms * 100) / 100,
      },
      "request",
    );
    done();
  });

  // Once closing starts, answers carry "Connection: close" so keep-alive clients (load
  // generators, browsers) let go and the close does not wait for their idle timeout.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", (_req, reply, payload, done) => {
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });

  app.addHook("onClose", async () => {
    await slot.settled;
    await slot.current?.close();
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "cinerank API",
        description:
          "Movie like-predictions and recommendations with reasons, similar movies, live ratings.",
        version: "1",
      },
      components: {
        securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "x-api-key" } },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });

  await app.register(
    async (api) => {
      registerApiRoutes(api, { slot, metrics, apiKey: deps.apiKey, startedAt });
    },
    { prefix: "/api" },
  );

  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  const web = deps.webDist;
  const hasWeb = web != null && existsSync(join(web, "index.html"));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: web,
      prefix: "/",
      wildcard: true,
      index: "index.html",
    });
  }
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0];
    // The web app is a single-page app: unknown non-API GETs get its index.html.
    if (hasWeb && req.method === "GET" && !path.startsWith("/api/") && !path.startsWith("/docs")) {
      return reply.sendFile("index.html");
    }
    return reply.status(404).send({
      error: "ERR_NOT_FOUND",
      message: `no route ${req.method} ${path}`,
      details: { method: req.method, path },
    });
  });

  return app;
}
