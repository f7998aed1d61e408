import { createHash } from "node:crypto";
import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { openApiJson } from "@/lib/openapi/document.ts";

// GET /api/openapi.json - the OpenAPI 3.1 document of the whole API (no auth; the same bytes every time, so cacheable)
export async function GET(request: Request) {
  const json = openApiJson();
  const etag = `"${createHash("sha256").update(json).digest("base64url").slice(0, 27)}"`;
  const headers = { "Cache-Control": "public, max-age=300", ETag: etag };
  if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  return new Response(json, { headers: { ...headers, "Content-Type": "application/json" } });
}

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
