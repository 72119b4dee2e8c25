/**
 * Maps failures to HTTP answers. The body is always `{ error, message, details }` (api-types'
 * ApiError) and never carries a stack trace: schema violations and CinerankErrors of the user's
 * making become 4xx naming the field; anything unexpected becomes a 500 with a generic message
 * (the real error goes to the log only). This is the one place that knows HTTP statuses.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { type ErrorCode, isCinerankError } from "../core/index.js";
import type { ApiError } from "./api-types.js";

const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_USAGE: 400,
  ERR_INVALID_ARGUMENT: 400,
  ERR_INVALID_CONFIG: 400,
  ERR_UNAUTHORIZED: 401,
  ERR_UNKNOWN_MOVIE: 404,
  ERR_UNKNOWN_USER: 404,
  ERR_NOT_FOUND: 404,
  ERR_PAYLOAD_TOO_LARGE: 413,
  ERR_NOT_READY: 503,
  ERR_STORE_BUSY: 503,
};

/** HTTP status of a CinerankError code (500 for codes that mean a server-side fault). */
export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** "/ratings/0/rating" -> "ratings[0].rating"; a missing property names itself. */
function fieldOf(issue: AjvIssue): string {
  const parts = (issue.instancePath ?? "").split("/").filter((p) => p !== "");
  const missing = issue.params?.missingProperty;
  if (typeof missing === "string") parts.push(missing);
  let out = "";
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === "" ? p : `.${p}`;
  return out;
}

export function toApiError(err: FastifyError | Error): { status: number; body: ApiError } {
  if (isCinerankError(err)) {
    const status = statusOf(err.code);
    if (status >= 500 && status !== 503) {
      return { status, body: { error: err.code, message: err.message } };
    }
    return { status, body: { error: err.code, message: err.message, details: err.details } };
  }
  const fe = err as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (fe.validation && fe.validation.length > 0) {
    const issue = fe.validation[0];
    const field = fieldOf(issue);
    const location = fe.validationContext ?? "request";
    return {
      status: 400,
      body: {
        error: "ERR_INVALID_ARGUMENT",
        message: `${location} field "${field || "(root)"}" ${issue.message ?? "is invalid"}`,
        details: { field, location, rule: issue.keyword, ...issue.params },
      },
    };
  }
  if (fe.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    return {
      status: 413,
      body: { error: "ERR_PAYLOAD_TOO_LARGE", message: "request body is larger than allowed" },
    };
  }
  const sc = fe.statusCode;
  if (sc !== undefined && sc >= 400 && sc < 500) {
    // Fastify's own client errors: bad JSON, wrong content type, empty body...
    return {
      status: sc,
      body: {
        error: sc === 404 ? "ERR_NOT_FOUND" : "ERR_INVALID_ARGUMENT",
        message: fe.message,
        details: fe.code ? { reason: fe.code } : undefined,
      },
    };
  }
  return { status: 500, body: { error: "ERR_INTERNAL", message: "internal server error" } };
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toApiError(err);
  if (status >= 500) req.log.error({ err }, "request failed");
  reply.status(status).send(body);
}
