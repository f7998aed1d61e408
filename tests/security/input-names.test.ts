import assert from "node:assert/strict";
import { chmodSync, readdirSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { engine } from "../helpers/database.ts";
import { call, createInstance, type Instance } from "../helpers/instance.ts";
import { securityReport } from "../helpers/report.ts";

// Issue 14, second round of an independent attack: malformed input that
// answered 500, token names that look alike, methods answered 405 with an
// empty body, a DELETE the seed says does nothing, and a data dir others
// could read.

const report = securityReport(import.meta.filename);
let tessera: Instance;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const suffix = String(process.pid % 10_000);

before(async () => {
  tessera = await createInstance();
});
after(async () => {
  await tessera?.close();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with the path sent byte for byte as given (fetch would not, for every path). */
function send(
  method: string,
  pathAndQuery: string,
  options: { token?: string | null; body?: unknown } = {},
): Promise<Answer> {
  const url = new URL(tessera.url);
  const token = options.token === undefined ? tessera.adminToken : options.token;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: pathAndQuery,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(body) }),
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: text }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** "400 The sentence": status and the whole body (outcome() would cut long bodies short). */
const summary = (answer: Answer) => `${answer.status} ${answer.body}`.trim();
const admin = (p: string, options: Parameters<typeof call>[1] = {}) =>
  call(`${tessera.url}${p}`, { token: tessera.adminToken, ...options });
const names = async () => ((await admin("/api/tokens")).body as { name: string }[]).map((token) => token.name);
const create = (name: string) =>
  admin("/api/tokens", { method: "POST", body: { name, role: "viewer", validUntil: inDays(1) } });
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Every route file under app/, as its URL pattern (/api/tokens/[hash]). */
function routeFiles(): string[] {
  return readdirSync("app", { recursive: true })
    .map(String)
    .filter(
      (file) =>
        file.endsWith(`${path.sep}route.ts`) && (file.startsWith(`api${path.sep}`) || file.startsWith(`v2${path.sep}`)),
    )
    .map((file) => `/${path.dirname(file).split(path.sep).join("/")}`)
    .sort();
}

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

  // Each route with a dynamic segment, with undecodable percent-encoding and with a NUL in the segment.
  const DYNAMIC: Record<string, { undecodable: [string, string][]; nul: [string, string, string][] }> = {
    "/api/tokens/[hash]": {
      undecodable: [
        ["GET", "/api/tokens/%"],
        ["DELETE", "/api/tokens/%"],
        ["GET", "/api/tokens/%C0%AF"],
      ],
      nul: [["GET", "/api/tokens/%00", "400 Malformed token hash: expected 64 lowercase hexadecimal characters"]],
    },
    "/api/devices/[id]": {
      undecodable: [
        ["DELETE", "/api/devices/%C0%AF"],
        ["DELETE", "/api/devices/%"],
      ],
      nul: [["DELETE", "/api/devices/%00", "400 Malformed device id: expected 1-64 of A-Z a-z 0-9 _ . -"]],
    },
    "/api/devices/[id]/bridge-config": {
      undecodable: [
        ["GET", "/api/devices/%/bridge-config"],
        ["GET", "/api/devices/%E0%A4%A/bridge-config"],
      ],
      nul: [["GET", "/api/devices/%00/bridge-config", "400 Malformed device id: expected 1-64 of A-Z a-z 0-9 _ . -"]],
    },
    "/api/mqtt/tokens/[id]": {
      undecodable: [
        ["DELETE", "/api/mqtt/tokens/%"],
        ["DELETE", "/api/mqtt/tokens/%FF"],
      ],
      nul: [["DELETE", "/api/mqtt/tokens/%00", "400 Malformed token_id: expected a UUID"]],
    },
    "/api/auth/[...nextauth]": {
      undecodable: [
        ["GET", "/api/auth/%"],
        ["GET", "/api/auth/session/%C0%AF"],
      ],
      nul: [],
    },
  };

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
      for (const [method, p] of undecodable) {
        report.check(
          "Input: path encoding",
          `${method} ${p} (${route})`,
          PATH_ENCODING,
          summary(await send(method, p)),
        );
      }
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
      for (const [method, p, expected] of nul)
        report.check("Input: path encoding", `${method} ${p}`, expected, summary(await send(method, p)));
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
    let output = "";
    const run = async () => {
      const created = await tessera.cli([
        "tokens",
        "create",
        "--name",
        `rt-\u0430dmin${suffix}`,
        "--role",
        "viewer",
        "--valid-until",
        inDays(1),
      ]);
      output = `exit ${created.code}: ${created.output.trim().split("\n").at(-1)}`;
    };
    // The embedded database is one process's: the CLI runs while the server is stopped.
    if (engine === "pglite") await tessera.restart({}, run);
    else await run();
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

describe("methods", () => {
  // What each route answers; every other method is a 405 with a sentence and Allow.
  const ROUTES: Record<string, { sample: string; methods: string[] }> = {
    "/api/auth/[...nextauth]": { sample: "/api/auth/session", methods: ["GET", "POST"] },
    "/api/devices": { sample: "/api/devices", methods: ["GET", "POST"] },
    "/api/devices/[id]": { sample: "/api/devices/dev-405", methods: ["DELETE"] },
    "/api/devices/[id]/bridge-config": { sample: "/api/devices/dev-405/bridge-config", methods: ["GET"] },
    "/api/health": { sample: "/api/health", methods: ["GET"] },
    "/api/me": { sample: "/api/me", methods: ["GET"] },
    "/api/me/sessions": { sample: "/api/me/sessions", methods: ["DELETE"] },
    "/api/metrics": { sample: "/api/metrics", methods: ["GET"] },
    "/api/mqtt/tokens": { sample: "/api/mqtt/tokens", methods: ["GET", "POST"] },
    "/api/mqtt/tokens/[id]": { sample: "/api/mqtt/tokens/6f1c2b9e-0d7a-4c55-9f3e-1a2b3c4d5e6f", methods: ["DELETE"] },
    "/api/mqtt/tokens/refresh": { sample: "/api/mqtt/tokens/refresh", methods: ["POST"] },
    "/api/tokens": { sample: "/api/tokens", methods: ["GET", "POST"] },
    "/api/tokens/[hash]": { sample: `/api/tokens/${"a".repeat(64)}`, methods: ["GET", "DELETE"] },
    "/v2/tokens/create": { sample: "/v2/tokens/create", methods: ["POST"] },
    "/v2/tokens/refresh": { sample: "/v2/tokens/refresh", methods: ["POST"] },
  };

  test("every route file is in the table", () => {
    assert.deepEqual(routeFiles(), Object.keys(ROUTES).sort(), "a new route needs its methods in this table");
  });

  test("PUT /api/tokens/{hash}: 405 with a sentence and Allow", async () => {
    const answer = await send("PUT", `/api/tokens/${"a".repeat(64)}`, { body: {} });
    report.check(
      "Methods",
      "PUT /api/tokens/{hash}",
      "405 Method PUT is not allowed here; this path allows DELETE, GET, HEAD, OPTIONS",
      summary(answer),
    );
    report.check(
      "Methods",
      "PUT /api/tokens/{hash}: Allow, Content-Type",
      "DELETE, GET, HEAD, OPTIONS | text/plain; charset=utf-8",
      `${answer.headers.allow} | ${answer.headers["content-type"]}`,
    );
  });

  test("every unsupported method on every route", async () => {
    for (const [route, { sample, methods }] of Object.entries(ROUTES)) {
      const allowed = new Set([...methods, "OPTIONS", ...(methods.includes("GET") ? ["HEAD"] : [])]);
      const allow = [...allowed].sort().join(", ");
      for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !allowed.has(m))) {
        const answer = await send(method, sample, method === "GET" || method === "HEAD" ? {} : { body: {} });
        const sentence = method === "HEAD" ? "" : ` Method ${method} is not allowed here; this path allows ${allow}`;
        report.check(
          "Methods",
          `${method} ${route}`,
          `405${sentence} | Allow: ${allow}`,
          `${summary(answer)} | Allow: ${answer.headers.allow ?? "(none)"}`,
        );
      }
    }
  });

  test("OPTIONS names the same methods in Allow", async () => {
    for (const [route, { sample, methods }] of Object.entries(ROUTES)) {
      const allow = [...new Set([...methods, "OPTIONS", ...(methods.includes("GET") ? ["HEAD"] : [])])]
        .sort()
        .join(", ");
      const answer = await send("OPTIONS", sample);
      report.check(
        "Methods",
        `OPTIONS ${route}`,
        `204 | Allow: ${allow}`,
        `${answer.status} | Allow: ${answer.headers.allow ?? "(none)"}`,
      );
    }
  });
});

describe("DELETE /api/tokens/{hash} with a malformed hash does nothing (seed 002)", () => {
  test("answers 200 with the remaining tokens, and deletes nothing", async () => {
    const before = await names();
    for (const [label, p] of [
      ["not hex", "/api/tokens/nothex"],
      ["uppercase", `/api/tokens/${"A".repeat(64)}`],
      ["NUL", "/api/tokens/%00"],
      ["4 KB", `/api/tokens/${"a".repeat(4096)}`],
    ]) {
      const answer = await send("DELETE", p!);
      const list =
        answer.status === 200 ? (JSON.parse(answer.body) as { name: string }[]).map((token) => token.name) : null;
      report.check(
        "DELETE with a malformed hash",
        label!,
        "200 the remaining tokens",
        `${answer.status} ${list && list.includes("test-admin") ? "the remaining tokens" : answer.body}`,
      );
    }
    assert.deepEqual(await names(), before, "nothing was deleted");
  });
});

describe("the embedded data dir", { skip: engine === "postgres" ? "PostgreSQL keeps no data dir" : false }, () => {
  test("a data dir others can read is 0700 after a start and after a CLI command", async () => {
    const dir = tessera.env.TESSERA_DATA_DIR!;
    const mode = () => (statSync(dir).mode & 0o777).toString(8).padStart(4, "0");
    let afterCli = "";
    await tessera.restart({}, async () => {
      chmodSync(dir, 0o755);
      const listed = await tessera.cli(["tokens", "list"]);
      assert.equal(listed.code, 0, `tokens list: ${listed.output}`);
      afterCli = mode();
      chmodSync(dir, 0o755);
    });
    report.check("Data dir", "mode after a CLI command on a 0755 data dir", "0700", afterCli);
    report.check("Data dir", "mode after a start on a 0755 data dir", "0700", mode());
  });
});
