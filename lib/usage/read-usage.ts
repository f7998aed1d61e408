import "server-only";
import { ApiError } from "../api/errors.ts";
import { db } from "../db.ts";
import {
  MAX_USAGE_DAYS,
  tokenUsageResponse,
  usageSummaryResponse,
  type TokenUsage,
  type UsageQuery,
  type UsageSummary,
} from "../schemas/usage.ts";
import { assertTokenHash } from "../tokens/get-token-or-throw.ts";
import { flushUsage } from "./usage-counter.ts";

const DAY_MS = 86_400_000;

/**
 * One token's usage per hour between from and to, its totals and its last addresses. This process's counts are
 * written first, so on one instance the answer includes every request answered before it; other instances' counts
 * arrive within their flush interval (lib/usage/usage-counter.ts). Usage outlives the token: a revoked token's
 * hash still answers, until the retention removes its rows.
 */
export async function tokenUsage(hash: string, query: UsageQuery, now = new Date()): Promise<TokenUsage> {
  assertTokenHash(hash);
  const to = query.to ?? now;
  const from = query.from ?? new Date(to.getTime() - 7 * DAY_MS);
  if (from.getTime() >= to.getTime()) throw new ApiError("bad_request", "from must be before to");
  if (to.getTime() - from.getTime() > MAX_USAGE_DAYS * DAY_MS)
    throw new ApiError("bad_request", `from and to must be at most ${MAX_USAGE_DAYS} days apart`);
  await flushUsage();
  const fromHour = new Date(Math.floor(from.getTime() / 3_600_000) * 3_600_000);
  const [hours, addresses] = await Promise.all([
    db().tokenUsage.findMany({
      where: { tokenHash: hash, hour: { gte: fromHour, lt: to } },
      orderBy: { hour: "asc" },
      select: { hour: true, requests: true, refused: true },
    }),
    db().tokenAddress.findMany({
      where: { tokenHash: hash },
      orderBy: [{ lastSeen: "desc" }, { address: "asc" }],
      take: 5,
      select: { address: true, lastSeen: true },
    }),
  ]);
  return tokenUsageResponse.parse({
    hash,
    from: fromHour,
    to,
    hours,
    totals: {
      requests: hours.reduce((sum, row) => sum + row.requests, 0),
      refused: hours.reduce((sum, row) => sum + row.refused, 0),
    },
    addresses,
  });
}

/** Every token's requests and refusals per day (UTC) for the last `days` days, today included: the list's charts. */
export async function usageSummary(days: number, now = new Date()): Promise<UsageSummary> {
  await flushUsage();
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const first = today - (days - 1) * DAY_MS;
  const rows = await db().$queryRaw<{ hash: string; day: number; requests: number; refused: number }[]>`
    SELECT token_hash AS hash, floor(extract(epoch FROM hour) / 86400)::int AS day,
           sum(requests)::int AS requests, sum(refused)::int AS refused
      FROM token_usage WHERE hour >= ${new Date(first)}
     GROUP BY 1, 2`;
  const byHash = new Map<string, { hash: string; requests: number[]; refused: number[] }>();
  for (const row of rows) {
    const index = row.day - first / DAY_MS;
    if (index < 0 || index >= days) continue;
    const entry = byHash.get(row.hash) ?? {
      hash: row.hash,
      requests: Array(days).fill(0),
      refused: Array(days).fill(0),
    };
    entry.requests[index] += row.requests;
    entry.refused[index] += row.refused;
    byHash.set(row.hash, entry);
  }
  return usageSummaryResponse.parse({
    days: Array.from({ length: days }, (_, i) => new Date(first + i * DAY_MS).toISOString().slice(0, 10)),
    tokens: [...byHash.values()],
  });
}
