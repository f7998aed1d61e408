import "server-only";
import { createCommands, markOf, type ClientSpec, type RoleSpec } from "./broker-model.ts";
import { DynsecCommandError, type Dynsec } from "./dynsec.ts";

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
