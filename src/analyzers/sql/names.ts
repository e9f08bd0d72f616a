import type { Node, RangeVar } from "libpg-query";

/** `schema.table` as written; unqualified names stay unqualified (the search path is unknown). */
export function relationName(rv: RangeVar): string {
  const name = rv.relname ?? "";
  if (rv.schemaname === undefined) return name;
  return rv.catalogname === undefined
    ? `${rv.schemaname}.${name}`
    : `${rv.catalogname}.${rv.schemaname}.${name}`;
}

/** The dotted name of an object in a DROP/COMMENT/... list: `List` of `String`, or one `String`. */
export function objectName(node: Node | undefined): string {
  if (node === undefined) return "";
  if ("String" in node) return node.String.sval ?? "";
  if ("List" in node) return (node.List.items ?? []).map(objectName).join(".");
  if ("ObjectWithArgs" in node)
    return (node.ObjectWithArgs.objname ?? []).map(objectName).join(".");
  if ("TypeName" in node) return (node.TypeName.names ?? []).map(objectName).join(".");
  return "";
}

/** Tables whose contents are someone's safety net: writing to them crosses a red line. */
export type ProtectedKind = "backup" | "audit";

const BACKUP_WORDS = new Set([
  "backup",
  "backups",
  "bak",
  "bkp",
  "snapshot",
  "snapshots",
  "archive",
  "archives",
  "archived",
]);
const AUDIT_WORDS = new Set([
  "audit",
  "audits",
  "auditing",
  "auditlog",
  "auditlogs",
  "audittrail",
  "pgaudit",
  "logged_actions",
]);

/** Words of a name: `public.users_backup_2024` → public, users, backup. */
function words(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[._]/)
    .map((w) => w.replace(/\d+$/, ""))
    .filter((w) => w !== "");
}

/** By name: `*_backup`, `bak_*`, `snapshots`, `archive.*`; `audit_log`, `*_audit`, `pgaudit`... */
export function protectedKind(name: string): ProtectedKind | undefined {
  const ws = words(name);
  if (ws.some((w) => AUDIT_WORDS.has(w)) || AUDIT_WORDS.has(lastPart(name).toLowerCase()))
    return "audit";
  if (ws.some((w) => BACKUP_WORDS.has(w))) return "backup";
  return undefined;
}

const SCRATCH_WORDS = new Set(["tmp", "temp", "scratch"]);

/**
 * Scratch tables may be emptied or dropped freely: `pg_temp.*`, tables this same input created
 * TEMP, and names that say so (`tmp_*`, `temp_*`, `*_tmp`, `*_temp`). Names are a convention,
 * not a proof; a protected name (`tmp_backup`) is never scratch.
 */
export function isScratch(name: string, temporary: ReadonlySet<string>): boolean {
  if (temporary.has(name)) return true;
  if (protectedKind(name) !== undefined) return false;
  const parts = name.toLowerCase().split(".");
  if (parts.length > 1 && parts[parts.length - 2]?.startsWith("pg_temp")) return true;
  const ws = (parts[parts.length - 1] ?? "").split("_");
  return SCRATCH_WORDS.has(ws[0] ?? "") || SCRATCH_WORDS.has(ws[ws.length - 1] ?? "");
}

function lastPart(name: string): string {
  const i = name.lastIndexOf(".");
  return i < 0 ? name : name.slice(i + 1);
}
