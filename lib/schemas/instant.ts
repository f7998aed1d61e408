import { z } from "zod";

/** An instant as every API answer writes it: a Date in, ISO-8601 in UTC with milliseconds out. */
export const instant = z.date().transform((value) => value.toISOString());
