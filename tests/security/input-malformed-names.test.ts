import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { admin, sendAsAdmin, tessera, tokenNames, setUpFileInstance } from "../helpers/file-instance.ts";
import { summary } from "../helpers/raw-http.ts";
import { securityReport } from "../helpers/report.ts";
import { routeFiles } from "../helpers/routes.ts";
import { inDays } from "../helpers/tokens.ts";
import { cliBesideServer } from "../helpers/users.ts";

// Issue 14, second round of an independent attack: malformed input that
// answered 500, and token names that look alike. Methods answered 405 with
// an empty body, a DELETE the seed says does nothing, and a data dir others
// could read: input-methods.test.ts.

const report = securityReport(import.meta.filename);
const suffix = String(process.pid % 10_000);

setUpFileInstance();
const send = sendAsAdmin;
const names = tokenNames;
const create = (name: string) =>
  admin("/api/tokens", { method: "POST", body: { name, role: "viewer", validUntil: inDays(1) } });
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

const PATH_ENCODING = "400 Malformed path: it is not valid percent-encoded UTF-8";
const CURSOR = "400 Malformed cursor: pass back the value of X-Next-Cursor unchanged";

describe("malformed input is a 400 with a sentence, never a 500", () => {
  test("cursors that decode to what PostgreSQL rejects", async () => {
    const cases: [string, unknown][] = [
      ['["0","x"] (a date JavaScript parses and PostgreSQL does not)', ["0", "x"]],
      ["a NUL in the name", ["2026-01-01T00:00:00.000Z", "a\u0000"]],
      ["year +275760 (beyond PostgreSQL's range)", ["+275760-09-13T00:00:00.000Z", "x"]],
      ["year 0000 (PostgreSQL has none)", ["0000-01-01T00:00:00.000Z", "x"]],
      ["a date without a zone", ["2026-01-01 00:00", "x"]],
      ["a name longer than any name", ["2026-01-01T00:00:00.000Z", "x".repeat(5000)]],
    ];
    for (const [label, value] of cases) {
      report.check(
        "Input: cursors",
        label,
        CURSOR,
        summary(await send("GET", `/api/tokens?limit=2&cursor=${cursorOf(value)}`)),
      );
    }
  });

  test("a token name with NUL", async () => {
    const answer = await send("POST", "/api/tokens", {
      body: { name: "rt\u0000admin", role: "viewer", validUntil: inDays(1) },
    });
    report.check(
      "Input: token names",
      "NUL inside the name",
      "400 name must not contain control or invisible characters",
      summary(answer),
    );
  });

  // Each route with a dynamic segment: requests ("METHOD path") with undecodable percent-encoding in the segment,
  // and with a NUL in it (the request and the answer expected).
  const DEVICE_ID = "400 Malformed device id: expected 1-64 of A-Z a-z 0-9 _ . -";
  const DYNAMIC: Record<string, { undecodable: string[]; nul: [string, string][] }> = {
    "/api/tokens/[hash]": {
      undecodable: ["GET /api/tokens/%", "DELETE /api/tokens/%", "GET /api/tokens/%C0%AF"],
      nul: [["GET /api/tokens/%00", "400 Malformed token hash: expected 64 lowercase hexadecimal characters"]],
    },
    // Rotate, disable and enable (issue 18): the same hash rule, whatever the action.
    ...Object.fromEntries(
      ["rotate", "disable", "enable"].map((action) => [
        `/api/tokens/[hash]/${action}`,
        {
          undecodable: [`POST /api/tokens/%/${action}`, `POST /api/tokens/%C0%AF/${action}`],
          nul: [
            [
              `POST /api/tokens/%00/${action}`,
              "400 Malformed token hash: expected 64 lowercase hexadecimal characters",
            ] as [string, string],
          ],
        },
      ]),
    ),
    // Usage (issue 19): GET, the same hash rule.
    "/api/tokens/[hash]/usage": {
      undecodable: ["GET /api/tokens/%/usage", "GET /api/tokens/%C0%AF/usage"],
      nul: [["GET /api/tokens/%00/usage", "400 Malformed token hash: expected 64 lowercase hexadecimal characters"]],
    },
    // Webhook endpoints (issue 19): ep_ and 32 hexadecimal characters.
    ...Object.fromEntries(
      [
        ["", "GET"],
        ["/deliveries", "GET"],
        ["/test", "POST"],
      ].map(([tail, method]) => [
        `/api/webhooks/[id]${tail}`,
        {
          undecodable: [`${method} /api/webhooks/%${tail}`, `${method} /api/webhooks/%C0%AF${tail}`],
          nul: [
            [
              `${method} /api/webhooks/%00${tail}`,
              "400 Malformed webhook endpoint id: expected ep_ and 32 hexadecimal characters",
            ] as [string, string],
          ],
        },
      ]),
    ),
    "/api/devices/[id]": {
      undecodable: ["DELETE /api/devices/%C0%AF", "DELETE /api/devices/%"],
      nul: [["DELETE /api/devices/%00", DEVICE_ID]],
    },
    "/api/devices/[id]/bridge-config": {
      undecodable: ["GET /api/devices/%/bridge-config", "GET /api/devices/%E0%A4%A/bridge-config"],
      nul: [["GET /api/devices/%00/bridge-config", DEVICE_ID]],
    },
    "/api/mqtt/tokens/[id]": {
      undecodable: ["DELETE /api/mqtt/tokens/%", "DELETE /api/mqtt/tokens/%FF"],
      nul: [["DELETE /api/mqtt/tokens/%00", "400 Malformed token_id: expected a UUID"]],
    },
    "/api/auth/[...nextauth]": { undecodable: ["GET /api/auth/%", "GET /api/auth/session/%C0%AF"], nul: [] },
    // The broker's routes: refused at the edge even without a broker; NUL in their names, with one:
    // tests/security/broker-authorization.test.ts.
    ...Object.fromEntries(
      routeFiles()
        .filter((route) => route.startsWith("/api/broker/") && route.includes("["))
        .map((route) => {
          const method = route.endsWith("/enable") || route.endsWith("/disable") ? "POST" : "DELETE";
          const first = route.replace(/\[[^\]]+\]/, "%C0%AF").replace(/\[[^\]]+\]/g, "x");
          const last = route.replace(/\[[^\]]+\](?!.*\[)/, "%").replace(/\[[^\]]+\]/g, "x");
          return [route, { undecodable: [`${method} ${first}`, `${method} ${last}`], nul: [] }];
        }),
    ),
  };
  /** Sends "METHOD path" (the path verbatim) as the admin. */
  const request = (line: string) => send(line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1));

  test("every route with a dynamic segment is covered here", () => {
    const dynamic = routeFiles().filter((route) => route.includes("["));
    assert.deepEqual(
      dynamic,
      Object.keys(DYNAMIC).sort(),
      "a new dynamic route needs its malformed-path cases in this file",
    );
  });

  test("undecodable percent-encoding in a route parameter", async () => {
    for (const [route, { undecodable }] of Object.entries(DYNAMIC)) {
      for (const line of undecodable)
        report.check("Input: path encoding", `${line} (${route})`, PATH_ENCODING, summary(await request(line)));
    }
    report.check(
      "Input: path encoding",
      "GET /api/tokens/% without credentials",
      PATH_ENCODING,
      summary(await send("GET", "/api/tokens/%", { token: null })),
    );
  });

  test("NUL in a route parameter", async () => {
    for (const { nul } of Object.values(DYNAMIC)) {
      for (const [line, expected] of nul)
        report.check("Input: path encoding", line, expected, summary(await request(line)));
    }
  });
});

describe("look-alike token names", () => {
  const base = `rt-admin${suffix}`;
  before(async () => {
    assert.equal((await create(base)).status, 200, `create ${base}`);
  });

  test("default-ignorable and invisible code points are refused", async () => {
    const before = await names();
    const cases: [string, string][] = [
      ["U+3164 HANGUL FILLER", "\u3164"],
      ["U+2800 BRAILLE PATTERN BLANK", "\u2800"],
      ["U+034F COMBINING GRAPHEME JOINER", "\u034F"],
      ["U+FE00 VARIATION SELECTOR-1", "\uFE00"],
      ["U+115F HANGUL CHOSEONG FILLER", "\u115F"],
      ["U+E0041 TAG LATIN CAPITAL LETTER A", "\u{E0041}"],
    ];
    for (const [label, character] of cases) {
      const answer = await send("POST", "/api/tokens", {
        body: { name: `${base}${character}`, role: "viewer", validUntil: inDays(1) },
      });
      report.check(
        "Input: look-alike names",
        `${label} after an existing name`,
        "400 name must not contain control or invisible characters",
        summary(answer),
      );
    }
    assert.deepEqual(await names(), before, "nothing was stored");
  });

  test("a name with two spaces where another has one is a 409 naming it (HTML shows both alike)", async () => {
    const single = `ops a${suffix}`;
    report.check(
      "Input: look-alike names",
      "first name with one space",
      "200",
      String(
        (await send("POST", "/api/tokens", { body: { name: single, role: "viewer", validUntil: inDays(1) } })).status,
      ),
    );
    const double = await send("POST", "/api/tokens", {
      body: { name: single.replace(" ", "  "), role: "viewer", validUntil: inDays(1) },
    });
    report.check(
      "Input: look-alike names",
      "the same name with two spaces",
      `409 Token name looks like the existing token "${single}"; choose another name`,
      summary(double),
    );
  });

  test("a name whose confusable skeleton (Unicode TR39) equals an existing name's is a 409 naming it", async () => {
    const before = await names();
    const looksLike = `409 Token name looks like the existing token "${base}"; choose another name`;
    const cases: [string, string][] = [
      ["Cyrillic а for Latin a", base.replace("a", "\u0430")],
      ["rn for m", base.replace("m", "rn")],
      ["fullwidth ａ (confusables.txt has it; not every fullwidth letter)", base.replace("a", "\uFF41")],
      ["mathematical bold 𝐚", base.replace("a", "\u{1D41A}")],
      ["Cyrillic і for Latin i", base.replace("i", "\u0456")],
    ];
    for (const [label, name] of cases) {
      assert.notEqual(name, base, label);
      report.check(
        "Input: look-alike names",
        label,
        looksLike,
        summary(await send("POST", "/api/tokens", { body: { name, role: "viewer", validUntil: inDays(1) } })),
      );
    }
    report.check(
      "Input: look-alike names",
      "the same name again (the seed's 409)",
      "409 Token with the same name already exists",
      summary(await send("POST", "/api/tokens", { body: { name: base, role: "viewer", validUntil: inDays(1) } })),
    );
    assert.deepEqual(await names(), before, "nothing was stored");

    // The other way round: the look-alike first, then the plain name.
    const cyrillicFirst = `\u0441li-${suffix}`; // Cyrillic с
    assert.equal((await create(cyrillicFirst)).status, 200, "the Cyrillic spelling alone is a fine name");
    const latin = await send("POST", "/api/tokens", {
      body: { name: `cli-${suffix}`, role: "viewer", validUntil: inDays(1) },
    });
    report.check(
      "Input: look-alike names",
      "Latin name after its Cyrillic look-alike",
      `409 Token name looks like the existing token "${cyrillicFirst}"; choose another name`,
      summary(latin),
    );
    const distinct = await create(`${base}-2`);
    report.check(
      "Input: look-alike names",
      "a name that only starts like an existing one",
      "200",
      String(distinct.status),
    );
  });

  test("the CLI refuses look-alikes too", async () => {
    // The embedded database is one process's: the CLI runs while the server is stopped.
    const [created] = await cliBesideServer(tessera, [
      "tokens",
      "create",
      "--name",
      `rt-\u0430dmin${suffix}`,
      "--role",
      "viewer",
      "--valid-until",
      inDays(1),
    ]);
    const output = `exit ${created!.code}: ${created!.output.trim().split("\n").at(-1)}`;
    report.check(
      "Input: look-alike names",
      "CLI tokens create with a look-alike",
      `exit 1: tessera tokens: Token name looks like the existing token "${base}"; choose another name`,
      output,
    );
  });

  test("parallel creates of look-alikes: exactly one wins, in the database", async () => {
    // Eight spellings of one name, each with a different letter a (Latin, Cyrillic, Greek, fullwidth, IPA, APL, two mathematical).
    const spellings = ["a", "\u0430", "\u03B1", "\uFF41", "\u0251", "\u237A", "\u{1D41A}", "\u{1D44E}"].map(
      (a) => `race-${a}dmin-${suffix}`,
    );
    assert.equal(new Set(spellings).size, spellings.length, "eight different strings");
    const answers = await Promise.all(
      spellings.map((name) => send("POST", "/api/tokens", { body: { name, role: "viewer", validUntil: inDays(1) } })),
    );
    const created = answers.filter((answer) => answer.status === 200).length;
    const refused = answers.filter(
      (answer) => answer.status === 409 && answer.body.startsWith("Token name looks like the existing token"),
    ).length;
    report.check(
      "Input: look-alike names",
      "8 parallel creates of look-alikes of one new name",
      "1 created, 7 refused with 409",
      `${created} created, ${refused} refused with 409`,
    );
    const stored = (await names()).filter((name) => name.startsWith("race-") && name.endsWith(`-${suffix}`));
    report.check("Input: look-alike names", "look-alikes stored after the race", "1", String(stored.length));
  });
});
