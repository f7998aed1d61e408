import type { z } from "zod";
import { ApiError } from "./errors.ts";

/** Request bodies larger than this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads a JSON body (at most MAX_BODY_BYTES) and validates it with schema; ApiError or ZodError otherwise.
 * With `optional`, a request that carries no body (none at all, or an empty one) is validated as {}.
 */
export async function readJsonBody<T>(request: Request, schema: z.ZodType<T>, optional = false): Promise<T> {
  const type = request.headers.get("content-type") ?? "";
  if (optional && !type && !hasBody(request)) return schema.parse({});
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json");
  }
  const text = await readBodyText(request);
  return schema.parse(optional && text.trim() === "" ? {} : parseJson(text));
}

/**
 * Reads a JSON or an application/x-www-form-urlencoded body (RFC 7662's introspection request is a form; JSON is
 * accepted too) as one object of strings and values, at most MAX_BODY_BYTES, and validates it with schema.
 */
export async function readJsonOrFormBody<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
  const type = request.headers.get("content-type") ?? "";
  if (/^application\/json\s*(;|$)/i.test(type)) {
    const text = await readBodyText(request);
    // A field given twice is as ambiguous in JSON (JSON.parse keeps the last, another reader the first) as in a form.
    for (const name of fieldNames(schema))
      if ((text.match(new RegExp(`(?<!\\\\)"${name}"\\s*:`, "g")) ?? []).length > 1)
        throw new ApiError("bad_request", `${name} is given more than once`);
    return schema.parse(parseJson(text));
  }
  if (/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    const form = new URLSearchParams(await readBodyText(request));
    const fields: Record<string, string> = {};
    for (const [name, value] of form) {
      // A repeated field is ambiguous (RFC 6749 section 3.2: parameters must not be included more than once).
      if (name in fields) throw new ApiError("bad_request", `${name} is given more than once`);
      fields[name] = value;
    }
    return schema.parse(fields);
  }
  throw new ApiError(
    "unsupported_media_type",
    "Send the body as application/x-www-form-urlencoded or as JSON with Content-Type: application/json",
  );
}

/** The field names of an object schema (none for any other). */
function fieldNames(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape).filter((name) => /^\w+$/.test(name)) : [];
}

function hasBody(request: Request): boolean {
  return Boolean(request.headers.get("transfer-encoding")) || Number(request.headers.get("content-length") ?? 0) > 0;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("bad_request", "Malformed JSON body");
  }
}

/** The body as text, at most MAX_BODY_BYTES (413 beyond, read no further). */
async function readBodyText(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

function tooLarge() {
  return new ApiError("payload_too_large", `Request body too large (at most ${MAX_BODY_BYTES} bytes)`);
}
