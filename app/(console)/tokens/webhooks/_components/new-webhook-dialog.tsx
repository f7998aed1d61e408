"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { CopyButton } from "@/components/ui/copy-button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { describedBy, FieldError } from "@/components/ui/field-error.tsx";
import { createWebhookSchema, type CreatedWebhookResponse, type WebhookResponse } from "@/lib/schemas/webhooks.ts";
import { DEFAULT_EXPIRING_DAYS, WEBHOOK_EVENTS, type WebhookEvent } from "@/lib/webhooks/events.ts";
import { callApi, errorsByField, type FieldErrors } from "../../_components/api.ts";

const FIELDS = ["url", "description", "events", "expiringDays"] as const;
type Errors = FieldErrors<(typeof FIELDS)[number]>;

const DEFAULT_THRESHOLDS = DEFAULT_EXPIRING_DAYS.join(", ");

/** "7, 1" as [7, 1]; anything that is not a number stays NaN, for the schema to refuse with its own sentence. */
function parseThresholds(text: string): number[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map(Number);
}

export function NewWebhookDialog({ open, onClose }: { open: boolean; onClose: (created?: WebhookResponse) => void }) {
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>([...WEBHOOK_EVENTS]);
  const [thresholds, setThresholds] = useState(DEFAULT_THRESHOLDS);
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState<CreatedWebhookResponse | null>(null);
  const expiring = events.includes("token.expiring");

  // Done, Cancel, Escape: the next New endpoint starts blank, and the list gets the new row without its secret.
  function close() {
    const result = created ? (({ secret: _secret, ...row }) => row)(created) : undefined;
    setUrl("");
    setDescription("");
    setEvents([...WEBHOOK_EVENTS]);
    setThresholds(DEFAULT_THRESHOLDS);
    setErrors({});
    setCreated(null);
    onClose(result);
  }

  function toggle(event: WebhookEvent, checked: boolean) {
    // Kept in WEBHOOK_EVENTS' order, whatever order they were ticked in.
    setEvents((current) => WEBHOOK_EVENTS.filter((name) => (name === event ? checked : current.includes(name))));
  }

  // Create: the API's own schema first (no round trip for what it would refuse), then the API.
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    // The thresholds only matter to token.expiring; without it they are left at the server's default.
    const body = { url, description, events, ...(expiring ? { expiringDays: parseThresholds(thresholds) } : {}) };
    const parsed = createWebhookSchema.safeParse(body);
    if (!parsed.success) {
      return setErrors(
        errorsByField(
          FIELDS,
          parsed.error.issues.map(({ path, message }) => ({ field: path[0], message })),
        ),
      );
    }
    setErrors({});
    setPending(true);
    const result = await callApi<CreatedWebhookResponse>("POST", "/api/webhooks", parsed.data);
    setPending(false);
    // The server says which field its refusal is about (X-Error-Field: a private address is the url's).
    if (result.ok) setCreated(result.data);
    else setErrors(errorsByField(FIELDS, [result]));
  }

  const field =
    "mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 disabled:bg-slate-50 disabled:text-slate-400 aria-[invalid=true]:ring-red-400";
  return (
    <Dialog open={open} onClose={close} title={created ? "Endpoint created" : "New endpoint"}>
      {created ? (
        <div className="space-y-4">
          <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200">
            Copy this signing secret now and give it to the receiver, which verifies each message&apos;s
            webhook-signature with it. It will not be shown again.
          </p>
          <div className="flex items-start gap-2">
            <code
              data-testid="webhook-secret"
              className="block flex-1 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs break-all text-slate-100"
            >
              {created.secret}
            </code>
            <CopyButton value={created.secret} label="Copy signing secret" />
          </div>
          <div className="flex justify-end">
            <Button onClick={close}>Done</Button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit} noValidate className="space-y-4">
          {errors.form ? (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
              {errors.form}
            </p>
          ) : null}
          <div>
            <label htmlFor="webhook-url" className="text-sm font-medium text-slate-700">
              URL
            </label>
            <input
              id="webhook-url"
              type="url"
              value={url}
              onChange={(event) => setUrl(event.target.value)}
              placeholder="https://example.com/hooks/tessera"
              required
              autoFocus
              aria-invalid={!!errors.url}
              aria-describedby={describedBy(undefined, "webhook-url-error", errors.url)}
              className={field}
            />
            <FieldError id="webhook-url-error" message={errors.url} />
          </div>
          <div>
            <label htmlFor="webhook-description" className="text-sm font-medium text-slate-700">
              Description <span className="font-normal text-slate-500">(optional)</span>
            </label>
            <input
              id="webhook-description"
              value={description}
              onChange={(event) => setDescription(event.target.value)}
              maxLength={200}
              aria-invalid={!!errors.description}
              aria-describedby={describedBy(undefined, "webhook-description-error", errors.description)}
              className={field}
            />
            <FieldError id="webhook-description-error" message={errors.description} />
          </div>
          <fieldset aria-describedby={describedBy(undefined, "webhook-events-error", errors.events)}>
            <legend className="text-sm font-medium text-slate-700">Events</legend>
            <div className="mt-1 space-y-1">
              {WEBHOOK_EVENTS.map((name) => (
                <label key={name} className="flex items-center gap-2 text-sm text-slate-700">
                  <input
                    type="checkbox"
                    checked={events.includes(name)}
                    onChange={(event) => toggle(name, event.target.checked)}
                    className="size-4 rounded border-slate-300"
                  />
                  <span className="font-mono text-xs">{name}</span>
                </label>
              ))}
            </div>
            <FieldError id="webhook-events-error" message={errors.events} />
          </fieldset>
          <div>
            <label htmlFor="webhook-expiring-days" className="text-sm font-medium text-slate-700">
              Expiry thresholds (days)
            </label>
            <input
              id="webhook-expiring-days"
              value={thresholds}
              onChange={(event) => setThresholds(event.target.value)}
              disabled={!expiring}
              inputMode="numeric"
              aria-invalid={!!errors.expiringDays}
              aria-describedby={describedBy(
                "webhook-expiring-days-hint",
                "webhook-expiring-days-error",
                errors.expiringDays,
              )}
              className={field}
            />
            <p id="webhook-expiring-days-hint" className="mt-1 text-xs text-slate-500">
              token.expiring is sent this many days before a token expires, once per threshold; comma-separated.
            </p>
            <FieldError id="webhook-expiring-days-error" message={errors.expiringDays} />
          </div>
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? "Creating…" : "Create"}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
