import "server-only";
import { database } from "../db.ts";
import { FIELD_JSON, FIELD_ORDER, TOKEN_JSON } from "./token-json-sql.ts";

// The whole token list as JSON bytes, kept by each process and served while it
// is current. Every request costs one statement that reads, from one snapshot:
// - the list's version (change_counters, bumped by a statement trigger on any
//   change to what a token is: created, deleted, renamed, re-dated...; from
//   any process or the CLI). A new version means a rebuild;
// - the uses committed since the cached copy was read: last_used_xid, stamped
//   by a row trigger with the writing transaction's id, is at least the
//   oldest transaction still running when the copy was read (its snapshot's
//   xmin, the "horizon"), so one indexed range read finds every one of them
//   (prisma/migrations/20261204000000_last_used_off_list_version).
//   They are written into the cached copy: using tokens never rebuilds the
//   list, and a lastUsed write touches no shared counter.
// And, kept from the build, when the first still-valid token expires or a
// rotated-out one's grace ends (its status flips then): a rebuild once that instant has passed. So the list is
// current on the very next request after a change made anywhere.
//
// The copy is kept in blocks of BLOCK tokens, so a use rewrites one block of
// about 30 KB instead of rescanning 2.5 MB; the answer is joined once per
// change and sent as one buffer (one block per write cost more per request).

const BLOCK = 128;
/** Between blocks in the build's answer: JSON text never holds a raw control character. */
const BLOCK_SEPARATOR = "\u0001";

interface Block {
  bytes: Buffer;
  /** Where each of its tokens' lastUsed value is (byte offsets), indexed on its first patch. */
  slots?: Map<string, { start: number; end: number }>;
}

interface CachedList {
  version: string;
  /** pg_snapshot_xmin of the snapshot this copy reflects: later uses have last_used_xid >= horizon. */
  horizon: string;
  /** When the first still-valid token expires (ms), or Infinity. */
  staleAt: number;
  blocks: Block[];
  /** The block each token is in (the order only changes with the version). */
  blockOf: Map<string, number>;
  /** The whole answer in one buffer, made on first use after each change (one write, not one per block). */
  whole?: Buffer;
}

const VERSION = `SELECT version::text FROM change_counters WHERE name = 'application_tokens'`;
const HORIZON = `pg_snapshot_xmin(pg_current_snapshot())::text`;

// One statement, so the version, the horizon, the next expiry and the body come from one snapshot.
const FULL_LIST = `SELECT (${VERSION}) AS version, ${HORIZON} AS horizon,
  (SELECT min(at) FROM (SELECT min(valid_until) AS at FROM application_tokens WHERE valid_until > $1
     UNION ALL SELECT min(revoke_at) FROM application_tokens WHERE revoke_at > $1) AS ends) AS "nextExpiry",
  (SELECT coalesce(string_agg(block, E'\\x01' ORDER BY n), '') FROM (
     SELECT n, string_agg(json, ',' ORDER BY issue_date, name) AS block FROM (
       SELECT ${TOKEN_JSON} AS json, issue_date, name, (row_number() OVER (ORDER BY issue_date, name) - 1) / ${BLOCK} AS n
         FROM application_tokens) AS tokens
     GROUP BY n) AS blocks) AS body`;

// The uses since a horizon, as [hash, lastUsed JSON value] pairs.
const USES_SINCE = `SELECT (${VERSION}) AS version, ${HORIZON} AS horizon,
  (SELECT coalesce(json_agg(json_build_array(hash, ${FIELD_JSON.lastUsed})), '[]')::text
     FROM tessera_token_uses_since($1::bigint)) AS uses`;

let cached: CachedList | undefined;
/** The rebuild under way, shared by the requests that find the cache stale meanwhile. */
let building: Promise<CachedList> | undefined;

const HASH_KEY = Buffer.from('"hash":"');
const LAST_USED_KEY = Buffer.from('"lastUsed":');
// The scans below rely on each object writing its hash before its lastUsed.
if (FIELD_ORDER.indexOf("hash") > FIELD_ORDER.indexOf("lastUsed")) throw new Error("hash must precede lastUsed");

/**
 * Every token's hash with where its lastUsed value is. The keys cannot occur
 * inside a value: a JSON string escapes every quote it holds, and both keys
 * hold a quote right after a letter.
 */
function* tokensIn(bytes: Buffer): Generator<[hash: string, start: number, end: number]> {
  let at = bytes.indexOf(HASH_KEY);
  while (at !== -1) {
    const hashStart = at + HASH_KEY.length;
    const hash = bytes.toString("latin1", hashStart, hashStart + 64);
    const start = bytes.indexOf(LAST_USED_KEY, hashStart) + LAST_USED_KEY.length;
    // null, or a quoted instant (no quote inside it).
    const end = bytes[start] === 0x22 ? bytes.indexOf(0x22, start + 1) + 1 : start + 4;
    yield [hash, start, end];
    at = bytes.indexOf(HASH_KEY, end);
  }
}

async function build(now: number): Promise<CachedList> {
  const [row] = await database().query<{ version: string; horizon: string; nextExpiry: Date | null; body: string }>(
    FULL_LIST,
    [new Date(now)],
  );
  const blocks = row!.body === "" ? [] : row!.body.split(BLOCK_SEPARATOR).map((text) => ({ bytes: Buffer.from(text) }));
  const blockOf = new Map<string, number>();
  blocks.forEach((block, index) => {
    for (const [hash] of tokensIn(block.bytes)) blockOf.set(hash, index);
  });
  const list: CachedList = {
    version: row!.version,
    horizon: row!.horizon,
    staleAt: row!.nextExpiry ? row!.nextExpiry.getTime() : Infinity,
    blocks,
    blockOf,
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

async function currentList(now: number): Promise<CachedList> {
  const copy = cached;
  if (copy && now < copy.staleAt) {
    const [row] = await database().query<{ version: string; horizon: string; uses: string }>(USES_SINCE, [
      copy.horizon,
    ]);
    if (row!.version === copy.version) {
      const updated = withUses(copy, JSON.parse(row!.uses) as [string, string][], row!.horizon);
      if (updated) {
        keepIfNewer(updated);
        return updated;
      }
    }
    return rebuild(row!.version, now);
  }
  const [row] = await database().query<{ version: string }>(VERSION);
  return rebuild(row!.version, now);
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

/** The list with these lastUsed values written in; undefined when a token is not in it (then it is rebuilt). */
function withUses(list: CachedList, uses: [string, string][], horizon: string): CachedList | undefined {
  let blocks: Block[] | undefined;
  const changes = new Map<number, { start: number; end: number; value: Buffer }[]>();
  for (const [hash, text] of uses) {
    const index = list.blockOf.get(hash);
    if (index === undefined) return undefined;
    const block = list.blocks[index]!;
    block.slots ??= new Map([...tokensIn(block.bytes)].map(([h, start, end]) => [h, { start, end }]));
    const slot = block.slots.get(hash)!;
    const value = Buffer.from(text, "latin1"); // an instant or null: ASCII
    if (value.equals(block.bytes.subarray(slot.start, slot.end))) continue;
    const pending = changes.get(index) ?? [];
    pending.push({ ...slot, value });
    changes.set(index, pending);
  }
  if (changes.size > 0) {
    blocks = [...list.blocks];
    for (const [index, pending] of changes) {
      const bytes = list.blocks[index]!.bytes;
      pending.sort((a, b) => a.start - b.start);
      const pieces: Buffer[] = [];
      let position = 0;
      for (const change of pending) {
        pieces.push(bytes.subarray(position, change.start), change.value);
        position = change.end;
      }
      pieces.push(bytes.subarray(position));
      blocks[index] = { bytes: Buffer.concat(pieces) };
    }
  }
  return blocks ? { ...list, horizon, blocks, whole: undefined } : { ...list, horizon };
}

const OPEN = Buffer.from("[");
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]");

/** Every application token, oldest first, as the JSON text of a TokenResponse[]. */
export async function tokenListJson(now = Date.now()): Promise<Buffer> {
  const list = await currentList(now);
  if (!list.whole) {
    const chunks: Buffer[] = [OPEN];
    list.blocks.forEach((block, index) => {
      if (index > 0) chunks.push(COMMA);
      chunks.push(block.bytes);
    });
    chunks.push(CLOSE);
    // Kept on this copy: the next requests until a change send it as it is.
    list.whole = Buffer.concat(chunks);
  }
  return list.whole;
}
