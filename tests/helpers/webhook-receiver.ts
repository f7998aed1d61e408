import http from "node:http";
import type net from "node:net";
import { Webhook } from "standardwebhooks";

// A webhook receiver for the tests: records every request, answers what the test says, and verifies each
// signature with the `standardwebhooks` package (Standard Webhooks' reference implementation), not Tessera's code.

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** What the standardwebhooks package made of it: true when the signature verified under the secret. */
  verified: boolean;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** The status to answer the next request with; the default 204. */
  answer: (request: Received) => number;
  /** The endpoint's secret, to verify with (set after the create). */
  secret: string;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const sockets = new Set<net.Socket>();
  const receiver: Receiver = {
    url: "",
    received: [],
    answer: () => 204,
    secret: "",
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const headers = {
        "webhook-id": String(req.headers["webhook-id"] ?? ""),
        "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
        "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
      };
      let verified = false;
      try {
        new Webhook(receiver.secret).verify(body, headers);
        verified = true;
      } catch {
        verified = false;
      }
      const request: Received = {
        id: headers["webhook-id"],
        timestamp: headers["webhook-timestamp"],
        signature: headers["webhook-signature"],
        body,
        payload: JSON.parse(body || "null"),
        verified,
      };
      receiver.received.push(request);
      res.writeHead(receiver.answer(request)).end();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hooks`;
  return receiver;
}
