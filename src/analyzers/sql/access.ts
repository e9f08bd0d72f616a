import type {
  AlterEventTrigStmt,
  AlterFunctionStmt,
  AlterPolicyStmt,
  AlterRoleSetStmt,
  AlterSystemStmt,
  CreatePolicyStmt,
  CreateRoleStmt,
  GrantRoleStmt,
  VariableSetStmt,
} from "libpg-query";
import { truth } from "./predicate.js";
import type { Scan } from "./scan.js";
import { type Risk, setStatementRisks, settingRisks } from "./settings.js";

function addAll(scan: Scan, risks: Risk[]): void {
  for (const [category, reason] of risks) scan.add(category, reason);
}

/** SET of a harmless setting (search_path, timeouts, time zone...) is session state. */
export function visitSet(stmt: VariableSetStmt, scan: Scan): void {
  addAll(scan, setStatementRisks(stmt.is_local ? "SET LOCAL" : "SET", stmt));
}

/**
 * ALTER SYSTEM is security.weaken whatever it sets (the table says so); what it sets can
 * add more. RESET is judged by the setting's name: the configured value is unknown here.
 */
export function visitAlterSystem(stmt: AlterSystemStmt, scan: Scan): void {
  const set = stmt.setstmt;
  if (set?.kind === "VAR_RESET_ALL")
    scan.add("audit.tamper", "ALTER SYSTEM RESET ALL drops every logging and audit setting");
  else if (set?.kind === "VAR_RESET" && set.name)
    addAll(scan, settingRisks("ALTER SYSTEM RESET", set.name, undefined));
  else addAll(scan, setStatementRisks("ALTER SYSTEM SET", set));
}

export function visitAlterRoleSet(stmt: AlterRoleSetStmt, scan: Scan): void {
  addAll(scan, setStatementRisks(`ALTER ROLE ${stmt.role?.rolename ?? "ALL"} SET`, stmt.setstmt));
  scan.walk(stmt);
}

export function visitCreateRole(stmt: CreateRoleStmt, scan: Scan): void {
  if (stmt.role !== undefined) scan.role(stmt.role);
  scan.walk(stmt.options);
}

export function visitGrantRole(stmt: GrantRoleStmt, scan: Scan): void {
  for (const node of stmt.granted_roles ?? [])
    if ("AccessPriv" in node && node.AccessPriv.priv_name) scan.role(node.AccessPriv.priv_name);
  scan.walk(stmt);
}

/** Disabling an event trigger (or leaving it to replicas only) switches a DDL guard off. */
export function visitAlterEventTrigger(stmt: AlterEventTrigStmt, scan: Scan): void {
  if (stmt.tgenabled === "D" || stmt.tgenabled === "R")
    scan.add("security.weaken", `ALTER EVENT TRIGGER ${stmt.trigname ?? ""} disables it`);
}

/** ALTER FUNCTION ... SECURITY DEFINER makes it run with its owner's privileges. */
export function visitAlterFunction(stmt: AlterFunctionStmt, scan: Scan): void {
  for (const node of stmt.actions ?? [])
    if ("DefElem" in node && node.DefElem.defname === "security" && isTrue(node.DefElem.arg))
      scan.add(
        "iam.change",
        "ALTER FUNCTION ... SECURITY DEFINER runs it with its owner's privileges",
      );
  scan.walk(stmt);
}

/** A policy whose USING or WITH CHECK is always true opens every row to its roles. */
export function visitPolicy(stmt: CreatePolicyStmt | AlterPolicyStmt, scan: Scan): void {
  const clauses = [stmt.qual, stmt.with_check].filter((c) => c !== undefined);
  if (clauses.some((c) => truth(c) === "always"))
    scan.add("security.weaken", `POLICY ${stmt.policy_name ?? ""} lets every row through`);
  scan.walk(stmt);
}

export function isTrue(arg: unknown): boolean {
  const a = arg as { Boolean?: { boolval?: boolean }; Integer?: { ival?: number } } | undefined;
  return a?.Boolean?.boolval === true || (a?.Integer?.ival ?? 0) !== 0;
}
