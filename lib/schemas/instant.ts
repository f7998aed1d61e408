import { z } from "zod";

/** An instant as every API answer writes it: a Date in, ISO-8601 in UTC with milliseconds out. */
export const instant = z.date().transform((value) => value.toISOString());

/** A query parameter holding an ISO 8601 date or time, as a Date; `name` goes into the 400's sentence. */
export const isoDateParam = (name: string) =>
  z
    .string()
    .refine(
      // Years 1 to 9999: PostgreSQL refuses year 0 (there is none) with an error that would be a 500.
      (text) =>
        /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) &&
        !Number.isNaN(Date.parse(text)) &&
        new Date(text).getUTCFullYear() >= 1,
      { message: `${name} must be an ISO 8601 date or time, e.g. 2026-12-01T00:00:00Z` },
    )
    .transform((text) => new Date(text));
