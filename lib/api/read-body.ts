import type { z } from "zod";
import { ApiError } from "./errors.ts";

/** Request bodies larger than this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Reads a JSON body (at most MAX_BODY_BYTES) and validates it with schema; ApiError or ZodError otherwise. */
export async function readJsonBody<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json");
  }
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
  const text = new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError("bad_request", "Malformed JSON body");
  }
  return schema.parse(json);
}

function tooLarge() {
  return new ApiError("payload_too_large", `Request body too large (at most ${MAX_BODY_BYTES} bytes)`);
}
