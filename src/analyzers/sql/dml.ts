import type {
  CopyStmt,
  DefElem,
  DeleteStmt,
  ExecuteStmt,
  ExplainStmt,
  InsertStmt,
  MergeStmt,
  Node,
  PrepareStmt,
  RangeVar,
  RuleStmt,
  SelectStmt,
  TruncateStmt,
  UpdateStmt,
} from "libpg-query";
import { isScratch, protectedKind } from "./names.js";
import { type Truth, truth, unboundedBy } from "./predicate.js";
import type { Scan } from "./scan.js";

/** `DELETE from x` / `UPDATE x` on a backup or audit table crosses their red lines too. */
export function protectedTable(scan: Scan, what: string, table: string): void {
  const kind = protectedKind(table);
  if (kind === "audit") scan.add("audit.tamper", `${what} (an audit table)`);
  if (kind === "backup") scan.add("backup.destroy", `${what} (a backup table)`);
}

/** Writing to the catalogue of roles and passwords is an identity change. */
function credentialTable(scan: Scan, what: string, table: string): void {
  if (/^(pg_catalog\.)?(pg_authid|pg_shadow|pg_user_mapping)$/.test(table))
    scan.add("iam.change", `${what} changes stored credentials`);
}

/** DELETE and UPDATE: unbounded (no WHERE, an always-true or row-independent one) destroy data. */
function rowWrite(
  scan: Scan,
  verb: "DELETE from" | "UPDATE",
  relation: RangeVar | undefined,
  where: Node | undefined,
): void {
  if (relation === undefined) return;
  const table = scan.relation(relation);
  const what = `${verb} ${table}`;
  const unbounded = unboundedBy(where, table) ?? (scan.loops > 0 ? "inside a loop" : undefined);
  if (unbounded !== undefined && !isScratch(table, scan.temporary)) {
    scan.add("data.destroy", `${what} ${unbounded}`);
    scan.flag("unbounded");
  }
  protectedTable(scan, what, table);
  credentialTable(scan, what, table);
}

export function visitDelete(stmt: DeleteStmt, scan: Scan): void {
  rowWrite(scan, "DELETE from", stmt.relation, stmt.whereClause);
  scan.walk(stmt);
}

export function visitUpdate(stmt: UpdateStmt, scan: Scan): void {
  rowWrite(scan, "UPDATE", stmt.relation, stmt.whereClause);
  scan.walk(stmt);
}

export function visitInsert(stmt: InsertStmt, scan: Scan): void {
  if (stmt.relation) {
    const table = scan.relation(stmt.relation);
    credentialTable(scan, `INSERT into ${table}`, table);
  }
  const values =
    stmt.selectStmt && "SelectStmt" in stmt.selectStmt ? stmt.selectStmt.SelectStmt : undefined;
  // A plain VALUES list reads nothing: walk its rows, not a SELECT.
  if (values?.valuesLists && !values.fromClause) {
    const { selectStmt: _, ...rest } = stmt;
    scan.walk(rest);
    scan.walk(values.valuesLists);
    return;
  }
  scan.walk(stmt);
}

/**
 * MERGE deletes or updates matched rows: unbounded when the join condition and the action's
 * own condition are both always true or row-independent. `WHEN NOT MATCHED BY SOURCE THEN
 * DELETE` removes every target row the source lacks: a sync that empties the table when the
 * source is empty.
 */
const MERGE_VERBS: Record<string, string> = { CMD_DELETE: "delete", CMD_UPDATE: "update" };

export function visitMerge(stmt: MergeStmt, scan: Scan): void {
  const table = stmt.relation ? scan.relation(stmt.relation) : "";
  const open = (t: Truth) => t === "always" || t === "free";
  const joinOpen = stmt.joinCondition === undefined || open(truth(stmt.joinCondition, table));
  for (const node of stmt.mergeWhenClauses ?? []) {
    const clause = "MergeWhenClause" in node ? node.MergeWhenClause : undefined;
    const verb = MERGE_VERBS[clause?.commandType ?? ""];
    if (clause === undefined || verb === undefined) continue;
    const bySource = clause.matchKind === "MERGE_WHEN_NOT_MATCHED_BY_SOURCE";
    const ownOpen = clause.condition === undefined || open(truth(clause.condition, table));
    if ((bySource || joinOpen) && ownOpen && !isScratch(table, scan.temporary)) {
      const rows = bySource ? "every row missing from the source" : "every row";
      scan.add("data.destroy", `MERGE into ${table} can ${verb} ${rows}`);
      scan.flag("unbounded");
    }
    protectedTable(scan, `MERGE into ${table} (${verb})`, table);
  }
  scan.walk(stmt);
}

export function visitTruncate(stmt: TruncateStmt, scan: Scan): void {
  const tables = (stmt.relations ?? []).flatMap((n) =>
    "RangeVar" in n ? [scan.relation(n.RangeVar)] : [],
  );
  const cascade = stmt.behavior === "DROP_CASCADE";
  if (cascade || tables.some((t) => !isScratch(t, scan.temporary)))
    scan.add("data.destroy", `TRUNCATE ${tables.join(", ")}${cascade ? " CASCADE" : ""}`);
  for (const t of tables) protectedTable(scan, `TRUNCATE ${t}`, t);
}

export function visitSelect(stmt: SelectStmt, scan: Scan): void {
  if (stmt.intoClause?.rel) {
    scan.flag("write");
    scan.flag("ddl");
    const name = scan.relation(stmt.intoClause.rel);
    if (stmt.intoClause.rel.relpersistence === "t") scan.temporary.add(name);
  }
  if (stmt.lockingClause) scan.flag("write"); // FOR UPDATE/SHARE takes row locks
  scan.walk(stmt);
}

/** COPY PROGRAM runs a shell command as the server; COPY to or from a path uses server files. */
export function visitCopy(stmt: CopyStmt, scan: Scan): void {
  if (stmt.is_from) scan.flag("write");
  if (stmt.relation) scan.relation(stmt.relation, !stmt.is_from);
  const file = stmt.filename;
  if (stmt.is_program && file !== undefined) {
    scan.add(
      "code.remote_exec",
      `COPY ${stmt.is_from ? "FROM" : "TO"} PROGRAM runs '${file}' on the database server`,
    );
  } else if (file !== undefined) {
    scan.target("paths", file);
    if (stmt.is_from) scan.add("secret.access", `COPY FROM reads the server file ${file}`);
    else scan.add("security.weaken", `COPY TO writes the server file ${file}`);
  }
  scan.walk(stmt);
}

/** EXPLAIN ANALYZE runs its statement; plain EXPLAIN only plans it (its targets still count). */
export function visitExplain(stmt: ExplainStmt, scan: Scan): void {
  const analyze = (stmt.options ?? []).some(
    (o) => "DefElem" in o && o.DefElem.defname === "analyze" && isOn(o.DefElem),
  );
  if (analyze) scan.walk(stmt.query);
  else scan.planOnly(stmt.query);
}

function isOn(d: DefElem): boolean {
  const arg = d.arg;
  if (arg === undefined) return true;
  if ("Boolean" in arg) return arg.Boolean.boolval === true;
  if ("Integer" in arg) return (arg.Integer.ival ?? 0) !== 0;
  if ("String" in arg)
    return !["false", "off", "0", "no"].includes((arg.String.sval ?? "").toLowerCase());
  return true;
}

/** A prepared statement is analysed as if it ran: its EXECUTE may come in another input. */
export function visitPrepare(stmt: PrepareStmt, scan: Scan): void {
  if (stmt.name !== undefined) scan.prepared.add(stmt.name);
  scan.within(`prepared statement ${stmt.name ?? ""}`, () => scan.walk(stmt.query));
}

/** A rule's actions run with every matching statement on its table. */
export function visitRule(stmt: RuleStmt, scan: Scan): void {
  const table = stmt.relation ? scan.relation(stmt.relation) : "";
  scan.within(`rule ${stmt.rulename ?? ""} on ${table}`, () => scan.walk(stmt.actions));
  scan.walk(stmt.whereClause);
}

export function visitExecute(stmt: ExecuteStmt, scan: Scan): void {
  if (stmt.name === undefined || !scan.prepared.has(stmt.name))
    scan.opaque(`EXECUTE ${stmt.name ?? ""} runs a prepared statement that is not visible here`);
  scan.walk(stmt.params);
}
