// One load scenario, run in a process of its own so that the load generator
// does not share an event loop (or a core's scheduling) with the benchmark's
// bookkeeping. Input: the path of a JSON file (1,000 tokens do not fit in one
// command-line argument); output: one JSON line.
//   { url, connections, seconds, warmupSeconds, requests: [...], expect: [status...], background? }
// A request may carry "unique": true (its body's name gets a counter),
// "useHash": true (its path ends with the hash the previous response named) or
// "rotate": { header, values } (each request sends the next of values in that
// header, round robin: B and C draw from 1,000 tokens and sessions).
// "background": { requests, connections, rate } runs beside the measured load
// for its whole time, unmeasured (E: 1,000 tokens in use while the list is read).
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
let counter = 0;
let turn = 0;

function requests(list = config.requests) {
  return list.map((request) => ({
    method: request.method,
    path: request.path,
    headers: request.headers,
    body: request.body,
    setupRequest(req, context) {
      if (request.unique) {
        const body = JSON.parse(request.body);
        body.name = `${body.name}-${process.pid}-${++counter}`.slice(0, 30);
        return { ...req, body: JSON.stringify(body) };
      }
      if (request.useHash) return { ...req, path: `${request.path}${context.hash ?? "0".repeat(64)}` };
      if (request.rotate) {
        const value = request.rotate.values[turn++ % request.rotate.values.length];
        return { ...req, headers: { ...req.headers, [request.rotate.header]: value } };
      }
      return req;
    },
    // Only where the body is needed (scenario F reads the created token's hash).
    ...(request.captureHash
      ? {
          onResponse(status, body, context) {
            if (status === 200) context.hash = JSON.parse(body).hash;
          },
        }
      : {}),
  }));
}

function run(seconds) {
  return new Promise((resolve, reject) => {
    const statuses = {};
    const instance = autocannon(
      { url: config.url, connections: config.connections, duration: seconds, requests: requests() },
      (error, result) => (error ? reject(error) : resolve({ result, statuses })),
    );
    instance.on("response", (_client, status) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
}

/** The unmeasured load beside the measured one, until stop() (autocannon's overallRate caps it). */
function background() {
  if (!config.background) return { stop: () => {} };
  const { requests: list, connections, rate } = config.background;
  const instance = autocannon({
    url: config.url,
    connections,
    overallRate: rate,
    duration: 3600,
    requests: requests(list),
  });
  return { stop: () => instance.stop() };
}

const beside = background();
if (config.warmupSeconds > 0) await run(config.warmupSeconds);
const cpuBefore = process.cpuUsage();
const { result, statuses } = await run(config.seconds);
const cpu = process.cpuUsage(cpuBefore);
beside.stop();
const expected = new Set(config.expect);
const unexpected = Object.entries(statuses)
  .filter(([status]) => !expected.has(Number(status)))
  .reduce((sum, [, count]) => sum + count, 0);
console.log(
  JSON.stringify({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + unexpected,
    statuses,
    // The load generator's own CPU per request: on a 2-core machine it competes with the server.
    loadCpuMsPerRequest: Number(((cpu.user + cpu.system) / 1000 / Math.max(1, result.requests.total)).toFixed(2)),
  }),
);
