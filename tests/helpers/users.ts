import assert from "node:assert/strict";
import { engine } from "./database.ts";
import type { Instance } from "./instance.ts";
import { signIn } from "./session.ts";

/**
 * Runs CLI commands against the instance's database: at once on PostgreSQL,
 * with the server stopped around them on the embedded one (its database is
 * one process's; the server comes back whatever the commands did). Answers
 * each command's exit code and output, in order.
 */
export async function cliBesideServer(
  instance: Instance,
  ...commands: string[][]
): Promise<{ code: number | null; output: string }[]> {
  const results: { code: number | null; output: string }[] = [];
  const run = async () => {
    for (const args of commands) results.push(await instance.cli(args));
  };
  if (engine === "postgres") await run();
  else await instance.restart({}, run);
  return results;
}

/** cliBesideServer, asserting every command exits 0; answers their outputs. */
export async function cli(instance: Instance, ...commands: string[][]): Promise<string[]> {
  const results = await cliBesideServer(instance, ...commands);
  results.forEach((result, i) =>
    assert.equal(result.code, 0, `tessera ${commands[i]!.join(" ")} failed:\n${result.output}`),
  );
  return results.map((result) => result.output);
}

/** Creates local accounts with the CLI; answers each one's generated password by username. */
export async function createUsers(instance: Instance, users: [name: string, role: string][]) {
  const outputs = await cli(instance, ...users.map(([name, role]) => ["users", "create", name, "--role", role]));
  return Object.fromEntries(users.map(([name], i) => [name, outputs[i]!.trim().split("\n")[0]!]));
}

/** Signs in with a local account over HTTP and answers the session cookie ("name=value"), asserting it worked. */
export async function sessionCookie(base: string, username: string, password: string): Promise<string> {
  const result = await signIn(base, username, password);
  assert.ok(result.cookie, `${username} could not sign in: ${result.error}`);
  return result.cookie!;
}
