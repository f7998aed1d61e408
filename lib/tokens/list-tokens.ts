import "server-only";
import { ApiError, NO_STORE } from "../api/errors.ts";
import { database } from "../db.ts";
import { NAME_MAX, type TokenResponse } from "../schemas/token.ts";
import { isoText, TOKEN_JSON } from "./token-json-sql.ts";
import { tokenListJson } from "./token-list-cache.ts";

// The token list: the whole list (cached per process, lib/tokens/token-list-cache.ts)
// and its pages (keyset paging), both written as JSON by SQL (lib/tokens/token-json-sql.ts).

/** The token list as objects (the console page, the CLI). */
export async function listTokens(): Promise<TokenResponse[]> {
  return JSON.parse((await tokenListJson()).toString("utf8")) as TokenResponse[];
}

/** The answer of GET /api/tokens and DELETE /api/tokens/{hash}: the list, as JSON, uncopied. */
export async function tokenListResponse(): Promise<Response> {
  const body = await tokenListJson();
  // A stream of the cached bytes: new Response(bytes) would copy all of them on every request.
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(body);
      controller.close();
    },
  });
  return new Response(stream, {
    headers: { ...NO_STORE, "Content-Type": "application/json", "Content-Length": String(body.byteLength) },
  });
}

export const MAX_PAGE = 1000;

interface Cursor {
  issueDate: string;
  name: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.issueDate, cursor.name])).toString("base64url");
}

/** The only form encodeCursor writes an issue date in (years 1-9999, which PostgreSQL takes); anything else (e.g. "0", which Date.parse takes and PostgreSQL refuses) is not a cursor. */
const CURSOR_DATE = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Reads a cursor back; only what encodeCursor can have written gets to the database (a NUL or a bad date would make it fail with a 500). */
function decodeCursor(text: string): Cursor {
  try {
    const [issueDate, name] = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown[];
    const isDate =
      typeof issueDate === "string" && CURSOR_DATE.test(issueDate) && new Date(issueDate).toISOString() === issueDate;
    // Not tokenName: names stored before a rule was tightened must still page. PostgreSQL refuses only NUL in text.
    const isName = typeof name === "string" && !name.includes("\u0000") && [...name].length <= NAME_MAX;
    if (isDate && isName) return { issueDate: issueDate as string, name: name as string };
  } catch {
    // falls through to the error below
  }
  throw new ApiError("bad_request", "Malformed cursor: pass back the value of X-Next-Cursor unchanged");
}

/** Reads ?limit and ?cursor; null when neither is given (the default answer: the whole list). */
export function pageRequest(url: URL): { limit: number; cursor?: Cursor } | null {
  const limitText = url.searchParams.get("limit");
  const cursorText = url.searchParams.get("cursor");
  if (limitText === null && cursorText === null) return null;
  const limit = limitText === null ? 100 : Number(limitText);
  if (!/^\d+$/.test(limitText ?? "100") || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new ApiError("bad_request", `limit must be an integer from 1 to ${MAX_PAGE}`);
  }
  return { limit, cursor: cursorText === null ? undefined : decodeCursor(cursorText) };
}

/**
 * One page of the list in the same order and shape as the full answer (a
 * JSON array). When more follow, X-Next-Cursor carries the cursor for the
 * next page and Link its URL (rel="next"); the last page has neither.
 */
export async function tokenPageResponse(
  url: URL,
  page: { limit: number; cursor?: Cursor },
  now = Date.now(),
): Promise<Response> {
  const params: unknown[] = [new Date(now), page.limit + 1];
  let where = "";
  if (page.cursor) {
    params.push(page.cursor.issueDate, page.cursor.name);
    where = `WHERE (issue_date, name) > ($3::timestamptz, $4)`;
  }
  const rows = await database().query<{ json: string; issueDate: string; name: string }>(
    `SELECT ${TOKEN_JSON} AS json, ${isoText("issue_date")} AS "issueDate", name
       FROM application_tokens ${where} ORDER BY issue_date, name LIMIT $2`,
    params,
  );
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  const headers = new Headers({ ...NO_STORE, "Content-Type": "application/json" });
  if (more) {
    const last = shown[shown.length - 1]!;
    const cursor = encodeCursor({ issueDate: last.issueDate, name: last.name });
    const next = new URL(url);
    next.searchParams.set("limit", String(page.limit));
    next.searchParams.set("cursor", cursor);
    next.searchParams.delete("token"); // never echo a credential into a header
    headers.set("X-Next-Cursor", cursor);
    headers.set("Link", `<${next.pathname}${next.search}>; rel="next"`);
  }
  return new Response(`[${shown.map((row) => row.json).join(",")}]`, { headers });
}
