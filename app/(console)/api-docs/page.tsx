import { requireUser } from "@/lib/auth/require-permission.ts";
import { openApiDocument } from "@/lib/openapi/document.ts";

export const metadata = { title: "API · Tessera" };

type Schema = Record<string, unknown>;
type Operation = Schema & {
  summary: string;
  description?: string;
  tags: string[];
  "x-served"?: boolean;
  "x-permission"?: string;
  "x-roles"?: string[];
  parameters: { name: string; in: string; required: boolean; description?: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, Response | { $ref: string }>;
};
type Response = { description: string; content?: Record<string, { schema: Schema }> };

const METHOD_COLOURS: Record<string, string> = {
  get: "bg-sky-100 text-sky-800",
  post: "bg-emerald-100 text-emerald-800",
  put: "bg-amber-100 text-amber-800",
  patch: "bg-violet-100 text-violet-800",
  delete: "bg-rose-100 text-rose-800",
};

function SchemaBlock({ label, schema }: { label: string; schema: Schema }) {
  return (
    <details className="mt-2">
      <summary className="cursor-pointer text-xs font-medium text-slate-600">{label}</summary>
      <pre className="mt-1 max-h-96 overflow-auto rounded-md bg-slate-50 p-3 text-xs text-slate-800">
        {JSON.stringify(schema, null, 2)}
      </pre>
    </details>
  );
}

// GET /api-docs - the OpenAPI document, readable: every path and method, its permission, summary and schemas (any signed-in user)
export default async function ApiDocsPage() {
  await requireUser(); // the layout guards too, but both render at once
  const doc = openApiDocument();
  const shared = (doc.components as { responses: Record<string, Response> }).responses;
  const resolve = (response: Response | { $ref: string }): Response =>
    "$ref" in response ? shared[response.$ref.split("/").pop()!]! : response;
  const tags = (doc.tags as { name: string; description: string }[]).map((tag) => ({
    ...tag,
    operations: Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Operation>)
        .filter(([, op]) => op["x-served"] !== false && op.tags.includes(tag.name))
        .map(([method, op]) => ({ path, method, op })),
    ),
  }));
  return (
    <section aria-labelledby="api-heading">
      <h1 id="api-heading" className="text-2xl font-semibold tracking-tight">
        API
      </h1>
      <p className="mt-2 max-w-3xl text-sm text-slate-700">
        The OpenAPI 3.1 document of Tessera&apos;s API, as{" "}
        <a href="/api/openapi.json" className="font-medium text-sky-700 underline">
          /api/openapi.json
        </a>{" "}
        serves it. Send an application token as <code>Authorization: Bearer &lt;token&gt;</code> (or{" "}
        <code>?token=</code>); the console&apos;s session works too. Error bodies are plain-text sentences. Each path
        also answers OPTIONS (204 with Allow) and any other method with 405.
      </p>
      {tags
        .filter((tag) => tag.operations.length > 0)
        .map((tag) => (
          <section key={tag.name} aria-labelledby={`tag-${tag.name}`} className="mt-8">
            <h2 id={`tag-${tag.name}`} className="text-lg font-semibold text-slate-900">
              {tag.description} <span className="text-sm font-normal text-slate-500">({tag.name})</span>
            </h2>
            <ul className="mt-3 space-y-3">
              {tag.operations.map(({ path, method, op }) => (
                <li
                  key={`${method} ${path}`}
                  data-testid="api-operation"
                  className="rounded-lg border border-slate-200 bg-white p-4"
                >
                  <div className="flex flex-wrap items-center gap-3">
                    <span
                      className={`rounded px-2 py-0.5 font-mono text-xs font-semibold uppercase ${METHOD_COLOURS[method] ?? ""}`}
                    >
                      {method}
                    </span>
                    <code className="text-sm font-medium">{path}</code>
                    <span className="text-xs text-slate-600">
                      {op["x-permission"]
                        ? `${op["x-permission"]} (${op["x-roles"]?.join(", ")})`
                        : "no app token or session"}
                    </span>
                  </div>
                  <p className="mt-2 text-sm text-slate-800">{op.summary}</p>
                  {op.description ? (
                    <p className="mt-1 whitespace-pre-line text-xs text-slate-600">{op.description}</p>
                  ) : null}
                  {op.parameters.length > 0 ? (
                    <p className="mt-2 text-xs text-slate-700">
                      Parameters:{" "}
                      {op.parameters.map((p) => `${p.name} (${p.in}${p.required ? ", required" : ""})`).join("; ")}
                    </p>
                  ) : null}
                  {op.requestBody ? (
                    <SchemaBlock label="Request body" schema={op.requestBody.content["application/json"]!.schema} />
                  ) : null}
                  <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
                    {Object.entries(op.responses).map(([status, answer]) => {
                      const response = resolve(answer);
                      return (
                        <div key={status} className="contents">
                          <dt className="font-mono font-semibold text-slate-700">{status}</dt>
                          <dd className="text-slate-700">
                            {response.description}
                            {status === "200" && response.content?.["application/json"] ? (
                              <SchemaBlock label="Answer" schema={response.content["application/json"].schema} />
                            ) : null}
                          </dd>
                        </div>
                      );
                    })}
                  </dl>
                </li>
              ))}
            </ul>
          </section>
        ))}
    </section>
  );
}
