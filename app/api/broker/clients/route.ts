import { otherMethods } from "@/lib/api/method-not-allowed.ts";
import { withAuth } from "@/lib/auth/with-auth.ts";
import { createClient, listClients } from "@/lib/broker/clients.ts";
import { brokerContext } from "@/lib/broker/connection.ts";
import { createClientSchema, listQuery } from "@/lib/schemas/broker.ts";

// GET /api/broker/clients?limit=&offset= - one page of the broker's clients, each with managed_by
export const GET = withAuth(async ({ query }) => listClients(brokerContext(), query), { query: listQuery });

// POST /api/broker/clients - create a client; without a password one is generated and shown in this answer only
export const POST = withAuth(async ({ body }) => createClient(brokerContext(), body), { body: createClientSchema });

// Any other method - 405 with a sentence and Allow; OPTIONS - 204 with Allow
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
