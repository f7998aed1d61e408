import { invalidTokenError, rateLimitedError, ApiError } from "../api/errors.ts";
import type { Env } from "../env.ts";
import { verifyAppToken, type AppTokenClaims } from "./app-token.ts";
import { clientAddress } from "./client-address.ts";
import { readCredentials } from "./credentials.ts";
import { recordFailure, retryAfter } from "./throttle.ts";

// The stateless half of token authentication, shared by middleware.ts (the
// first gate) and withAuth (the second): where the token is, throttling of
// clients that keep sending bad ones, and the signature and claims. Edge-safe.

export type TokenCheck =
  | { kind: "none"; address: string }
  | { kind: "token"; token: string; claims: AppTokenClaims; address: string }
  | { kind: "error"; error: ApiError; address: string };

type Settings = Pick<
  Env,
  "TESSERA_TOKEN_KEYS" | "TESSERA_ISSUER" | "TESSERA_APP_TOKENS_ENABLED" | "TESSERA_TRUST_PROXY" | "TESSERA_AUTH_FAILURES_PER_MINUTE"
>;

export async function checkToken(request: Request, settings: Settings): Promise<TokenCheck> {
  const address = clientAddress(request, settings.TESSERA_TRUST_PROXY);
  const credentials = readCredentials(request);
  if (credentials.kind === "none") return { kind: "none", address };
  // With app tokens switched off, a token is no credential at all.
  if (credentials.kind === "token" && !settings.TESSERA_APP_TOKENS_ENABLED) return { kind: "none", address };

  const wait = retryAfter(address, settings.TESSERA_AUTH_FAILURES_PER_MINUTE);
  if (wait > 0) return { kind: "error", error: rateLimitedError(wait), address };

  if (credentials.kind === "invalid") {
    recordFailure(address);
    return { kind: "error", error: new ApiError("bad_request", credentials.reason), address };
  }
  const claims = await verifyAppToken({ keys: settings.TESSERA_TOKEN_KEYS, issuer: settings.TESSERA_ISSUER }, credentials.token);
  if (!claims) {
    recordFailure(address);
    return { kind: "error", error: invalidTokenError(), address };
  }
  return { kind: "token", token: credentials.token, claims, address };
}
