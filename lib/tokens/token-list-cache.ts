import "server-only";
import { database } from "../db.ts";
import { FIELD_JSON, FIELD_ORDER, TOKEN_JSON } from "./token-json-sql.ts";

// The whole token list as JSON bytes, kept by each process and served while it
// is current. Every request costs one statement that reads three things from
// one snapshot:
// - the list's version (change_counters, bumped by a statement trigger on any
//   change to what a token is: created, deleted, renamed, re-dated...; from
//   any process or the CLI). A new version means a rebuild;
// - the uses committed since the cached copy was read: last_used_xid, stamped
//   by a row trigger with the writing transaction's id, is at least the
//   oldest transaction still running when the copy was read (its snapshot's
//   xmin, the "horizon"), so one indexed range read finds every one of them.
//   They are patched into the cached bytes in place: using tokens never
//   rebuilds the list, and a lastUsed write touches no shared counter
//   (prisma/migrations/20261204000000_last_used_off_list_version);
// - and, kept from the build, when the first still-valid token expires (its
//   status flips then): a rebuild once that instant has passed.
// So the list is current on the very next request after a change made
// anywhere, without a rebuild for each use.

interface CachedList {
  version: string;
  /** pg_snapshot_xmin of the snapshot this copy reflects: later uses have last_used_xid >= horizon. */
  horizon: string;
  /** When the first still-valid token expires (ms), or Infinity. */
  staleAt: number;
  body: Buffer<ArrayBuffer>;
  /** Where each token's lastUsed value sits in body (byte offsets), indexed on the first patch. */
  slots?: Map<string, { start: number; end: number }>;
}

const VERSION = `SELECT version::text FROM change_counters WHERE name = 'application_tokens'`;
const HORIZON = `pg_snapshot_xmin(pg_current_snapshot())::text`;

// One statement, so the version, the horizon, the next expiry and the body come from one snapshot.
const FULL_LIST = `SELECT (${VERSION}) AS version, ${HORIZON} AS horizon,
  (SELECT min(valid_until) FROM application_tokens WHERE valid_until > $1) AS "nextExpiry",
  (SELECT '[' || coalesce(string_agg(${TOKEN_JSON}, ',' ORDER BY issue_date, name), '') || ']' FROM application_tokens) AS body`;

// The uses since a horizon, as [hash, lastUsed JSON value] pairs.
const USES_SINCE = `SELECT (${VERSION}) AS version, ${HORIZON} AS horizon,
  (SELECT coalesce(json_agg(json_build_array(hash, ${FIELD_JSON.lastUsed})), '[]')::text
     FROM application_tokens WHERE last_used_xid >= $1::bigint) AS uses`;

let cached: CachedList | undefined;
/** The rebuild under way, shared by the requests that find the cache stale meanwhile. */
let building: Promise<CachedList> | undefined;

async function build(now: number): Promise<CachedList> {
  const [row] = await database().query<{ version: string; horizon: string; nextExpiry: Date | null; body: string }>(
    FULL_LIST,
    [new Date(now)],
  );
  const list: CachedList = {
    version: row!.version,
    horizon: row!.horizon,
    staleAt: row!.nextExpiry ? row!.nextExpiry.getTime() : Infinity,
    body: Buffer.from(row!.body, "utf8"),
  };
  keepIfNewer(list);
  return list;
}

function keepIfNewer(list: CachedList): void {
  if (
    !cached ||
    BigInt(list.version) > BigInt(cached.version) ||
    (list.version === cached.version && BigInt(list.horizon) >= BigInt(cached.horizon))
  )
    cached = list;
}

/** A list built from a snapshot at least as new as version (which includes every write the caller made). */
const usable = (list: CachedList | undefined, version: string, now: number): list is CachedList =>
  list !== undefined && now < list.staleAt && BigInt(list.version) >= BigInt(version);

/** Every application token, oldest first, as the JSON text of a TokenResponse[]. */
export async function tokenListJson(now = Date.now()): Promise<Uint8Array<ArrayBuffer>> {
  const current = cached;
  if (current && now < current.staleAt) {
    const [row] = await database().query<{ version: string; horizon: string; uses: string }>(USES_SINCE, [
      current.horizon,
    ]);
    if (row!.version === current.version) {
      const updated = withUses(current, JSON.parse(row!.uses) as [string, string][], row!.horizon);
      if (updated) {
        keepIfNewer(updated);
        return updated.body;
      }
    }
    return (await rebuild(row!.version, now)).body;
  }
  const [row] = await database().query<{ version: string }>(VERSION);
  return (await rebuild(row!.version, now)).body;
}

async function rebuild(version: string, now: number): Promise<CachedList> {
  // Join a rebuild already under way if its snapshot turns out new enough;
  // otherwise (it began before a change this caller must see) build anew.
  if (building) {
    const joined = await building;
    if (usable(joined, version, now)) return joined;
  }
  const mine = build(now);
  building = mine;
  try {
    return await mine;
  } finally {
    if (building === mine) building = undefined;
  }
}

const HASH_KEY = Buffer.from('"hash":"');
const LAST_USED_KEY = Buffer.from('"lastUsed":');
// The scan below relies on each object writing its hash before its lastUsed.
if (FIELD_ORDER.indexOf("hash") > FIELD_ORDER.indexOf("lastUsed")) throw new Error("hash must precede lastUsed");

/**
 * Where each token's lastUsed value is. The keys cannot occur inside a value:
 * a JSON string escapes every quote it holds, and both keys contain a quote
 * right after a letter.
 */
function indexSlots(body: Buffer): Map<string, { start: number; end: number }> {
  const slots = new Map<string, { start: number; end: number }>();
  let at = body.indexOf(HASH_KEY);
  while (at !== -1) {
    const hashStart = at + HASH_KEY.length;
    const hash = body.toString("latin1", hashStart, hashStart + 64);
    const start = body.indexOf(LAST_USED_KEY, hashStart) + LAST_USED_KEY.length;
    // null, or a quoted instant (no quote inside it).
    const end = body[start] === 0x22 ? body.indexOf(0x22, start + 1) + 1 : start + 4;
    slots.set(hash, { start, end });
    at = body.indexOf(HASH_KEY, end);
  }
  return slots;
}

/** The list with these lastUsed values written in; undefined when a token is not in it (then it is rebuilt). */
function withUses(list: CachedList, uses: [string, string][], horizon: string): CachedList | undefined {
  const slots = (list.slots ??= indexSlots(list.body));
  const changes: { start: number; end: number; value: Buffer }[] = [];
  for (const [hash, text] of uses) {
    const slot = slots.get(hash);
    if (!slot) return undefined;
    const value = Buffer.from(text, "latin1"); // an instant or null: ASCII
    if (!value.equals(list.body.subarray(slot.start, slot.end))) changes.push({ ...slot, value });
  }
  if (changes.length === 0) return { ...list, horizon };
  changes.sort((a, b) => a.start - b.start);
  const pieces: Buffer[] = [];
  let position = 0;
  for (const change of changes) {
    pieces.push(list.body.subarray(position, change.start), change.value);
    position = change.end;
  }
  pieces.push(list.body.subarray(position));
  return { version: list.version, horizon, staleAt: list.staleAt, body: Buffer.concat(pieces) };
}
