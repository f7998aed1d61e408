import { z } from "zod";
import { ROLES, type Role } from "../auth/permissions.ts";

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

export interface DeviceResponse {
  id: string;
  role: Role;
  requested_by: string;
  created_at: string;
  last_token_at: string | null;
  request_topic: string;
  response_topic: string;
}

export interface RegisteredDevice extends DeviceResponse {
  /** Shown once: the broker keeps only its salted hash, Tessera nothing. */
  mqtt: { username: string; client_id: string; password: string };
}
