import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { routeFiles } from "./routes.ts";

// Checking real answers against the OpenAPI document (GET /api/openapi.json):
// the status is documented for the operation, the content type is one it
// documents, and the body is valid against that content's JSON Schema (ajv,
// draft 2020-12, the dialect of OpenAPI 3.1).

type Schema = Record<string, unknown>;
export type OpenApiDocument = { openapi: string; paths: Record<string, Record<string, Schema>> } & Schema;
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
(addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();

function validate(schema: Schema, value: unknown, where: string) {
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = ajv.compile(schema)));
  assert.ok(check(value), `${where}: ${ajv.errorsText(check.errors)}\n${JSON.stringify(value).slice(0, 500)}`);
}

/** The operation for method on pathTemplate (/api/tokens/{hash}), asserting it is documented. */
export function operation(doc: OpenApiDocument, method: string, pathTemplate: string): Schema {
  const item = doc.paths[pathTemplate];
  assert.ok(item, `${pathTemplate} is documented`);
  const found = item[method.toLowerCase()];
  assert.ok(found, `${method} ${pathTemplate} is documented`);
  return found;
}

/**
 * Asserts that a real answer is what the document says: its status is one of the operation's responses, its
 * content type one of that response's, its body valid against that content's schema; and, when given, that the
 * request body sent is valid against the documented request body. Returns the answer's body.
 */
export function assertDocumented(
  doc: OpenApiDocument,
  method: string,
  pathTemplate: string,
  answer: Answer,
  requestBody?: unknown,
): unknown {
  const where = `${method} ${pathTemplate} ${answer.status}`;
  const op = operation(doc, method, pathTemplate);
  const responses = op.responses as Record<string, Schema>;
  let response = responses[String(answer.status)];
  assert.ok(response, `${where}: status documented (documented: ${Object.keys(responses).join(", ")})`);
  if (typeof response.$ref === "string") {
    const name = /^#\/components\/responses\/(\w+)$/.exec(response.$ref)?.[1];
    response = ((doc.components as { responses?: Record<string, Schema> } | undefined)?.responses ?? {})[name ?? ""]!;
    assert.ok(response, `${where}: ${String(responses[String(answer.status)]!.$ref)} resolves`);
  }
  if (requestBody !== undefined && answer.status < 300) {
    const content = (op.requestBody as { content: Record<string, { schema: Schema }> } | undefined)?.content;
    assert.ok(content?.["application/json"], `${where}: request body documented`);
    validate(content["application/json"].schema, requestBody, `${where} request body`);
  }
  const content = response.content as Record<string, { schema: Schema }> | undefined;
  if (!content) {
    assert.equal(answer.body, "", `${where}: documented without a body`);
    return answer.body;
  }
  const type = answer.headers.get("content-type")?.split(";")[0]?.trim() ?? "";
  assert.ok(content[type], `${where}: content type ${type} documented (${Object.keys(content).join(", ")})`);
  validate(content[type].schema, answer.body, where);
  for (const name of Object.keys((response.headers ?? {}) as Record<string, unknown>)) {
    if (name === "Allow") assert.ok(answer.headers.get("allow"), `${where}: Allow header`);
  }
  return answer.body;
}

/** The documented path template (/api/broker/clients/{username}) a concrete path (no query) falls under. */
export function templateOf(doc: OpenApiDocument, pathname: string): string {
  const matches = Object.keys(doc.paths).filter((template) =>
    new RegExp(`^${template.replace(/[.$]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}/?$`).test(pathname),
  );
  // A literal path before a parameterised one (/api/mqtt/tokens/refresh is not an {id}).
  matches.sort((a, b) => a.split("{").length - b.split("{").length);
  assert.ok(matches[0], `${pathname}: a documented path`);
  return matches[0];
}

/** The methods a route file exports: those it serves, and those otherMethods answers with 405 (and OPTIONS). */
export function routeExports(route: string): { served: string[]; refused: string[] } {
  const source = readFileSync(path.join("app", ...route.split("/").filter(Boolean), "route.ts"), "utf8");
  const served = new Set<string>();
  const refused = new Set<string>();
  for (const match of source.matchAll(/export\s+(?:const|async function|function)\s+([A-Z]+)\b/g))
    served.add(match[1]!);
  for (const match of source.matchAll(/export\s*\{([^}]*)\}\s*;/g))
    for (const part of match[1]!.split(",")) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()!;
      if (/^[A-Z]+$/.test(name)) served.add(name);
    }
  for (const match of source.matchAll(/export\s+const\s*\{([^}]*)\}\s*=\s*otherMethods/g))
    for (const name of match[1]!.split(",").map((part) => part.trim())) if (name) refused.add(name);
  return { served: [...served].sort(), refused: [...refused].sort() };
}

export { routeFiles };
