/**
 * CinerankError: every failure a user can cause carries a stable `code` (documented in the
 * README), a message that names the file/line/field and what was expected, and optional
 * structured `details`. Only `serve/` maps codes to HTTP statuses; only `cli/` maps them to exit
 * codes and prints them.
 */
export type ErrorCode =
  | "ERR_USAGE"
  | "ERR_DATA_MISSING_FILE"
  | "ERR_DATA_UNKNOWN_LAYOUT"
  | "ERR_DATA_BAD_HEADER"
  | "ERR_DATA_BAD_SEPARATOR"
  | "ERR_DATA_ENCODING"
  | "ERR_DATA_MALFORMED"
  | "ERR_DATA_EMPTY"
  | "ERR_DOWNLOAD"
  | "ERR_CHECKSUM"
  | "ERR_UNKNOWN_RELEASE"
  | "ERR_UNKNOWN_USER"
  | "ERR_UNKNOWN_MOVIE"
  | "ERR_INVALID_ARGUMENT"
  | "ERR_INVALID_CONFIG"
  | "ERR_MODEL_FORMAT"
  | "ERR_NOT_FITTED"
  | "ERR_RUN_NOT_FOUND"
  | "ERR_UNAUTHORIZED"
  | "ERR_NOT_FOUND"
  | "ERR_NOT_READY"
  | "ERR_PAYLOAD_TOO_LARGE"
  | "ERR_STORE_BUSY"
  | "ERR_INTERNAL";

export class CinerankError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "CinerankError";
    this.code = code;
    this.details = details;
  }
}

export function isCinerankError(e: unknown): e is CinerankError {
  return e instanceof CinerankError;
}
