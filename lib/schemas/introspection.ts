import { z } from "zod";
import { ROLES } from "../auth/permissions.ts";

// RFC 7662 token introspection: POST /api/tokens/introspect.

/** The request: the token (any string: whatever it is, the answer is active or not), and the optional hint. */
export const introspectionRequest = z.object({
  token: z.string({
    error: (issue) => (issue.input === undefined ? "token is required" : "token must be a string"),
  }),
  /** RFC 7662 section 2.1: a hint the server may ignore; Tessera has one kind of token to look for. */
  token_type_hint: z.string().optional(),
});

export type IntrospectionRequest = z.infer<typeof introspectionRequest>;

/** The answer for a token in use. */
export const activeIntrospection = z.object({
  active: z.literal(true),
  role: z.enum(ROLES),
  exp: z.number().int().describe("Expiry, seconds since the epoch"),
  iat: z.number().int().describe("Issued at, seconds since the epoch"),
  iss: z.string(),
  sub: z.string().optional().describe("Device tokens: the device id"),
  name: z.string(),
  hash: z.string().describe("SHA-256 of the token, hex: its id in /api/tokens"),
  token_type: z.enum(["application", "device"]),
});

/** Anything else: revoked, expired, disabled, rotated out and past its grace, forged, another issuer's, unknown. */
export const inactiveIntrospection = z.strictObject({ active: z.literal(false) });

export const introspectionResponse = z.union([activeIntrospection, inactiveIntrospection]);
export type IntrospectionResponse = z.infer<typeof introspectionResponse>;
