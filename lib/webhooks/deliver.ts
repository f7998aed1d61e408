import "server-only";
import http from "node:http";
import https from "node:https";
import { AddressRefused, guardedLookup, isPrivateAddress, PRIVATE_REFUSAL } from "./address-guard.ts";

// One delivery attempt: a POST with a deadline, no redirects followed, and at
// most ANSWER_BYTES of the answer read (the rest is not waited for). In
// node:http rather than fetch: its `lookup` option lets the SSRF guard see the
// addresses the connection really uses (address-guard.ts).

export const ANSWER_BYTES = 64 * 1024;

export interface DeliveryOutcome {
  ok: boolean;
  statusCode: number | null;
  /** Why it failed (or what was odd about a success), in a short sentence; never the answer's body. */
  error: string | null;
  durationMs: number;
}

export interface DeliverySettings {
  allowPrivate: boolean;
  timeoutMs: number;
}

export function deliver(
  url: string,
  headers: Record<string, string>,
  body: string,
  settings: DeliverySettings,
): Promise<DeliveryOutcome> {
  const started = performance.now();
  const done = (statusCode: number | null, error: string | null): DeliveryOutcome => ({
    ok: statusCode !== null && statusCode >= 200 && statusCode < 300,
    statusCode,
    error: error?.slice(0, 300) ?? null,
    durationMs: Math.round(performance.now() - started),
  });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(done(null, "the endpoint's url is not a URL"));
  }
  const literal = target.hostname.replace(/^\[|\]$/g, "");
  if (!settings.allowPrivate && /^[\d.]+$|:/.test(literal) && isPrivateAddress(literal))
    return Promise.resolve(done(null, `refused: the url ${PRIVATE_REFUSAL}`));

  return new Promise((resolve) => {
    const client = target.protocol === "https:" ? https : http;
    const request = client.request(target, {
      method: "POST",
      headers: { ...headers, "content-length": Buffer.byteLength(body) },
      signal: AbortSignal.timeout(settings.timeoutMs),
      ...(settings.allowPrivate ? {} : { lookup: guardedLookup as never }),
    });
    let settled = false;
    const finish = (statusCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      request.destroy();
      resolve(done(statusCode, error));
    };
    request.on("response", (answer) => {
      const status = answer.statusCode ?? 0;
      const redirect = status >= 300 && status < 400 ? "redirects are not followed" : null;
      let read = 0;
      answer.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > ANSWER_BYTES) finish(status, redirect ?? `answer over ${ANSWER_BYTES} bytes: the rest was not read`);
      });
      answer.on("end", () => finish(status, redirect ?? (status >= 200 && status < 300 ? null : `HTTP ${status}`)));
      answer.on("error", () => finish(status, redirect ?? `HTTP ${status}; the answer broke off`));
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (error instanceof AddressRefused || error.code === "EADDRREFUSED")
        return finish(null, `refused: ${error.message}; the url ${PRIVATE_REFUSAL}`);
      if (error.name === "AbortError" || error.name === "TimeoutError")
        return finish(null, `no answer within ${settings.timeoutMs} ms`);
      finish(null, `${error.code ?? "error"}: ${error.message}`);
    });
    request.end(body);
  });
}
