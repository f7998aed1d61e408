import { z } from "zod";
import { activeIntrospection, inactiveIntrospection, introspectionRequest } from "../schemas/introspection.ts";
import { rotateTokenSchema, tokenResponse } from "../schemas/token.ts";
import type { Route } from "./operations.ts";

// The token lifecycle and verification routes (issue 18) for the OpenAPI document: rotate, disable, enable,
// introspection (RFC 7662) and the JWKS.

const MALFORMED = "Malformed token hash: expected 64 lowercase hexadecimal characters";
const rotated = tokenResponse.extend({
  token: z.string().describe("The new token: in this answer only"),
  replaced: tokenResponse.describe("The old token after the rotation: replacedBy and revokeAt set"),
});
const rotateErrors = {
  400: "The first problem with the body; or a device token (devices get new tokens over MQTT)",
  409: "The token was already rotated: this reuse revoked every token of its family; or the token is disabled",
};

export const TOKEN_OPERATIONS: Record<string, Route> = {
  "/api/tokens/[hash]/rotate": {
    tag: "tokens",
    operations: {
      post: {
        summary: "Replace a token by a new one with the same name and role; the old one works for grace_seconds more",
        description:
          "The body may be left out: grace_seconds defaults to 86400 (0 revokes the old token at once), validUntil to the old token's lifetime from now. Rotating a token that was already rotated is a reuse: every token of its family is revoked.",
        body: rotateTokenSchema,
        ok: { json: rotated, description: "The new token, shown once, and the old one" },
        errors: { ...rotateErrors, 404: "Token not found; or Plugin is not enabled" },
      },
    },
  },
  "/api/tokens/self/rotate": {
    tag: "tokens",
    operations: {
      post: {
        summary: "The calling application token replaces itself (any role), as an admin's rotate would",
        body: rotateTokenSchema,
        ok: { json: rotated, description: "The new token, shown once, and the caller's old one" },
        errors: { ...rotateErrors, 400: `${rotateErrors[400]}; or the caller is a console session` },
      },
    },
  },
  "/api/tokens/[hash]/disable": {
    tag: "tokens",
    operations: {
      post: {
        summary: "Disable a token: refused like a revoked one until enabled again; idempotent",
        ok: { json: tokenResponse, description: "The token, status Disabled" },
        errors: { 400: MALFORMED, 404: "Token not found; or Plugin is not enabled" },
      },
    },
  },
  "/api/tokens/[hash]/enable": {
    tag: "tokens",
    operations: {
      post: {
        summary: "Enable a disabled token again; idempotent",
        ok: { json: tokenResponse, description: "The token" },
        errors: { 400: MALFORMED, 404: "Token not found; or Plugin is not enabled" },
      },
    },
  },
  "/api/tokens/introspect": {
    tag: "tokens",
    operations: {
      post: {
        summary: "RFC 7662 introspection: whether a token is one Tessera accepts now, and what it is",
        description:
          'The body is token=<token> as application/x-www-form-urlencoded, or {"token": ...} as JSON. Revoked, expired, disabled, rotated out past its grace, forged, another issuer\'s or unknown: exactly {"active": false}. Each inactive answer counts against the caller\'s address like a bad token (429 over the limit); each active one is a use of the token.',
        body: introspectionRequest,
        ok: {
          json: z.union([activeIntrospection, inactiveIntrospection]),
          description: "The token's state",
          headers: { "Cache-Control": "no-store" },
        },
        errors: { 400: "token is missing", 404: "Plugin is not enabled" },
      },
    },
  },
  "/api/well-known/jwks": {
    tag: "tokens",
    operations: {
      get: {
        caller: "public",
        summary: "The JWKS (served at /.well-known/jwks.json): the public keys of EdDSA and ES256 tokens, by kid",
        description:
          "Empty while tokens are signed with HS256 only (TESSERA_TOKEN_ALG). Cacheable for 300 s: a new signing key is published at least that long before it signs.",
        ok: {
          json: z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string() })) }),
          description: "The key set (application/jwk-set+json)",
          headers: { "Cache-Control": "public, max-age=300" },
        },
      },
    },
  },
};
