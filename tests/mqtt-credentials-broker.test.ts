// Engine-independent: MQTT credentials against a real broker that stops, restarts and refuses; the rows behind them are mqtt-credentials.test.ts's and the cluster suite's on PostgreSQL.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { closedWithin } from "./helpers/broker.ts";
import { engine } from "./helpers/database.ts";
import { brokerAdmin } from "./helpers/mqtt.ts";
import { api, connect, created, email, mint, refused } from "./helpers/mqtt-credentials.ts";
import { broker, manager, setUpCredentialsFixture, tessera } from "./helpers/mqtt-credentials.ts";
import { sleep, sleepUntil } from "./helpers/wait.ts";

// Short-lived MQTT credentials when the broker goes away, and at expiry:
// disabled at expires_at, deleted TESSERA_MQTT_DELETE_AFTER_SECONDS (4 s
// here) later, across a restart, with foreign broker clients left alone.

setUpCredentialsFixture();

describe(`MQTT credentials on Mosquitto, outages and expiry ${engine === "postgres" ? "(PostgreSQL)" : "(embedded)"}`, () => {
  test("broker down: 503 with a clear sentence, and nothing is created", async () => {
    const count = async () => ((await api("/api/mqtt/tokens", { token: manager })).body as unknown[]).length;
    const before = await count();
    await broker.restart(async () => {
      const response = await mint({ user_email: email() });
      assert.equal(response.status, 503);
      assert.equal(response.body, "The MQTT broker is unavailable; nothing was changed, try again later");
      assert.equal(response.headers.get("retry-after"), "5");
    });
    assert.equal(await count(), before, "no row was left behind");
    // Tessera reconnects on its own once the broker is back.
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await mint({ user_email: email() })).status;
      if (status !== 200) await sleep(250);
    }
    assert.equal(status, 200);
  });

  test("expiry: disabled at expires_at (connection closed) and later deleted, across a restart; foreign clients left alone", async () => {
    const foreign = brokerAdmin(broker);
    try {
      await foreign.run([
        {
          command: "createClient",
          username: "someone-else",
          password: "their-password-123",
          textname: "not Tessera's",
        },
        // Marked as Tessera's, unknown to its database and old: an orphan of a create that crashed.
        {
          command: "createClient",
          username: "orphan@org_tessera",
          password: "orphan-password-123",
          textname: "tessera mqtt credential 2020-01-01T00:00:00.000Z",
        },
      ]);
      const short = await created({ user_email: email(), ttl_seconds: 10 });
      const later = await created({ user_email: email(), ttl_seconds: 10 });
      const client = await connect(short.mqtt_credentials);
      const closed = closedWithin(client, 14_000);
      assert.ok(await closed, "disconnected at expiry");
      assert.ok(await refused(short.mqtt_credentials));
      const status = async (id: string) =>
        ((await api("/api/mqtt/tokens", { token: manager })).body as { token_id: string; status: string }[]).find(
          (item) => item.token_id === id,
        )?.status;
      // The row is marked at expiry, then the broker disables the client.
      let marked = await status(short.token_id);
      for (let i = 0; i < 30 && marked !== "disabled"; i++) {
        await sleep(100);
        marked = await status(short.token_id);
      }
      assert.equal(marked, "disabled");

      // A restart while `later` is already disabled and due for deletion (4 s after its expiry): the new process deletes it.
      await tessera.restart({}, () => sleepUntil(Date.parse(later.expires_at) + 4_000 + 500));
      let gone = false;
      for (let i = 0; i < 40 && !gone; i++) {
        gone = (await status(later.token_id)) === undefined && (await status(short.token_id)) === undefined;
        if (!gone) await sleep(250);
      }
      assert.ok(gone, "deleted TESSERA_MQTT_DELETE_AFTER_SECONDS after expiry, by the restarted server");
      // The rows go first, then the reconcile removes their broker clients.
      let usernames: string[] = [];
      for (let i = 0; i < 40; i++) {
        const [listed] = await foreign.run([{ command: "listClients" }]);
        usernames = (listed!.data!.clients as string[]) ?? [];
        if (
          !usernames.includes(short.mqtt_credentials.username) &&
          !usernames.includes(later.mqtt_credentials.username)
        )
          break;
        await sleep(250);
      }
      assert.ok(usernames.includes("someone-else"), "a client Tessera did not create is untouched");
      assert.ok(!usernames.includes("orphan@org_tessera"), "an orphan with Tessera's mark (no row) is removed");
      assert.ok(!usernames.includes(short.mqtt_credentials.username), "the expired client is removed from the broker");
      assert.ok(!usernames.includes(later.mqtt_credentials.username), "the expired client is removed from the broker");
      (await connect({ username: "someone-else", password: "their-password-123" })).end(true);
    } finally {
      await foreign.close();
    }
  });
});
