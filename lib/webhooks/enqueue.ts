import "server-only";
import type { Prisma } from "../generated/prisma/client.ts";
import type { WebhookEvent } from "./events.ts";

// The outbox's writer (issue 19). A change that webhooks report (a token
// revoked or rotated) stores its messages with the transaction client it made
// the change with: the change and its notifications commit together or not at
// all, and a crash after the commit loses nothing, since any instance's
// dispatcher (lib/webhooks/dispatcher.ts) finds the stored message and sends
// it. One row per subscribed endpoint, enabled or not (a disabled endpoint's
// messages wait, and are sent once it is enabled again: nothing is lost while
// it is off); the dedupe key makes a second insert of the same event for the
// same endpoint a no-op.

type Sql = Pick<Prisma.TransactionClient, "$executeRaw">;

export interface OutboxEvent {
  /** What makes the event once per endpoint: "token.revoked:<hash>", "token.expiring:<hash>:7". */
  key: string;
  /** The body's data object: non-secret facts only (a hash, a name, a role, instants). */
  data: Record<string, unknown>;
}

/** Stores type's events for every endpoint subscribed to it; returns the rows written. */
export async function enqueueWebhooks(sql: Sql, type: WebhookEvent, events: OutboxEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  return sql.$executeRaw`
    INSERT INTO webhook_messages (id, endpoint_id, type, dedupe_key, payload, next_attempt_at)
    SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.id, ${type}, ev.key,
           json_build_object('type', ${type}::text, 'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', ev.data)::text,
           now()
    FROM webhook_endpoints e
    CROSS JOIN jsonb_to_recordset(${JSON.stringify(events)}::jsonb) AS ev(key text, data jsonb)
    WHERE ${type} = ANY(e.events)
    ON CONFLICT (endpoint_id, dedupe_key) DO NOTHING`;
}
