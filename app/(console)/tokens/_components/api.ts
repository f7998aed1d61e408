import { ERROR_FIELD_HEADER } from "@/lib/api/errors.ts";

/** An API answer: the data, or the server's sentence and, when it is about one request field, that field's name. */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; message: string; field?: string };

// The console calls the same REST API as everyone else, with its session cookie.
export async function callApi<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
  try {
    const response = await fetch(path, {
      method,
      headers:
        body === undefined
          ? { accept: "application/json" }
          : { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    if (response.ok) return { ok: true, data: (await response.json()) as T };
    return {
      ok: false,
      message: (await response.text()) || `The server answered ${response.status}`,
      field: response.headers.get(ERROR_FIELD_HEADER) ?? undefined,
    };
  } catch {
    return { ok: false, message: "Could not reach the server. Check your connection and try again." };
  }
}

/** A form's error sentences: by field, and "form" for the rest. */
export type FieldErrors<Field extends string> = Partial<Record<Field | "form", string>>;

/**
 * Puts each message on the form field it is about (the path of a zod issue, or the field the server named), and on
 * the form as a whole when it is about none of `fields`; the first message for a place wins.
 */
export function errorsByField<Field extends string>(
  fields: readonly Field[],
  problems: { field?: PropertyKey; message: string }[],
): FieldErrors<Field> {
  const errors: FieldErrors<Field> = {};
  for (const { field, message } of problems) {
    const place = (fields as readonly unknown[]).includes(field) ? (field as Field) : "form";
    errors[place] ??= message;
  }
  return errors;
}
