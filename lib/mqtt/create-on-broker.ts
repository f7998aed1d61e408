import "server-only";
import { createCommands, markOf, type ClientSpec, type RoleSpec } from "./broker-model.ts";
import { BrokerUnavailableError, DynsecCommandError, type Dynsec } from "./dynsec.ts";

/** Why a change written before the broker was undone (the audit row of the undoing says it). */
export function brokerFailure(error: unknown): "broker_unavailable" | "broker_refused" {
  return error instanceof BrokerUnavailableError ? "broker_unavailable" : "broker_refused";
}

/**
 * Creates a role and its client on the broker. The row is already written,
 * so the reconcile may have created both a moment earlier, with the same
 * derived password: "already exists" is then success. A client that exists
 * without Tessera's mark belongs to someone else, and that is a refusal.
 */
export async function createOnBroker(
  connection: Dynsec,
  role: RoleSpec,
  client: ClientSpec,
  password: string,
): Promise<void> {
  const responses = await connection.run(createCommands(role, client, password), [/already exists/i]);
  const clientAnswer = responses.find((response) => response.command === "createClient");
  if (!clientAnswer?.error) return;
  const [existing] = await connection.run([{ command: "getClient", username: client.username }]);
  const found = existing?.data?.client as { textname?: string; clientid?: string } | undefined;
  if (markOf(found?.textname) === null || found?.textname !== client.textname || found?.clientid !== client.clientid) {
    throw new DynsecCommandError("createClient", clientAnswer.error);
  }
}
