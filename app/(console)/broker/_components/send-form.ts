import type { ZodType } from "zod";
import { callApi, errorsByField, type FieldErrors } from "../../tokens/_components/api.ts";

/**
 * A console form's submit: the API's own schema first (no round trip for what it would refuse), then the API; a
 * refusal goes on the field the zod issue's path or the server's X-Error-Field names, or on the form.
 */
export async function sendForm<Field extends string, T>(
  fields: readonly Field[],
  schema: ZodType,
  method: string,
  path: string,
  body: unknown,
): Promise<{ ok: true; data: T } | { ok: false; errors: FieldErrors<Field> }> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(({ path: [field], message }) => ({ field, message }));
    return { ok: false, errors: errorsByField(fields, problems) };
  }
  const result = await callApi<T>(method, path, body);
  return result.ok ? result : { ok: false, errors: errorsByField(fields, [result]) };
}

/** A path segment: a broker name may hold any character, "/" and "%" included. */
export const segment = encodeURIComponent;
