import { invalidTokenError, rateLimitedError, ApiError } from "../api/errors.ts";
import type { Env } from "../env.ts";
import { tokenSettings, verifyAppToken, type AppTokenClaims, type TokenSettings } from "./app-token.ts";
import { clientAddress } from "./client-address.ts";
import { readCredentials } from "./credentials.ts";
import { recordFailure, retryAfter } from "./throttle.ts";

// The stateless half of token authentication, shared by middleware.ts (the
// first gate) and withAuth (the second): where the token is, its signature
// and claims, and throttling of clients that keep sending bad ones. Edge-safe.
//
// Throttling only ever turns a refusal into a 429: a client over the limit is
// told to back off instead of getting another 403, while a correctly signed
// token from the same address (say, another client behind the same NAT) is
// still served.

export type TokenCheck =
  | { kind: "none"; address: string }
  | { kind: "token"; token: string; claims: AppTokenClaims; address: string }
  | { kind: "error"; error: ApiError; address: string };

type Settings = Pick<
  Env,
  | "TESSERA_TOKEN_KEYS"
  | "TESSERA_ISSUER"
  | "TESSERA_PUBLIC_URL"
  | "NEXTAUTH_URL"
  | "TESSERA_APP_TOKENS_ENABLED"
  | "TESSERA_TRUST_PROXY"
  | "TESSERA_AUTH_FAILURES_PER_MINUTE"
>;

/** Records a failed attempt and answers it: the given error, or 429 once the address is over the limit. */
export function refuse(address: string, error: ApiError, limit: number): ApiError {
  const wait = retryAfter(address, limit);
  if (wait > 0) return rateLimitedError(wait);
  recordFailure(address);
  return error;
}

/** How a token's signature and claims are checked: verifyAppToken (edge-safe) unless the caller brings a faster one. */
export type TokenVerifier = (
  settings: TokenSettings,
  token: string,
) => Promise<AppTokenClaims | null> | AppTokenClaims | null;

export async function checkToken(
  request: Request,
  settings: Settings,
  verify: TokenVerifier = verifyAppToken,
): Promise<TokenCheck> {
  const address = clientAddress(request, settings.TESSERA_TRUST_PROXY);
  const credentials = readCredentials(request);
  if (credentials.kind === "none") return { kind: "none", address };
  // With app tokens switched off, a token is no credential at all.
  if (credentials.kind === "token" && !settings.TESSERA_APP_TOKENS_ENABLED) return { kind: "none", address };

  const limit = settings.TESSERA_AUTH_FAILURES_PER_MINUTE;
  if (credentials.kind === "invalid") {
    return { kind: "error", error: refuse(address, new ApiError("bad_request", credentials.reason), limit), address };
  }
  const claims = await verify(tokenSettings(settings), credentials.token);
  if (!claims) return { kind: "error", error: refuse(address, invalidTokenError(), limit), address };
  return { kind: "token", token: credentials.token, claims, address };
}
