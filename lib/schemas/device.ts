import { z } from "zod";
import { instant } from "./instant.ts";
import { ROLES } from "../auth/permissions.ts";

// Devices (tokens over MQTT): the one schema for the API, the CLI and the form.

export const DEVICE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export const registerDeviceSchema = z.strictObject({
  id: z
    .string({ error: (issue) => (issue.input === undefined ? "id is required" : "id must be a string") })
    .regex(DEVICE_ID, "id must be 1-64 of A-Z a-z 0-9 _ . -")
    .refine((id) => id !== "." && id !== "..", "id must not be . or ..")
    .refine(
      (id) => !id.startsWith("tessera-"),
      "ids starting with tessera- are reserved for Tessera's own broker clients",
    ),
  role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(", ")}` }).optional(),
});
export type RegisterDeviceInput = z.infer<typeof registerDeviceSchema>;

/** What the API shows of a device; responses are parsed through it. */
export const deviceResponse = z.object({
  id: z.string(),
  role: z.enum(ROLES),
  requested_by: z.string(),
  created_at: instant,
  last_token_at: instant.nullable(),
  request_topic: z.string(),
  response_topic: z.string(),
});
export type DeviceResponse = z.output<typeof deviceResponse>;

/** POST /api/devices: the device and its broker credentials. */
export const registeredDevice = deviceResponse.extend({
  /** Shown once: the broker keeps only its salted hash, Tessera nothing. */
  mqtt: z.object({ username: z.string(), client_id: z.string(), password: z.string() }),
});
export type RegisteredDevice = z.output<typeof registeredDevice>;
