#!/usr/bin/env node
// A resource server that accepts Tessera's tokens: another service's API, in
// plain Node with jose (any JOSE library does). It verifies a token offline
// against Tessera's published keys (GET /.well-known/jwks.json; Tessera signs
// with TESSERA_TOKEN_ALG=EdDSA or ES256), and, when it is given a token of its
// own with the introspector role, asks Tessera on every request whether the
// token is still active (POST /api/tokens/introspect, RFC 7662), so a revoked,
// disabled or rotated-out token is refused on its next request.
//
//   TESSERA_URL=https://tessera.example.com      where Tessera is (required)
//   TESSERA_ISSUER=tessera                        the iss Tessera signs with (its TESSERA_ISSUER)
//   TESSERA_INTROSPECTION_TOKEN=eyJ...            optional: a token with the introspector role
//   PORT=4000                                     0 picks a free port
//
// It serves GET /reports to any role that reads (viewer, editor, admin) and
// POST /reports to editor and admin: 401 without a valid token, 403 for a
// role that may not, 503 when introspection is configured and Tessera cannot
// be asked (it fails closed).
import http from "node:http";
import { createRemoteJWKSet, jwtVerify } from "jose";

const tesseraUrl = process.env.TESSERA_URL;
if (!tesseraUrl) {
  console.error("Set TESSERA_URL to where Tessera is, e.g. http://localhost:3000");
  process.exit(2);
}
const issuer = process.env.TESSERA_ISSUER ?? "tessera";
const introspectionToken = process.env.TESSERA_INTROSPECTION_TOKEN;
// jose caches the key set and fetches it again when a token names a kid it does not know (a new signing key).
const keys = createRemoteJWKSet(new URL("/.well-known/jwks.json", tesseraUrl));

const ALLOWED = {
  "GET /reports": ["viewer", "editor", "admin"],
  "POST /reports": ["editor", "admin"],
};

function answer(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const unauthorized = (res, description) =>
  answer(
    res,
    401,
    { error: "invalid_token", error_description: description },
    {
      "www-authenticate": `Bearer error="invalid_token", error_description="${description}"`,
    },
  );

/** Tessera's word on whether the token is active now; throws when Tessera cannot be asked. */
async function isActive(token) {
  const response = await fetch(new URL("/api/tokens/introspect", tesseraUrl), {
    method: "POST",
    headers: { authorization: `Bearer ${introspectionToken}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`introspection answered ${response.status}`);
  return (await response.json()).active === true;
}

const server = http.createServer(async (req, res) => {
  const route = `${req.method} ${new URL(req.url, "http://x").pathname}`;
  const roles = ALLOWED[route];
  if (!roles) return answer(res, 404, { error: "not_found" });
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(req.headers.authorization ?? "");
  if (!match) return unauthorized(res, "a Bearer token is required");
  const token = match[1];
  let payload;
  try {
    // Only the asymmetric algorithms: a JWKS holds public keys, never an HMAC secret.
    ({ payload } = await jwtVerify(token, keys, { issuer, algorithms: ["EdDSA", "ES256"], typ: "JWT" }));
  } catch {
    return unauthorized(res, "the token is not valid");
  }
  if (introspectionToken) {
    try {
      if (!(await isActive(token))) return unauthorized(res, "the token was revoked or disabled");
    } catch (error) {
      console.error(`introspection failed: ${error.message}`);
      return answer(res, 503, { error: "temporarily_unavailable" }, { "retry-after": "5" });
    }
  }
  if (!roles.includes(payload.role)) return answer(res, 403, { error: "insufficient_scope", role: payload.role });
  return answer(res, 200, { ok: true, route, role: payload.role, token: payload.jti });
});

server.listen(Number(process.env.PORT ?? 4000), "127.0.0.1", () => {
  console.log(`resource server listening on http://127.0.0.1:${server.address().port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
