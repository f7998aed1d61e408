import net from "node:net";
import { after, before, describe, test } from "node:test";
import { createInstance, type Instance } from "../helpers/instance.ts";
import { securityReport } from "../helpers/report.ts";

// A stop (SIGTERM, as a deploy or systemd sends it) lets the requests under
// way finish, but not for ever: one client that sends half a request and
// waits must not keep the server from stopping (and, meanwhile, from serving:
// it no longer accepts connections once it is stopping).

const report = securityReport(import.meta.filename);
let tessera: Instance;

before(async () => {
  tessera = await createInstance();
});
after(async () => {
  await tessera?.close();
});

describe("stopping", () => {
  test("a half-sent request does not hold a SIGTERM for more than the drain", async () => {
    const { port } = new URL(tessera.url);
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.on("error", () => {});
    socket.write(
      "POST /api/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // the server has the request under way
    const started = Date.now();
    let seconds = Infinity;
    await tessera.restart(
      {},
      async () => {
        seconds = (Date.now() - started) / 1000; // stopped; the restart after it is not timed
      },
      "SIGTERM",
    );
    socket.destroy();
    report.check("Faults", "SIGTERM with a half-sent request open: stopped within 15 s", "true", String(seconds < 15));
  });
});
