import { z } from "zod";
import {
  createdWebhookResponse,
  createWebhookSchema,
  deliveriesPageResponse,
  deliveriesQuery,
  updateWebhookSchema,
  webhookResponse,
} from "../schemas/webhooks.ts";
import type { Route } from "./operations.ts";

// Webhook endpoints (issue 19) for the OpenAPI document.

const notFound = "No endpoint has this id";

export const WEBHOOK_OPERATIONS: Record<string, Route> = {
  "/api/webhooks": {
    tag: "webhooks",
    operations: {
      get: {
        summary: "The webhook endpoints, with how many messages each has waiting",
        ok: { json: z.array(webhookResponse), description: "Every endpoint, oldest first" },
      },
      post: {
        summary: "Register an endpoint; its whsec_ signing secret is shown in this answer only",
        description:
          "Messages follow Standard Webhooks: POST of JSON {type, timestamp, data} with webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256 over id.timestamp.body). The url must resolve to public addresses only unless TESSERA_WEBHOOK_ALLOW_PRIVATE=true.",
        body: createWebhookSchema,
        ok: { json: createdWebhookResponse, description: "The endpoint and its secret" },
        errors: {
          400: "The first problem with the body; or a url that points to a non-public address or does not resolve",
          409: "The endpoint limit is reached",
        },
      },
    },
  },
  "/api/webhooks/[id]": {
    tag: "webhooks",
    operations: {
      get: {
        summary: "One endpoint",
        ok: { json: webhookResponse, description: "The endpoint" },
        errors: { 404: notFound },
      },
      patch: {
        summary: "Change an endpoint's url, description, events or thresholds; enable or disable it",
        body: updateWebhookSchema,
        ok: { json: webhookResponse, description: "The endpoint after the change" },
        errors: { 400: "The first problem with the body", 404: notFound },
      },
      delete: {
        summary: "Delete an endpoint with its stored messages and delivery log",
        ok: { json: z.strictObject({ id: z.string(), deleted: z.literal(true) }), description: "Deleted" },
        errors: { 404: notFound },
      },
    },
  },
  "/api/webhooks/[id]/deliveries": {
    tag: "webhooks",
    operations: {
      get: {
        summary: "The endpoint's delivery log: every attempt, newest first, with the status code or the error",
        query: deliveriesQuery,
        ok: { json: deliveriesPageResponse, description: "One page of attempts" },
        errors: { 400: "limit or cursor malformed, or a malformed id", 404: notFound },
      },
    },
  },
  "/api/webhooks/[id]/test": {
    tag: "webhooks",
    operations: {
      post: {
        summary: "Send the endpoint a webhook.test message, signed, retried and logged like any other",
        ok: { json: z.strictObject({ messageId: z.string() }), description: "The message's webhook-id" },
        errors: { 404: notFound },
      },
    },
  },
};
