import http from "node:http";
import type net from "node:net";

// The round-robin HTTP proxy in front of the cluster harness's instances
// (tests/helpers/cluster.ts), in node:http rather than http-proxy or
// http-proxy-3: the harness needs three things those libraries leave to
// hooks anyway (which instance answered, a connection refused retried on the
// next instance, and a connection lost mid-request answered with a 502 the
// test can count apart from Tessera's own 5xx), and the forwarding itself is
// a request piped into a request; so this is shorter than the configuration
// and event handlers a library would need, and adds no dependency.
//
// It behaves like nginx with `proxy_next_upstream error` and
// `$proxy_add_x_forwarded_for`: the client's address is appended to
// X-Forwarded-For (the instances run with TESSERA_TRUST_PROXY=true), a
// connection that cannot be opened goes to the next instance (the request was
// never sent, so nothing can have happened twice), and a connection that
// breaks after the request went out is a 502: whether it was carried out is
// unknown, as for any client.

/** Marks the proxy's own answers, so a test can tell them from Tessera's. */
export const PROXY_HEADER = "x-cluster-proxy";
/** On every answer: the 0-based index of the instance that answered (or failed). */
export const INSTANCE_HEADER = "x-cluster-instance";

/** One request as the proxy relayed it: which instance got it and what it answered (502: the proxy's own). */
export interface Relayed {
  method: string;
  path: string;
  instance: number;
  status: number;
}

export interface ProxyStats {
  /** Every request relayed, in the order of their answers. */
  log: Relayed[];
  /** Answers relayed from each instance. */
  answered: number[];
  /** Connections refused per instance (retried on the next one). */
  refused: number[];
  /** Requests lost mid-flight per instance (answered 502 by the proxy). */
  broken: number[];
}

export interface ClusterProxy {
  url: string;
  port: number;
  stats: ProxyStats;
  close(): Promise<void>;
}

/**
 * Starts the proxy on a free loopback port in front of upstreams (base URLs, set or changed later). With
 * keepAlive (the bench) it keeps its connections to the instances open, as a production proxy would; the
 * tests open one per request, so a killed instance fails exactly the requests it had.
 */
export async function startProxy(upstreams: string[], options: { keepAlive?: boolean } = {}): Promise<ClusterProxy> {
  const agent = options.keepAlive ? new http.Agent({ keepAlive: true }) : false;
  const stats: ProxyStats = { log: [], answered: [], refused: [], broken: [] };
  const count = (list: number[], index: number) => (list[index] = (list[index] ?? 0) + 1);
  let next = 0;

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, tries: number) => {
    if (upstreams.length === 0 || tries >= upstreams.length) {
      res.writeHead(502, { [PROXY_HEADER]: "no-instance", "content-type": "text/plain" });
      res.end("cluster proxy: no instance accepted the connection");
      return;
    }
    const index = next++ % upstreams.length;
    const target = new URL(req.url ?? "/", upstreams[index]);
    const forwardedFor = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
    const relayed = (status: number) =>
      stats.log.push({ method: req.method ?? "", path: target.pathname, instance: index, status });
    const upstream = http.request(target, {
      method: req.method,
      headers: { ...req.headers, "x-forwarded-for": forwardedFor, connection: agent ? "keep-alive" : "close" },
      agent,
    });
    // The answer is buffered whole before any of it is relayed: an instance killed after its headers but before
    // the end of its body is then a counted 502 like any other request lost in flight, not a client socket
    // closed with nothing read (seen in a clean-clone CI run: "fetch failed: other side closed").
    let settled = false;
    const broken = (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      count(stats.broken, index);
      relayed(502);
      res.writeHead(502, { [PROXY_HEADER]: "broken", [INSTANCE_HEADER]: String(index), "content-type": "text/plain" });
      res.end(`cluster proxy: instance ${index} failed mid-request (${error.code ?? error.message})`);
    };
    upstream.on("response", (answer) => {
      const chunks: Buffer[] = [];
      answer.on("data", (chunk: Buffer) => chunks.push(chunk));
      answer.on("error", broken);
      answer.on("aborted", () => broken(Object.assign(new Error("aborted"), { code: "ECONNRESET" })));
      answer.on("end", () => {
        if (settled || !answer.complete) return broken(Object.assign(new Error("incomplete"), { code: "ECONNRESET" }));
        settled = true;
        count(stats.answered, index);
        relayed(answer.statusCode ?? 502);
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, [INSTANCE_HEADER]: String(index) });
        res.end(Buffer.concat(chunks));
      });
    });
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED" && !settled) {
        settled = true;
        count(stats.refused, index);
        forward(req, res, body, tries + 1);
        return;
      }
      broken(error);
    });
    upstream.end(body);
  };

  // Bodies are small in these tests; buffering one lets a refused connection be retried with it.
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => forward(req, res, Buffer.concat(chunks), 0));
  });
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (agent) agent.destroy();
        server.close(() => resolve());
      }),
  };
}
