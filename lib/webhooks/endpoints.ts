import "server-only";
import { randomUUID } from "node:crypto";
import { ApiError, fieldError } from "../api/errors.ts";
import { auditRow, type AuditActor } from "../audit/record.ts";
import { db } from "../db.ts";
import type { Env } from "../env.ts";
import {
  createdWebhookResponse,
  deliveriesPageResponse,
  MAX_WEBHOOK_ENDPOINTS,
  webhookResponse,
  type CreateWebhook,
  type DeliveriesQuery,
  type UpdateWebhook,
  type WebhookResponse,
} from "../schemas/webhooks.ts";
import { urlRefusal } from "./address-guard.ts";
import { nudgeWebhooks } from "./dispatcher.ts";
import { TEST_EVENT } from "./events.ts";
import { newWebhookSecret, sealSecret } from "./secret.ts";

// Webhook endpoints (issue 19): registered, listed, changed and deleted by
// admins (/api/webhooks, the console's Webhooks tab), each change with its
// audit row in the same transaction. An endpoint's URL can itself be a secret
// (many receivers put their key in the path), so audit rows record its origin
// only. The signing secret is shown once, in the create's answer.

type Settings = Pick<Env, "NEXTAUTH_SECRET" | "TESSERA_WEBHOOK_ALLOW_PRIVATE">;

const COLUMNS = {
  id: true,
  url: true,
  description: true,
  events: true,
  expiringDays: true,
  enabled: true,
  disabledReason: true,
  failingSince: true,
  createdAt: true,
  createdBy: true,
} as const;

const notFound = () => new ApiError("not_found", "Webhook endpoint not found");
const origin = (url: string) => new URL(url).origin;

async function assertReachable(url: string, settings: Settings): Promise<void> {
  const refusal = await urlRefusal(new URL(url), settings.TESSERA_WEBHOOK_ALLOW_PRIVATE);
  if (refusal) throw fieldError("bad_request", "url", refusal);
}

async function withPending<T extends { id: string }>(rows: T[]): Promise<(T & { pending: number })[]> {
  const counts = await db().webhookMessage.groupBy({
    by: ["endpointId"],
    where: { endpointId: { in: rows.map((row) => row.id) }, status: "pending" },
    _count: { _all: true },
  });
  const pending = new Map(counts.map((row) => [row.endpointId, row._count._all]));
  return rows.map((row) => ({ ...row, pending: pending.get(row.id) ?? 0 }));
}

export async function listWebhooks(): Promise<WebhookResponse[]> {
  const rows = await db().webhookEndpoint.findMany({ select: COLUMNS, orderBy: { createdAt: "asc" } });
  return (await withPending(rows)).map((row) => webhookResponse.parse(row));
}

export async function getWebhook(id: string): Promise<WebhookResponse> {
  const row = await db().webhookEndpoint.findUnique({ where: { id }, select: COLUMNS });
  if (!row) throw notFound();
  return webhookResponse.parse((await withPending([row]))[0]);
}

export async function createWebhook(who: AuditActor, input: CreateWebhook, settings: Settings) {
  await assertReachable(input.url, settings);
  const id = `ep_${randomUUID().replaceAll("-", "")}`;
  const secret = newWebhookSecret();
  const row = await db().$transaction(async (tx) => {
    // Creates take turns (a lock held to the commit): of concurrent ones past the limit, none gets through.
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext('tessera:webhook_endpoints'))::text`;
    if ((await tx.webhookEndpoint.count()) >= MAX_WEBHOOK_ENDPOINTS)
      throw new ApiError("conflict", `At most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints; delete one first`);
    const created = await tx.webhookEndpoint.create({
      data: {
        id,
        url: input.url,
        description: input.description,
        events: input.events,
        expiringDays: input.expiringDays,
        secretEnc: sealSecret(secret, id, settings.NEXTAUTH_SECRET!),
        createdBy: who.label,
      },
      select: COLUMNS,
    });
    await tx.auditEvent.create({
      data: auditRow(who, "webhook.created", {
        target: id,
        details: { origin: origin(input.url), events: input.events, expiringDays: input.expiringDays },
      }),
    });
    return created;
  });
  return createdWebhookResponse.parse({ ...row, pending: 0, secret });
}

export async function updateWebhook(id: string, input: UpdateWebhook, who: AuditActor, settings: Settings) {
  if (input.url !== undefined) await assertReachable(input.url, settings);
  const updated = await db().$transaction(async (tx) => {
    const changed = await tx.webhookEndpoint.updateMany({
      where: { id },
      data: {
        ...(input.url !== undefined ? { url: input.url } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.events !== undefined ? { events: input.events } : {}),
        ...(input.expiringDays !== undefined ? { expiringDays: input.expiringDays } : {}),
        // Enabled again: its failure record starts over; disabled by hand: the reason says so.
        ...(input.enabled === true ? { enabled: true, disabledReason: null, failingSince: null } : {}),
        ...(input.enabled === false
          ? { enabled: false, disabledReason: `disabled by ${who.label}`.slice(0, 300) }
          : {}),
        updatedAt: new Date(),
      },
    });
    if (changed.count === 0) return null;
    await tx.auditEvent.create({
      data: auditRow(who, "webhook.updated", {
        target: id,
        details: {
          ...(input.url !== undefined ? { origin: origin(input.url) } : {}),
          ...(input.events !== undefined ? { events: input.events } : {}),
          ...(input.expiringDays !== undefined ? { expiringDays: input.expiringDays } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
          ...(input.description !== undefined ? { description: true } : {}),
        },
      }),
    });
    return true;
  });
  if (!updated) throw notFound();
  if (input.enabled) nudgeWebhooks(); // what waited while it was disabled goes now
  return getWebhook(id);
}

export async function deleteWebhook(id: string, who: AuditActor): Promise<{ id: string; deleted: true }> {
  const gone = await db().$transaction(async (tx) => {
    // RETURNING: of two concurrent deletes, the one that deleted the row audits it.
    const rows = await tx.$queryRaw<{ url: string }[]>`DELETE FROM webhook_endpoints WHERE id = ${id} RETURNING url`;
    if (rows.length === 0) return false;
    await tx.auditEvent.create({
      data: auditRow(who, "webhook.deleted", { target: id, details: { origin: origin(rows[0]!.url) } }),
    });
    return true;
  });
  if (!gone) throw notFound();
  return { id, deleted: true };
}

/** Stores a webhook.test message for this endpoint alone, sent like any other (signed, retried, logged). */
export async function sendTestEvent(id: string): Promise<{ messageId: string }> {
  const endpoint = await db().webhookEndpoint.findUnique({ where: { id }, select: { id: true } });
  if (!endpoint) throw notFound();
  const messageId = `msg_${randomUUID().replaceAll("-", "")}`;
  await db().webhookMessage.create({
    data: {
      id: messageId,
      endpointId: id,
      type: TEST_EVENT,
      dedupeKey: `${TEST_EVENT}:${messageId}`,
      payload: JSON.stringify({ type: TEST_EVENT, timestamp: new Date().toISOString(), data: { endpointId: id } }),
      nextAttemptAt: new Date(),
    },
  });
  nudgeWebhooks();
  return { messageId };
}

const DEFAULT_PAGE = 50;

/** The endpoint's delivery log, newest attempt first, paged by id. */
export async function listDeliveries(id: string, query: DeliveriesQuery) {
  const endpoint = await db().webhookEndpoint.findUnique({ where: { id }, select: { id: true } });
  if (!endpoint) throw notFound();
  const limit = query.limit ?? DEFAULT_PAGE;
  const rows = await db().webhookAttempt.findMany({
    where: { endpointId: id, ...(query.cursor ? { id: { lt: BigInt(query.cursor) } } : {}) },
    orderBy: { id: "desc" },
    take: limit + 1,
    include: { message: { select: { type: true, status: true } } },
  });
  const page = rows.slice(0, limit);
  return deliveriesPageResponse.parse({
    deliveries: page.map((row) => ({
      id: row.id.toString(),
      messageId: row.messageId,
      type: row.message.type,
      attempt: row.attempt,
      at: row.at,
      statusCode: row.statusCode,
      error: row.error,
      durationMs: row.durationMs,
      messageStatus: row.message.status,
    })),
    nextCursor: rows.length > limit ? page.at(-1)!.id.toString() : null,
  });
}
