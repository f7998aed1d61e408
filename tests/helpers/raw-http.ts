import http from "node:http";
import net from "node:net";

// HTTP below fetch: requests sent byte for byte as written (fetch would
// normalise the path, refuse some methods, and always buffer the body).

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with the path sent byte for byte as given, optionally with a Bearer token and a JSON body. */
export function send(
  base: string,
  method: string,
  pathAndQuery: string,
  options: { token?: string | null; body?: unknown } = {},
): Promise<Answer> {
  const url = new URL(base);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: pathAndQuery,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
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

/** POSTs body to path, Content-Length declared (or chunked), and resolves with the status (or "reset" if no answer came). */
export function bigPost(base: string, path: string, body: Buffer, chunked = false): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: string) => {
      if (!settled) {
        settled = true;
        resolve(value);
      }
    };
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: "POST",
        headers: { "content-type": "application/json", ...(chunked ? {} : { "content-length": body.length }) },
      },
      (response) => {
        response.resume();
        done(String(response.statusCode));
      },
    );
    request.on("error", () => setTimeout(() => done("reset"), 200));
    if (chunked) {
      for (let offset = 0; offset < body.length; offset += 64 * 1024)
        request.write(body.subarray(offset, offset + 64 * 1024));
      request.end();
    } else request.end(body);
  });
}

/** Sends raw bytes and resolves with the answer's status line (and body), or "no answer" after 5 s. */
export function rawRequest(base: string, text: string, withBody = false): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(text));
    let answer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(answer.split("\r\n")[0] || "no answer");
    }, 5000);
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("close", () => {
      clearTimeout(timer);
      const [head = "", body = ""] = answer.split("\r\n\r\n");
      resolve(
        !head
          ? "closed without an answer"
          : withBody
            ? `${head.split("\r\n")[0]} | ${body.trim()}`
            : head.split("\r\n")[0]!,
      );
    });
    socket.on("error", () => {});
  });
}

/** "400 The sentence": status and the whole body (outcome() would cut long bodies short). */
export const summary = (answer: Answer) => `${answer.status} ${answer.body}`.trim();
