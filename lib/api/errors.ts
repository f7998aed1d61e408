import { ERROR_STATUS, MESSAGES, type ErrorCode } from "./error-codes.ts";

// Edge-safe. Error bodies are short text/plain sentences, as the seed's API
// answers them.

const API_ERROR = Symbol.for("tessera.ApiError");

export class ApiError extends Error {
  override name = "ApiError";
  readonly [API_ERROR] = true;
  // Next.js may bundle this module more than once (instrumentation and each
  // route), and a process-wide object (the broker connection) throws the
  // copy it was made with: instanceof checks the brand, not the copy.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[API_ERROR] === true;
  }
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const NO_STORE = { "Cache-Control": "no-store" };

/**
 * The request field an error is about ("name", "validUntil", "acl.0.topic"), for forms that put the sentence next to
 * that field. A header, so that the body stays the seed's plain sentence and no form has to read the sentence's words.
 */
export const ERROR_FIELD_HEADER = "X-Error-Field";

/** An ApiError about one field of the request (see ERROR_FIELD_HEADER). */
export function fieldError(code: ErrorCode, field: string, message: string): ApiError {
  return new ApiError(code, message, { [ERROR_FIELD_HEADER]: field });
}

export function textResponse(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", ...NO_STORE, ...headers },
  });
}

export function errorResponse(error: ApiError): Response {
  return textResponse(ERROR_STATUS[error.code], error.message, error.headers);
}

/** The 403 for any token that is invalid, expired, tampered, unknown or revoked. */
export function invalidTokenError(): ApiError {
  return new ApiError("invalid_token", MESSAGES.invalidToken, {
    "WWW-Authenticate": 'Bearer realm="tessera", error="invalid_token"',
  });
}

export function unauthenticatedError(): ApiError {
  return new ApiError("unauthenticated", MESSAGES.unauthenticated, { "WWW-Authenticate": 'Bearer realm="tessera"' });
}

export function rateLimitedError(seconds: number): ApiError {
  return new ApiError("rate_limited", "Too many requests with invalid tokens from this address; try again later", {
    "Retry-After": String(seconds),
  });
}

export function jsonResponse(data: unknown, status = 200): Response {
  return Response.json(data, { status, headers: NO_STORE });
}
