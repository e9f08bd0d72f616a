import type {
  AlterDatabaseSetStmt,
  AlterDatabaseStmt,
  AlterForeignServerStmt,
  AlterSubscriptionStmt,
  AlterTableCmd,
  AlterTableStmt,
  CreatedbStmt,
  CreateForeignServerStmt,
  CreateForeignTableStmt,
  CreateStmt,
  CreateSubscriptionStmt,
  CreateTableAsStmt,
  DropdbStmt,
  DropStmt,
  Node,
  RenameStmt,
} from "libpg-query";
import { protectedTable } from "./dml.js";
import { constString, mentionsColumn } from "./evaluate.js";
import { connectionHosts } from "./hosts.js";
import { isScratch, objectName, protectedKind } from "./names.js";
import type { Scan } from "./scan.js";
import { setStatementRisks } from "./settings.js";

/** Object kinds whose DROP loses stored rows. Indexes, views, functions, types are rebuilt from source. */
const HOLDS_DATA = new Set(["OBJECT_TABLE", "OBJECT_SCHEMA", "OBJECT_MATVIEW"]);
const RELATIONS = new Set([
  "OBJECT_TABLE",
  "OBJECT_MATVIEW",
  "OBJECT_VIEW",
  "OBJECT_FOREIGN_TABLE",
  "OBJECT_SEQUENCE",
]);
const NAMED_RESOURCES: Record<string, string> = {
  OBJECT_SCHEMA: "schema",
  OBJECT_EXTENSION: "extension",
  OBJECT_FOREIGN_SERVER: "server",
};

function label(type: string | undefined): string {
  return (type ?? "")
    .replace(/^OBJECT_/, "")
    .replace("MATVIEW", "MATERIALIZED_VIEW")
    .replace(/_/g, " ");
}

/**
 * DROP TABLE/SCHEMA/MATERIALIZED VIEW and anything with CASCADE destroy data; scratch tables
 * (names.ts) are exempt. Dropping an index, view, function, type or constraint is plain DDL.
 * Audit-named objects of any kind (an `audit_trigger`, the `pgaudit` extension) are
 * audit.tamper; a row-level security policy is an access rule whose removal also weakens
 * security; an event trigger is a guard.
 */
export function visitDrop(stmt: DropStmt, scan: Scan): void {
  const type = stmt.removeType ?? "";
  const names = (stmt.objects ?? []).map(objectName);
  const what = `DROP ${label(type)} ${names.join(", ")}`;
  const resource = NAMED_RESOURCES[type];
  for (const name of names) {
    if (RELATIONS.has(type)) scan.target("tables", name);
    if (resource !== undefined) scan.target("resources", `postgres:${resource}/${name}`);
    const kind = protectedKind(name);
    if (kind === "audit") scan.add("audit.tamper", `${what} (audit)`);
    if (kind === "backup" && HOLDS_DATA.has(type)) scan.add("backup.destroy", `${what} (a backup)`);
  }
  if (stmt.behavior === "DROP_CASCADE")
    scan.add("data.destroy", `${what} CASCADE, which also drops what depends on it`);
  else if (HOLDS_DATA.has(type) && names.some((n) => !isScratch(n, scan.temporary)))
    scan.add("data.destroy", what);
  if (type === "OBJECT_POLICY") {
    scan.add("iam.change", `${what} changes row-level access`);
    scan.add("security.weaken", `${what} removes a row-level security rule`);
  }
  if (type === "OBJECT_EVENT_TRIGGER") scan.add("security.weaken", `${what} removes a DDL guard`);
}

export function visitDropdb(stmt: DropdbStmt, scan: Scan): void {
  scan.target("resources", `postgres:database/${stmt.dbname ?? ""}`);
  scan.add("data.destroy", `DROP DATABASE ${stmt.dbname ?? ""}`);
}

export function visitDatabase(stmt: CreatedbStmt | AlterDatabaseStmt, scan: Scan): void {
  scan.target("resources", `postgres:database/${stmt.dbname ?? ""}`);
  scan.walk(stmt.options);
}

export function visitAlterDatabaseSet(stmt: AlterDatabaseSetStmt, scan: Scan): void {
  const db = stmt.dbname ?? "";
  scan.target("resources", `postgres:database/${db}`);
  for (const [c, r] of setStatementRisks(`ALTER DATABASE ${db} SET`, stmt.setstmt)) scan.add(c, r);
}

export function visitCreate(stmt: CreateStmt, scan: Scan): void {
  if (stmt.relation?.relpersistence === "t") scan.temporary.add(scan.relation(stmt.relation));
  scan.walk(stmt);
}

export function visitCreateTableAs(stmt: CreateTableAsStmt, scan: Scan): void {
  const rel = stmt.into?.rel;
  if (rel !== undefined) {
    const name = scan.relation(rel);
    if (rel.relpersistence === "t") scan.temporary.add(name);
  }
  if (!stmt.into?.skipData) scan.flag("write");
  scan.walk(stmt.query);
}

/**
 * ALTER TABLE subcommands: DROP COLUMN and a type change whose USING ignores the old value
 * destroy data; disabling triggers, rules or row-level security weakens security; SET UNLOGGED
 * takes the table out of WAL, replicas and point-in-time recovery (backup.destroy); OWNER TO
 * is iam.change. DROP CONSTRAINT loses no data and stays plain DDL.
 */
export function visitAlterTable(stmt: AlterTableStmt, scan: Scan): void {
  const table = stmt.relation ? scan.relation(stmt.relation) : "";
  const alter = `ALTER ${label(stmt.objtype ?? "OBJECT_TABLE")} ${table}`;
  for (const node of stmt.cmds ?? [])
    if ("AlterTableCmd" in node) alterTableCmd(node.AlterTableCmd, alter, table, scan);
  scan.walk(stmt.cmds);
}

const DISABLES = new Set([
  "AT_DisableTrig",
  "AT_DisableTrigAll",
  "AT_DisableTrigUser",
  "AT_EnableReplicaTrig",
  "AT_DisableRule",
  "AT_EnableReplicaRule",
  "AT_DisableRowSecurity",
  "AT_NoForceRowSecurity",
]);

function alterTableCmd(cmd: AlterTableCmd, alter: string, table: string, scan: Scan): void {
  const subtype = cmd.subtype ?? "";
  const what = `${alter} ${WORDS[subtype] ?? subtype}${cmd.name ? ` ${cmd.name}` : ""}`;
  if (subtype === "AT_DropColumn") {
    scan.add("data.destroy", what);
    protectedTable(scan, what, table);
  } else if (subtype === "AT_AlterColumnType" && overwrites(cmd.def)) {
    scan.add("data.destroy", `${what} TYPE ... USING an expression that ignores the old values`);
    scan.flag("unbounded");
  } else if (DISABLES.has(subtype)) {
    scan.add("security.weaken", what);
    if (protectedKind(`${table}.${cmd.name ?? ""}`) === "audit") scan.add("audit.tamper", what);
  } else if (subtype === "AT_ChangeOwner") {
    scan.add("iam.change", `${alter} OWNER TO ${cmd.newowner?.rolename ?? ""}`);
  } else if (subtype === "AT_SetUnLogged") {
    scan.add("backup.destroy", `${what}: no WAL, so no replica or point-in-time recovery`);
  } else if (subtype === "AT_GenericOptions") {
    foreignOptions(cmd.def && "List" in cmd.def ? cmd.def.List.items : undefined, alter, scan);
  }
}

const WORDS: Record<string, string> = {
  AT_DropColumn: "DROP COLUMN",
  AT_AlterColumnType: "ALTER COLUMN",
  AT_DisableTrig: "DISABLE TRIGGER",
  AT_DisableTrigAll: "DISABLE TRIGGER ALL",
  AT_DisableTrigUser: "DISABLE TRIGGER USER",
  AT_EnableReplicaTrig: "ENABLE REPLICA TRIGGER",
  AT_DisableRule: "DISABLE RULE",
  AT_EnableReplicaRule: "ENABLE REPLICA RULE",
  AT_DisableRowSecurity: "DISABLE ROW LEVEL SECURITY",
  AT_NoForceRowSecurity: "NO FORCE ROW LEVEL SECURITY",
  AT_SetUnLogged: "SET UNLOGGED",
};

/** A column type change whose USING expression does not read the column overwrites it. */
function overwrites(def: Node | undefined): boolean {
  if (def === undefined || !("ColumnDef" in def)) return false;
  const using = def.ColumnDef.raw_default;
  return using !== undefined && !mentionsColumn(using);
}

export function visitRename(stmt: RenameStmt, scan: Scan): void {
  const type = stmt.renameType ?? "";
  const name = stmt.relation
    ? scan.relation(stmt.relation)
    : stmt.object
      ? objectName(stmt.object)
      : (stmt.subname ?? "");
  const object = type === "OBJECT_COLUMN" ? `${name} RENAME COLUMN ${stmt.subname ?? ""}` : name;
  const what = `ALTER ${label(type === "OBJECT_COLUMN" ? "OBJECT_TABLE" : type)} ${object} RENAME TO ${stmt.newname ?? ""}`;
  if (protectedKind(name) === "audit") scan.add("audit.tamper", `${what} (audit)`);
  if (type === "OBJECT_ROLE") scan.add("iam.change", what);
  if (type === "OBJECT_DATABASE") scan.target("resources", `postgres:database/${name}`);
}

/** file_fdw reads a server file (`filename`) or runs a command (`program`). */
function foreignOptions(options: Node[] | undefined, where: string, scan: Scan): void {
  for (const node of options ?? []) {
    if (!("DefElem" in node)) continue;
    const value = constString(node.DefElem.arg);
    if (value === undefined) continue;
    if (node.DefElem.defname === "program")
      scan.add("code.remote_exec", `${where} runs '${value}' on the database server`);
    if (node.DefElem.defname === "filename") {
      scan.add("secret.access", `${where} reads the server file ${value}`);
      scan.target("paths", value);
    }
  }
}

export function visitCreateForeignTable(stmt: CreateForeignTableStmt, scan: Scan): void {
  const name = stmt.base?.relation ? scan.relation(stmt.base.relation) : "";
  foreignOptions(stmt.options, `CREATE FOREIGN TABLE ${name}`, scan);
  scan.walk(stmt.base);
}

/** A foreign server on another host is a way out; without a host it is the local server. */
export function visitForeignServer(
  stmt: CreateForeignServerStmt | AlterForeignServerStmt,
  scan: Scan,
): void {
  const name = stmt.servername ?? "";
  scan.target("resources", `postgres:server/${name}`);
  foreignOptions(stmt.options, `SERVER ${name}`, scan);
  const hosts = (stmt.options ?? []).flatMap((n) =>
    "DefElem" in n && /^host(addr)?$/.test(n.DefElem.defname ?? "")
      ? connectionHosts(`host=${constString(n.DefElem.arg) ?? ""}`)
      : [],
  );
  if (hosts.length > 0) scan.egress(hosts, `SERVER ${name} connects to another server`);
}

/** A subscription pulls from the server of its connection string (no host: the local one). */
export function visitSubscription(
  stmt: CreateSubscriptionStmt | AlterSubscriptionStmt,
  scan: Scan,
): void {
  const hosts = connectionHosts(stmt.conninfo ?? "");
  if (hosts.length > 0)
    scan.egress(hosts, `SUBSCRIPTION ${stmt.subname ?? ""} connects to another server`);
}
