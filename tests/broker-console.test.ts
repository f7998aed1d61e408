// Engine-independent: the Broker console pages and their role guard; the database only authenticates.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { MESSAGES } from "../lib/api/error-codes.ts";
import { engine } from "./helpers/database.ts";
import { api, setUpFileInstance, tessera } from "./helpers/file-instance.ts";
import { createUsers, sessionCookie } from "./helpers/users.ts";

// The console's Broker tab on a server with no broker (TESSERA_MQTT_URL unset): every view is there for the roles
// that may use it and says how to configure a broker instead of its list or figures; the role guard still answers
// 403 first. (With a broker, e2e/ui/broker*.spec.ts drive the views in Chromium.)

setUpFileInstance();

const VIEWS = ["/broker", "/broker/clients", "/broker/roles", "/broker/groups"];
let editor: string;
let monitor: string;

describe(`the Broker tab without a broker on ${engine}`, () => {
  // Inside the suite: after the file's instance has started (the root hook).
  before(async () => {
    const passwords = await createUsers(tessera, [
      ["broker-editor", "editor"],
      ["broker-monitor", "monitoringViewer"],
    ]);
    editor = await sessionCookie(tessera.url, "broker-editor", passwords["broker-editor"]!);
    monitor = await sessionCookie(tessera.url, "broker-monitor", passwords["broker-monitor"]!);
  });

  test("every Broker view answers 200 with the sentence that says how to configure a broker, and no list", async () => {
    for (const path of VIEWS) {
      const page = await api(path, { headers: { cookie: editor } });
      assert.equal(page.status, 200, path);
      const html = String(page.body);
      assert.ok(html.includes(`${MESSAGES.brokerNotConfigured}.`), `${path} says how to configure a broker`);
      assert.ok(html.includes('data-testid="no-broker"'), path);
      // Neither the status panel nor a list's view (their headings' ids) is rendered.
      for (const part of ['broker-status"', "broker-clients-heading", "broker-roles-heading", "broker-groups-heading"])
        assert.ok(!html.includes(part), `${path} has no ${part}`);
      assert.ok(html.includes('href="/broker"'), `${path}: the main menu leads to the Broker tab`);
    }
  });

  test("the role guard comes first: a monitoringViewer gets 403 from the lists and the status view", async () => {
    for (const path of VIEWS.slice(1)) {
      const page = await api(path, { headers: { cookie: monitor } });
      assert.equal(page.status, 403, path);
      assert.ok(!String(page.body).includes(MESSAGES.brokerNotConfigured), path);
    }
    const status = await api("/broker", { headers: { cookie: monitor } });
    assert.equal(status.status, 200);
    assert.ok(String(status.body).includes(`${MESSAGES.brokerNotConfigured}.`));
  });

  test("the API the views call says the same: 404 with that sentence", async () => {
    const answer = await api("/api/broker/clients", { headers: { cookie: editor } });
    assert.equal(answer.status, 404);
    assert.equal(answer.body, MESSAGES.brokerNotConfigured);
  });
});
