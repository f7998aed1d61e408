import "server-only";
import { auditRow, SYSTEM_ACTOR } from "../audit/record.ts";
import { backgroundQuery } from "../db/background-query.ts";
import { prismaCode } from "../db/errors.ts";
import { db } from "../db.ts";
import type { Env } from "../env.ts";
import { log } from "../log.ts";
import { onShutdown } from "../shutdown-hooks.ts";
import { deliver, type DeliveryOutcome } from "./deliver.ts";
import { openSecret, signMessage } from "./secret.ts";

// The outbox's sender (issue 19), run by every worker (lib/worker/start-worker.ts): each instance looks for due
// messages every TESSERA_WEBHOOK_POLL_SECONDS and claims a batch with FOR UPDATE SKIP LOCKED, pushing the batch's
// next_attempt_at a lease ahead, so two instances never send one message at the same time and a message whose
// sender died (kill -9 mid-request) is due again once its lease ends: at least once, never lost. Receivers tell a
// retry by its webhook-id, the same on every attempt. A failure is retried after the next wait of
// TESSERA_WEBHOOK_RETRY_SECONDS; after the last, the message is failed. An endpoint that has failed without one
// success for TESSERA_WEBHOOK_DISABLE_AFTER_DAYS is disabled, with a webhook.disabled audit row in the same
// transaction. The same tick stores token.expiring and token.expired messages (scanExpiries): each is one
// INSERT ... ON CONFLICT DO NOTHING, so any number of instances scanning at once store each event once per
// endpoint and threshold (NOT EXISTS skips, through the unique index, what is stored already: a scan that finds
// nothing new writes nothing). The claim and the scans are background statements (not counted as request work).

const BATCH = 10;

const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return "(not a URL)";
  }
};
/** A claimed message's lease beyond the attempt's own timeout. */
const LEASE_SLACK_SECONDS = 30;
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

type Settings = Pick<
  Env,
  | "NEXTAUTH_SECRET"
  | "TESSERA_WEBHOOK_ALLOW_PRIVATE"
  | "TESSERA_WEBHOOK_TIMEOUT_SECONDS"
  | "TESSERA_WEBHOOK_RETRY_SECONDS"
  | "TESSERA_WEBHOOK_DISABLE_AFTER_DAYS"
  | "TESSERA_WEBHOOK_POLL_SECONDS"
>;

/** Stores the token.expiring and token.expired messages now due; returns how many it stored. */
export async function scanExpiries(): Promise<number> {
  const expiring = await backgroundQuery(
    `INSERT INTO webhook_messages (id, endpoint_id, type, dedupe_key, payload, next_attempt_at)
     SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.id, 'token.expiring',
            'token.expiring:' || t.hash || ':' || d.days,
            json_build_object('type', 'token.expiring', 'timestamp', to_char(now() AT TIME ZONE 'UTC', ${ISO}),
              'data', json_build_object('hash', t.hash, 'name', t.name, 'role', t.role::text,
                'expiresAt', to_char(t.valid_until AT TIME ZONE 'UTC', ${ISO}), 'daysBefore', d.days))::text,
            now()
     FROM webhook_endpoints e
     JOIN application_tokens t ON t.valid_until > now() AND t.replaced_by IS NULL AND t.device_id IS NULL
     CROSS JOIN LATERAL (SELECT min(x) AS days FROM unnest(e.expiring_days) AS x
                         WHERE t.valid_until <= now() + make_interval(days => x)) d
     WHERE 'token.expiring' = ANY(e.events) AND d.days IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM webhook_messages m
                       WHERE m.endpoint_id = e.id AND m.dedupe_key = 'token.expiring:' || t.hash || ':' || d.days)
     ON CONFLICT (endpoint_id, dedupe_key) DO NOTHING
     RETURNING 1`,
    [],
  );
  // Expired since the endpoint exists, and within a week: an endpoint registered today hears nothing of last
  // year's tokens, and the window outlives any outage of the scan.
  const expired = await backgroundQuery(
    `INSERT INTO webhook_messages (id, endpoint_id, type, dedupe_key, payload, next_attempt_at)
     SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.id, 'token.expired', 'token.expired:' || t.hash,
            json_build_object('type', 'token.expired', 'timestamp', to_char(now() AT TIME ZONE 'UTC', ${ISO}),
              'data', json_build_object('hash', t.hash, 'name', t.name, 'role', t.role::text,
                'expiredAt', to_char(t.valid_until AT TIME ZONE 'UTC', ${ISO})))::text,
            now()
     FROM webhook_endpoints e
     JOIN application_tokens t ON t.valid_until <= now() AND t.valid_until > greatest(e.created_at, now() - interval '7 days')
                               AND t.replaced_by IS NULL AND t.device_id IS NULL
     WHERE 'token.expired' = ANY(e.events)
       AND NOT EXISTS (SELECT 1 FROM webhook_messages m
                       WHERE m.endpoint_id = e.id AND m.dedupe_key = 'token.expired:' || t.hash)
     ON CONFLICT (endpoint_id, dedupe_key) DO NOTHING
     RETURNING 1`,
    [],
  );
  return expiring.length + expired.length;
}

interface Claimed {
  id: string;
  endpoint_id: string;
  payload: string;
  attempts: number;
  url: string;
  secret_enc: string;
}

/** Claims up to BATCH due messages of enabled endpoints for this instance, for a lease. */
async function claim(leaseSeconds: number): Promise<Claimed[]> {
  return (await backgroundQuery(
    `UPDATE webhook_messages m
     SET attempts = m.attempts + 1, last_attempt_at = now(), next_attempt_at = now() + make_interval(secs => $1)
     FROM webhook_endpoints e
     WHERE e.id = m.endpoint_id AND m.id IN (
       SELECT m2.id FROM webhook_messages m2 JOIN webhook_endpoints e2 ON e2.id = m2.endpoint_id
       WHERE m2.status = 'pending' AND m2.next_attempt_at <= now() AND e2.enabled
       ORDER BY m2.next_attempt_at LIMIT $2
       FOR UPDATE OF m2 SKIP LOCKED)
     RETURNING m.id, m.endpoint_id, m.payload, m.attempts, e.url, e.secret_enc`,
    [leaseSeconds, BATCH],
  )) as unknown as Claimed[];
}

/** Sends one claimed message and records the attempt. */
async function send(message: Claimed, settings: Settings): Promise<DeliveryOutcome> {
  let outcome: DeliveryOutcome;
  try {
    const secret = openSecret(message.secret_enc, message.endpoint_id, settings.NEXTAUTH_SECRET!);
    const timestamp = Math.floor(Date.now() / 1000);
    outcome = await deliver(
      message.url,
      {
        "content-type": "application/json",
        "user-agent": "Tessera-Webhooks/1",
        "webhook-id": message.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signMessage(secret, message.id, timestamp, message.payload),
      },
      message.payload,
      {
        allowPrivate: settings.TESSERA_WEBHOOK_ALLOW_PRIVATE,
        timeoutMs: settings.TESSERA_WEBHOOK_TIMEOUT_SECONDS * 1000,
      },
    );
  } catch (error) {
    outcome = { ok: false, statusCode: null, error: (error as Error).message.slice(0, 300), durationMs: 0 };
  }
  try {
    await record(message, outcome, settings);
  } catch (error) {
    // The endpoint was deleted while its message was in flight: its messages and log went with it.
    if (prismaCode(error) !== "P2003") throw error;
  }
  return outcome;
}

/** The attempt's row, the message's new state, and the endpoint's: one transaction. */
async function record(message: Claimed, outcome: DeliveryOutcome, settings: Settings): Promise<void> {
  const waits = settings.TESSERA_WEBHOOK_RETRY_SECONDS;
  const wait = waits[message.attempts - 1];
  await db().$transaction(async (tx) => {
    await tx.webhookAttempt.create({
      data: {
        messageId: message.id,
        endpointId: message.endpoint_id,
        attempt: message.attempts,
        statusCode: outcome.statusCode,
        error: outcome.error,
        durationMs: outcome.durationMs,
      },
    });
    // Only while the claim is still this one's (attempts unchanged): a late answer never overwrites a newer claim.
    const mine = { id: message.id, attempts: message.attempts, status: "pending" };
    if (outcome.ok) {
      await tx.webhookMessage.updateMany({
        where: mine,
        data: { status: "delivered", deliveredAt: new Date(), nextAttemptAt: null, lastStatus: outcome.statusCode },
      });
      await tx.webhookEndpoint.updateMany({
        where: { id: message.endpoint_id, failingSince: { not: null } },
        data: { failingSince: null },
      });
      return;
    }
    // The next wait after this attempt; none left: failed for good.
    if (wait === undefined)
      await tx.webhookMessage.updateMany({
        where: mine,
        data: { status: "failed", nextAttemptAt: null, lastStatus: outcome.statusCode },
      });
    else
      await tx.$executeRaw`
        UPDATE webhook_messages SET last_status = ${outcome.statusCode}, next_attempt_at = now() + make_interval(secs => ${wait})
        WHERE id = ${message.id} AND attempts = ${message.attempts} AND status = 'pending'`;
    const [endpoint] = await tx.$queryRaw<{ failing_for_days: number; enabled: boolean }[]>`
      UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now())
      WHERE id = ${message.endpoint_id}
      RETURNING extract(epoch FROM now() - failing_since) / 86400 AS failing_for_days, enabled`;
    if (endpoint?.enabled && Number(endpoint.failing_for_days) >= settings.TESSERA_WEBHOOK_DISABLE_AFTER_DAYS) {
      const reason = `disabled after failing for ${settings.TESSERA_WEBHOOK_DISABLE_AFTER_DAYS} days without a delivery`;
      await tx.webhookEndpoint.update({
        where: { id: message.endpoint_id },
        data: { enabled: false, disabledReason: reason, updatedAt: new Date() },
      });
      await tx.auditEvent.create({
        data: auditRow(SYSTEM_ACTOR, "webhook.disabled", {
          target: message.endpoint_id,
          // The origin, not the url: a receiver's key is often in its path or query (README, Webhooks).
          details: { origin: originOf(message.url), reason, lastError: outcome.error ?? `HTTP ${outcome.statusCode}` },
        }),
      });
      log.warn(`webhook endpoint ${message.endpoint_id} ${reason}`);
    }
  });
}

/** One pass: store due expiry events, then send every due message, a batch at a time. Returns the attempts made. */
export async function dispatchOnce(settings: Settings): Promise<number> {
  await scanExpiries();
  const lease = settings.TESSERA_WEBHOOK_TIMEOUT_SECONDS + LEASE_SLACK_SECONDS;
  let attempts = 0;
  for (let batch = 0; batch < 10; batch++) {
    const claimed = await claim(lease);
    if (claimed.length === 0) break;
    await Promise.all(claimed.map((message) => send(message, settings)));
    attempts += claimed.length;
  }
  return attempts;
}

const holder = globalThis as unknown as { tesseraWebhookNudge?: () => void };

/** Asks this process's dispatcher to run soon (after a change stored messages); a no-op where none runs. */
export function nudgeWebhooks(): void {
  holder.tesseraWebhookNudge?.();
}

export interface WebhookDispatcher {
  stop(): Promise<void>;
}

/** Runs dispatchOnce now and every TESSERA_WEBHOOK_POLL_SECONDS, and soon after a nudge; one pass at a time. */
export function startWebhookDispatcher(settings: Settings): WebhookDispatcher {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = dispatchOnce(settings)
      .then(() => undefined)
      // The message only: an expected outage (the database down) is no stack trace in the log.
      .catch((error: unknown) => log.warn("webhook dispatch failed; it runs again later", (error as Error)?.message))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          setImmediate(tick);
        }
      });
  };
  const timer = setInterval(tick, settings.TESSERA_WEBHOOK_POLL_SECONDS * 1000).unref();
  holder.tesseraWebhookNudge = () => setImmediate(tick);
  setImmediate(tick);
  const stop = async () => {
    stopped = true;
    clearInterval(timer);
    holder.tesseraWebhookNudge = undefined;
    await running; // an attempt in flight ends within its timeout and is recorded
  };
  onShutdown(stop);
  return { stop };
}
