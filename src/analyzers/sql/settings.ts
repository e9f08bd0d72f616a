import type { VariableSetStmt } from "libpg-query";
import type { CategoryId } from "../../core/catalogue.js";
import { value } from "./evaluate.js";

export type Risk = readonly [CategoryId, string];

/** Settings that decide what is logged or monitored. */
const AUDIT =
  /^(log_|pgaudit\.|track_|syslog_|logging_collector$|event_source$|debug_print|event_triggers$)/;
/** Settings that run commands or load code on the server. */
const CODE =
  /^(archive_command|archive_library|restore_command|archive_cleanup_command|recovery_end_command|ssl_passphrase_command|shared_preload_libraries|session_preload_libraries|local_preload_libraries|dynamic_library_path|jit_provider)$/;
/** Settings that keep WAL for archives, replicas and point-in-time recovery. */
const BACKUP = /^(archive_|wal_level$|max_wal_senders$|summarize_wal$|max_slot_wal_keep_size$)/;
/** Security controls. */
const SECURITY =
  /^(ssl|ssl_.*|password_encryption|listen_addresses|hba_file|ident_file|data_directory|config_file|allow_system_table_mods|lo_compat_privileges|zero_damaged_pages|ignore_checksum_failure|event_triggers|krb_.*|scram_.*)$/;

/**
 * What setting `name` to `value` risks. `via` names the statement, for the reason:
 * `SET`, `ALTER SYSTEM SET`, `ALTER ROLE x SET`, `set_config`. An unknown value (a
 * run-time expression) is assumed to be the dangerous one.
 */
export function settingRisks(via: string, name: string, value: string | undefined): Risk[] {
  const setting = name.toLowerCase();
  const v = value?.toLowerCase();
  const what = `${via} ${setting}`;
  const risks: Risk[] = [];
  if (AUDIT.test(setting)) risks.push(["audit.tamper", `${what} changes what the server logs`]);
  if (CODE.test(setting)) risks.push(["code.remote_exec", `${what} runs code on the server`]);
  if (BACKUP.test(setting))
    risks.push(["backup.destroy", `${what} changes WAL archiving and replication`]);
  if (SECURITY.test(setting))
    risks.push(["security.weaken", `${what} changes a server security control`]);
  if (setting === "session_replication_role" && v !== "origin" && v !== "default")
    risks.push(["security.weaken", `${what} disables triggers and foreign-key checks`]);
  if ((setting === "role" || setting === "session_authorization") && v !== "none")
    risks.push(["iam.change", `${what} switches the session to another role`]);
  return risks;
}

/** The value a SET statement gives, when it is one constant. */
function setValue(stmt: VariableSetStmt): string | undefined {
  const arg = stmt.args?.[0];
  const v = arg === undefined ? undefined : value(arg);
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean"
    ? String(v)
    : undefined;
}

/** Risks of a SET-like statement; RESET and SET ... TO DEFAULT restore the configured value. */
export function setStatementRisks(via: string, stmt: VariableSetStmt | undefined): Risk[] {
  if (stmt === undefined || stmt.kind !== "VAR_SET_VALUE" || stmt.name === undefined) return [];
  return settingRisks(via, stmt.name, setValue(stmt));
}
