import { z } from "zod";
import { instant, isoDateParam } from "./instant.ts";

// GET /api/tokens/{hash}/usage and GET /api/tokens/usage: requests and refused attempts per token per hour.

/** The longest range one answer covers. */
export const MAX_USAGE_DAYS = 90;

const when = isoDateParam;

export const usageQuery = z.strictObject({
  /** From this instant (its hour); default 7 days before `to`. */
  from: when("from").optional(),
  /** Until this instant (exclusive); default now. */
  to: when("to").optional(),
});
export type UsageQuery = z.infer<typeof usageQuery>;

export const usageSummaryQuery = z.strictObject({
  days: z
    .string()
    .regex(/^\d{1,2}$/, "days must be an integer from 1 to 31")
    .transform(Number)
    .refine((value) => value >= 1 && value <= 31, "days must be an integer from 1 to 31")
    .optional(),
});

const hourRow = z.strictObject({ hour: instant, requests: z.number().int(), refused: z.number().int() });

export const tokenUsageResponse = z.strictObject({
  hash: z.string(),
  from: instant,
  to: instant,
  /** Hours with any request or refusal, oldest first. */
  hours: z.array(hourRow),
  totals: z.strictObject({ requests: z.number().int(), refused: z.number().int() }),
  /** The addresses the token was most recently used from, newest first (at most 5). */
  addresses: z.array(z.strictObject({ address: z.string(), lastSeen: instant })),
});
export type TokenUsage = z.output<typeof tokenUsageResponse>;

export const usageSummaryResponse = z.strictObject({
  /** The days (UTC), oldest first; each token's arrays follow them. */
  days: z.array(z.string()),
  tokens: z.array(
    z.strictObject({ hash: z.string(), requests: z.array(z.number().int()), refused: z.array(z.number().int()) }),
  ),
});
export type UsageSummary = z.output<typeof usageSummaryResponse>;
