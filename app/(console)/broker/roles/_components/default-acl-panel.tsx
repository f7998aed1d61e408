"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { defaultAclSchema, DEFAULT_ACL_TYPES } from "@/lib/schemas/broker.ts";
import { callApi } from "../../../tokens/_components/api.ts";
import { sendForm } from "../../_components/send-form.ts";
import { FormError } from "../../_components/text-field.tsx";

type DefaultAcl = { acltype: (typeof DEFAULT_ACL_TYPES)[number]; allow: boolean };

/**
 * The broker's default ACL access (GET/PUT /api/broker/default-acl): what a client may do where none of its roles has
 * an ACL for the topic. Writers change it with the checkboxes and Save; everyone else sees it.
 */
export function DefaultAclPanel({ write }: { write: boolean }) {
  const [acls, setAcls] = useState<DefaultAcl[] | null>(null);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    let live = true;
    void callApi<{ acls: DefaultAcl[] }>("GET", "/api/broker/default-acl").then((result) => {
      if (!live) return;
      if (result.ok) setAcls(result.data.acls);
      else setError(result.message);
    });
    return () => {
      live = false;
    };
  }, []);

  // Save: all four, as shown; the answer is the broker's access now.
  async function save(event: React.FormEvent) {
    event.preventDefault();
    if (!acls) return;
    setPending(true);
    const result = await sendForm<never, { acls: DefaultAcl[] }>(
      [],
      defaultAclSchema,
      "PUT",
      "/api/broker/default-acl",
      {
        acls,
      },
    );
    setPending(false);
    if (!result.ok) return setError(result.errors.form);
    setError(undefined);
    setAcls(result.data.acls);
    setSaved(true);
  }

  return (
    <form onSubmit={save} aria-labelledby="default-acl-heading" className="mt-8 space-y-3">
      <h2 id="default-acl-heading" className="text-lg font-semibold text-slate-900">
        Default ACL access
      </h2>
      <p className="text-sm text-slate-600">What any client may do where none of its roles has an ACL for the topic.</p>
      <FormError message={error} />
      {acls ? (
        <div className="flex flex-wrap gap-x-6 gap-y-2 text-sm" data-testid="default-acl">
          {DEFAULT_ACL_TYPES.map((acltype) => {
            const allow = acls.find((acl) => acl.acltype === acltype)?.allow ?? false;
            return (
              <label key={acltype} className="inline-flex items-center gap-1.5">
                <input
                  type="checkbox"
                  checked={allow}
                  disabled={!write}
                  onChange={(event) => {
                    setSaved(false);
                    const others = acls.filter((acl) => acl.acltype !== acltype);
                    setAcls([...others, { acltype, allow: event.target.checked }]);
                  }}
                />
                {acltype}
              </label>
            );
          })}
        </div>
      ) : null}
      {write && acls ? (
        <div className="flex items-center gap-3">
          <Button type="submit" variant="secondary" disabled={pending}>
            {pending ? "Saving…" : "Save default access"}
          </Button>
          {saved ? (
            <span role="status" className="text-sm text-emerald-700">
              Saved.
            </span>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}
