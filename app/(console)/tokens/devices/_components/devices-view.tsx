"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import { CopyButton } from "@/components/ui/copy-button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { ListTable, type ListSpec } from "@/components/ui/list-table.tsx";
import { LastTime } from "@/components/ui/local-time.tsx";
import { registerDeviceSchema, type DeviceResponse, type RegisteredDevice } from "@/lib/schemas/device.ts";
import { callApi, errorsByField, type FieldErrors } from "../../_components/api.ts";
import { useConfirmAction } from "../../_components/use-confirm-action.ts";
import { ViewHeading } from "../../../_components/view-heading.tsx";

// The one field a refusal can be about: the role is picked from the roles there are.
const FIELDS = ["id"] as const;

const LIST: ListSpec<DeviceResponse> = {
  caption: "Devices",
  columns: [
    { heading: "Device", cell: (device) => device.id, className: "font-medium text-slate-900" },
    { heading: "Role", cell: (device) => device.role },
    { heading: "Request topic", cell: (device) => device.request_topic, className: "font-mono text-xs" },
    { heading: "Last token", cell: (device) => <LastTime value={device.last_token_at} /> },
  ],
  rowKey: (device) => device.id,
  rowAttributes: (device) => ({ "data-testid": "device-row", "data-id": device.id }),
  empty: "No devices yet.",
};

export function DevicesView({
  initial,
  roles,
  defaultRole,
}: {
  initial: DeviceResponse[];
  roles: string[];
  defaultRole: string;
}) {
  const [devices, setDevices] = useState(initial);
  const [id, setId] = useState("");
  const [role, setRole] = useState(defaultRole);
  const [errors, setErrors] = useState<FieldErrors<(typeof FIELDS)[number]>>({});
  const [pending, setPending] = useState(false);
  const [registered, setRegistered] = useState<RegisteredDevice | null>(null);
  const remove = useConfirmAction(
    (device: DeviceResponse) =>
      callApi<{ removed: boolean }>("DELETE", `/api/devices/${encodeURIComponent(device.id)}`),
    (device) => setDevices((current) => current.filter((other) => other.id !== device.id)),
  );
  // One sentence at a time, under the form; the field it is about (if any) is marked invalid and points at it.
  const [error] = Object.values(errors);

  // Register: the schema the API uses first, then the API; its refusal names the field (X-Error-Field).
  async function register(event: React.FormEvent) {
    event.preventDefault();
    const parsed = registerDeviceSchema.safeParse({ id, role });
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      return setErrors(errorsByField(FIELDS, [{ field: issue!.path[0], message: issue!.message }]));
    }
    setPending(true);
    const result = await callApi<RegisteredDevice>("POST", "/api/devices", parsed.data);
    setPending(false);
    if (!result.ok) return setErrors(errorsByField(FIELDS, [result]));
    setErrors({});
    setId("");
    setRegistered(result.data);
    const { mqtt: _secret, ...row } = result.data;
    setDevices((current) => [...current, row]);
  }

  return (
    <section aria-labelledby="devices-heading">
      <ViewHeading id="devices-heading" title="Devices">
        A registered device connects to the broker with its own credentials and gets a REST token by publishing an empty
        message to its request topic.
      </ViewHeading>
      <form onSubmit={register} noValidate className="mt-6 flex flex-wrap items-end gap-3">
        <label className="text-sm font-medium text-slate-700">
          Device id
          <input
            value={id}
            onChange={(event) => setId(event.target.value)}
            aria-invalid={errors.id ? true : undefined}
            aria-describedby={errors.id ? "device-error" : undefined}
            className="mt-1 block w-64 rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
        </label>
        <label className="text-sm font-medium text-slate-700">
          Role
          <select
            value={role}
            onChange={(event) => setRole(event.target.value)}
            className="mt-1 block rounded-md border border-slate-300 px-3 py-2 text-sm"
          >
            {roles.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <Button type="submit" disabled={pending}>
          {pending ? "Registering…" : "Register device"}
        </Button>
      </form>
      {error ? (
        <p id="device-error" role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <ListTable
        {...LIST}
        rows={devices}
        action={(device) => (
          <Button variant="secondary" onClick={() => remove.ask(device)} aria-label={`Remove device ${device.id}`}>
            Remove
          </Button>
        )}
        className="mt-6"
      />
      <Dialog open={registered !== null} onClose={() => setRegistered(null)} title="Device registered">
        <div className="space-y-3 text-sm text-slate-700">
          <p>
            Configure <strong>{registered?.id}</strong> with these MQTT credentials.{" "}
            <strong>The password will never be shown again.</strong>
          </p>
          <p>
            Username and client id: <code className="font-mono">{registered?.mqtt.username}</code>
          </p>
          <p className="flex items-center gap-2">
            Password:{" "}
            <code data-testid="device-password" className="font-mono break-all">
              {registered?.mqtt.password}
            </code>
            {registered ? <CopyButton value={registered.mqtt.password} label="Copy password" /> : null}
          </p>
          <p>
            Request a token:{" "}
            <code className="font-mono break-all">{`mosquitto_rr -t ${registered?.request_topic} -e ${registered?.response_topic} -m ''`}</code>
          </p>
          <div className="flex justify-end">
            <Button onClick={() => setRegistered(null)}>Done</Button>
          </div>
        </div>
      </Dialog>
      <ConfirmDialog {...remove.dialog} title="Remove device" action="Remove" pendingAction="Removing…">
        Remove <strong className="font-semibold text-slate-900">{remove.target?.id}</strong>? The broker disconnects it,
        and every token it was issued stops working.
      </ConfirmDialog>
    </section>
  );
}
