import { auditPageResponse, auditQuery } from "../schemas/audit.ts";
import { tokenUsageResponse, usageQuery, usageSummaryQuery, usageSummaryResponse } from "../schemas/usage.ts";
import type { Route } from "./operations.ts";

// The audit log and per-token usage (issue 19) for the OpenAPI document.

export const AUDIT_OPERATIONS: Record<string, Route> = {
  "/api/audit": {
    tag: "audit",
    operations: {
      get: {
        summary: "The audit log, newest first: filter by time, actor, action and token hash; page with the cursor",
        description:
          "Every token created, rotated, disabled, enabled or revoked (by whom, from which address, through the API, the console or the CLI), MQTT credentials created, refreshed, replaced, expired (by the system) or revoked, devices added or removed, a change undone because the broker refused it, device tokens issued, sign-ins and sign-outs, and refused uses of revoked or disabled tokens (aggregated: count > 1). Never a password, a token or a hash of one. Append-only; rows older than TESSERA_AUDIT_RETENTION_DAYS are deleted.",
        query: auditQuery,
        ok: { json: auditPageResponse, description: "One page of events" },
        errors: { 400: "The first problem with the query" },
      },
    },
  },
  "/api/tokens/[hash]/usage": {
    tag: "tokens",
    operations: {
      get: {
        summary: "A token's requests and refused attempts per hour (default: the last 7 days) and its last 5 addresses",
        query: usageQuery,
        ok: { json: tokenUsageResponse, description: "The token's usage" },
        errors: { 400: "Malformed token hash; or from/to not a range of at most 90 days" },
      },
    },
  },
  "/api/tokens/usage": {
    tag: "tokens",
    operations: {
      get: {
        summary: "Every token's requests and refused attempts per day (UTC) for the last ?days (1-31, default 7)",
        query: usageSummaryQuery,
        ok: { json: usageSummaryResponse, description: "Per token, one number per day" },
        errors: { 400: "days is not an integer from 1 to 31" },
      },
    },
  },
};
