import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { SqlRunner } from "../../lib/db/sql-runner.ts";

/**
 * Compares a migrated database with prisma/schema.prisma: every model's
 * table, every field's column (type, nullability, database-side default),
 * every enum and its values, every primary key, unique and plain index, and
 * every foreign key. Anything in one and not the other is a difference.
 * The schema is read through Prisma's own parser (prisma-schema-wasm), so
 * the expectation is what Prisma itself understands the schema to say.
 */

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  nativeType?: [string, string[]] | null;
  hasDefaultValue: boolean;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  fields: { name: string }[];
}
interface Datamodel {
  enums: { name: string; dbName?: string | null; values: { name: string; dbName?: string | null }[] }[];
  models: DmmfModel[];
  indexes: DmmfIndex[];
}

export async function readDatamodel(schemaPath = "prisma/schema.prisma"): Promise<Datamodel> {
  const require = createRequire(import.meta.url);
  const wasm = require("@prisma/prisma-schema-wasm") as { get_dmmf(params: string): string };
  const schema = await readFile(schemaPath, "utf8");
  const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", schema]] })));
  return dmmf.datamodel as Datamodel;
}

const scalarTypes: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  Boolean: "boolean",
  Decimal: "numeric(65,30)",
  Json: "jsonb",
  Bytes: "bytea",
  DateTime: "timestamp(3) without time zone",
};

function nativeTypeName([name, args]: [string, string[]]): string {
  const arg = args.length > 0 ? `(${args.join(",")})` : "";
  switch (name) {
    case "VarChar":
      return `character varying${arg}`;
    case "Char":
      return `character${arg}`;
    case "Timestamptz":
      return `timestamp${arg || "(6)"} with time zone`;
    case "Timestamp":
      return `timestamp${arg || "(6)"} without time zone`;
    case "Time":
      return `time${arg || "(6)"} without time zone`;
    case "Timetz":
      return `time${arg || "(6)"} with time zone`;
    case "Integer":
      return "integer";
    case "SmallInt":
      return "smallint";
    case "BigInt":
      return "bigint";
    case "DoublePrecision":
      return "double precision";
    case "Real":
      return "real";
    case "Decimal":
      return `numeric${arg}`;
    case "Uuid":
      return "uuid";
    case "Text":
      return "text";
    case "Date":
      return "date";
    case "JsonB":
      return "jsonb";
    case "Json":
      return "json";
    case "Inet":
      return "inet";
    case "ByteA":
      return "bytea";
    case "Boolean":
      return "boolean";
    default:
      return name.toLowerCase() + arg;
  }
}

function expectedType(field: DmmfField, enumDbNames: Map<string, string>): string {
  const base =
    field.kind === "enum"
      ? (enumDbNames.get(field.type) ?? field.type)
      : field.nativeType
        ? nativeTypeName(field.nativeType)
        : (scalarTypes[field.type] ?? `unknown:${field.type}`);
  return field.isList ? `${base}[]` : base;
}

/** Whether Prisma puts this field's @default into the database (now(), autoincrement(), literals) or computes it itself (uuid(), cuid()...). */
function hasDatabaseDefault(field: DmmfField): boolean {
  if (!field.hasDefaultValue) return false;
  const value = field.default as { name?: string } | undefined;
  if (value && typeof value === "object" && !Array.isArray(value) && typeof value.name === "string") {
    return ["now", "autoincrement", "dbgenerated", "sequence"].includes(value.name);
  }
  return true; // a literal value
}

interface ColumnRow extends Record<string, unknown> {
  table_name: string;
  column_name: string;
  type: string;
  not_null: boolean;
  default_expr: string | null;
}
/**
 * The indexes a migration makes partial, with their predicate as PostgreSQL prints it: Prisma's schema cannot
 * say WHERE, so the schema's comments on these fields say it and this table holds the migrations to it.
 */
const PARTIAL_INDEXES: Record<string, string> = {
  "application_tokens unique index (name)": "(replaced_by IS NULL)",
  "application_tokens unique index (name_skeleton)": "(replaced_by IS NULL)",
};

interface IndexRow extends Record<string, unknown> {
  table_name: string;
  is_primary: boolean;
  is_unique: boolean;
  columns: string[] | string;
  predicate: string | null;
}
interface ForeignKeyRow extends Record<string, unknown> {
  table_name: string;
  columns: string[] | string;
  ref_table: string;
  ref_columns: string[] | string;
}

/** pg returns name[] as a JS array; PGlite may return the text form "{a,b}". */
function asList(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  return value
    .replace(/^\{|\}$/g, "")
    .split(",")
    .filter(Boolean)
    .map((part) => part.replace(/^"|"$/g, ""));
}

/** Every difference between the database behind runner (its current schema) and the datamodel; empty when they agree. */
export async function schemaDrift(runner: SqlRunner, datamodel: Datamodel): Promise<string[]> {
  const differences: string[] = [];

  const enumRows = await runner.query<{ name: string; values: string[] | string }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE t.typnamespace = current_schema()::regnamespace
      GROUP BY t.typname`,
  );
  const actualEnums = new Map(enumRows.map((row) => [row.name, asList(row.values)]));
  const enumDbNames = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  for (const e of datamodel.enums) {
    const dbName = e.dbName ?? e.name;
    const expected = e.values.map((v) => v.dbName ?? v.name);
    const actual = actualEnums.get(dbName);
    if (!actual) differences.push(`enum ${dbName}: missing`);
    else if (actual.join(",") !== expected.join(","))
      differences.push(`enum ${dbName}: values [${actual.join(", ")}], schema says [${expected.join(", ")}]`);
    actualEnums.delete(dbName);
  }
  for (const name of actualEnums.keys()) differences.push(`enum ${name}: in the database, not in the schema`);

  const columnRows = await runner.query<ColumnRow>(
    `SELECT c.relname AS table_name, a.attname AS column_name,
            format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            pg_get_expr(d.adbin, d.adrelid) AS default_expr
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
        AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_prisma_migrations'`,
  );
  const actualTables = new Map<string, Map<string, ColumnRow>>();
  for (const row of columnRows) {
    const table = actualTables.get(row.table_name) ?? new Map<string, ColumnRow>();
    table.set(row.column_name, row);
    actualTables.set(row.table_name, table);
  }

  const tableOf = new Map(datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName);
    return field?.dbName ?? fieldName;
  };

  for (const model of datamodel.models) {
    const table = model.dbName ?? model.name;
    const columns = actualTables.get(table);
    if (!columns) {
      differences.push(`table ${table}: missing`);
      continue;
    }
    for (const field of model.fields) {
      if (field.kind === "object") continue;
      const column = field.dbName ?? field.name;
      const actual = columns.get(column);
      if (!actual) {
        differences.push(`${table}.${column}: missing column`);
        continue;
      }
      columns.delete(column);
      const type = actual.type.replace(/"/g, "");
      const wanted = expectedType(field, enumDbNames);
      if (type !== wanted) differences.push(`${table}.${column}: type ${type}, schema says ${wanted}`);
      if (actual.not_null !== field.isRequired)
        differences.push(
          `${table}.${column}: ${actual.not_null ? "NOT NULL" : "nullable"}, schema says ${field.isRequired ? "required" : "optional"}`,
        );
      const wantsDefault = hasDatabaseDefault(field);
      if (wantsDefault !== (actual.default_expr !== null))
        differences.push(
          `${table}.${column}: default ${actual.default_expr ?? "none"}, schema says ${wantsDefault ? "a database default" : "none"}`,
        );
    }
    for (const extra of columns.keys())
      differences.push(`${table}.${extra}: column in the database, not in the schema`);
    actualTables.delete(table);
  }
  for (const table of actualTables.keys()) differences.push(`table ${table}: in the database, not in the schema`);

  const indexRows = await runner.query<IndexRow>(
    `SELECT t.relname AS table_name, ix.indisprimary AS is_primary, ix.indisunique AS is_unique,
            array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n)
                   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns,
            pg_get_expr(ix.indpred, ix.indrelid) AS predicate
       FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND t.relname <> '_prisma_migrations'`,
  );
  const kindOf = (row: IndexRow) => (row.is_primary ? "primary key" : row.is_unique ? "unique index" : "index");
  const actualIndexes = new Set(
    indexRows.map(
      (row) =>
        `${row.table_name} ${kindOf(row)} (${asList(row.columns).join(", ")})${row.predicate ? ` WHERE ${row.predicate}` : ""}`,
    ),
  );
  const kinds = { id: "primary key", unique: "unique index", normal: "index", fulltext: "fulltext index" } as const;
  for (const index of datamodel.indexes) {
    const model = datamodel.models.find((m) => m.name === index.model)!;
    const plain = `${tableOf.get(index.model)} ${kinds[index.type]} (${index.fields.map((f) => columnOf(model, f.name)).join(", ")})`;
    const key = PARTIAL_INDEXES[plain] ? `${plain} WHERE ${PARTIAL_INDEXES[plain]}` : plain;
    if (!actualIndexes.delete(key)) differences.push(`${key}: missing`);
  }
  for (const key of actualIndexes) differences.push(`${key}: in the database, not in the schema`);

  const fkRows = await runner.query<ForeignKeyRow>(
    `SELECT t.relname AS table_name, r.relname AS ref_table,
            array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns,
            array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS ref_columns
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
      WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace`,
  );
  const actualForeignKeys = new Set(
    fkRows.map(
      (row) =>
        `${row.table_name} (${asList(row.columns).join(", ")}) -> ${row.ref_table} (${asList(row.ref_columns).join(", ")})`,
    ),
  );
  for (const model of datamodel.models) {
    for (const field of model.fields) {
      if (field.kind !== "object" || !field.relationFromFields?.length) continue;
      const target = datamodel.models.find((m) => m.name === field.type)!;
      const key = `${tableOf.get(model.name)} (${field.relationFromFields.map((f) => columnOf(model, f)).join(", ")}) -> ${tableOf.get(target.name)} (${(field.relationToFields ?? []).map((f) => columnOf(target, f)).join(", ")})`;
      if (!actualForeignKeys.delete(key)) differences.push(`foreign key ${key}: missing`);
    }
  }
  for (const key of actualForeignKeys) differences.push(`foreign key ${key}: in the database, not in the schema`);

  return differences;
}
