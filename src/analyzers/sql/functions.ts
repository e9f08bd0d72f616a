import type { FuncCall, Node } from "libpg-query";
import type { CategoryId } from "../../core/catalogue.js";
import { constString } from "./evaluate.js";
import { connectionHosts } from "./hosts.js";
import type { Scan } from "./scan.js";
import { settingRisks } from "./settings.js";

type Rule = {
  risks: readonly (readonly [CategoryId, string])[];
  /** Index of an argument that names a server file (a `paths` target). */
  path?: number;
  /** Extra inspection of the arguments. */
  inspect?: (args: Node[], scan: Scan, name: string) => void;
};

const READS_FILE = ["secret.access", "reads files on the database server"] as const;
const LISTS_FILES = ["secret.access", "lists files on the database server"] as const;
const WRITES_FILE = ["security.weaken", "writes files on the database server"] as const;
const HTTP: Rule = { risks: [], inspect: urlHost };
const RESETS_STATS = ["audit.tamper", "erases monitoring statistics"] as const;

/**
 * Built-in and extension functions that cross a red line wherever they appear in an
 * expression. Matched by name whatever the schema: extensions install where they are told.
 * - `pg_terminate_backend` is `infra.destroy` (it kills other clients' sessions);
 *   `pg_cancel_backend` only cancels a query, which the client can retry: not a red line.
 * - `pg_reload_conf` is `security.weaken`: it activates configuration changed elsewhere.
 */
const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ["pg_read_file", { risks: [READS_FILE], path: 0 }],
  ["pg_read_binary_file", { risks: [READS_FILE], path: 0 }],
  ["pg_stat_file", { risks: [READS_FILE], path: 0 }],
  ["lo_import", { risks: [READS_FILE], path: 0 }],
  ["pg_ls_dir", { risks: [LISTS_FILES], path: 0 }],
  [
    "lo_export",
    { risks: [WRITES_FILE, ["secret.access", "exposes data through server files"]], path: 1 },
  ],
  ["pg_file_write", { risks: [WRITES_FILE], path: 0 }],
  ["pg_file_rename", { risks: [WRITES_FILE], path: 0 }],
  [
    "pg_file_unlink",
    { risks: [["data.destroy", "deletes files on the database server"]], path: 0 },
  ],
  ["dblink", { risks: [], inspect: remoteSql }],
  ["dblink_exec", { risks: [], inspect: remoteSql }],
  ["dblink_send_query", { risks: [], inspect: remoteSql }],
  ["dblink_connect", { risks: [], inspect: (args, scan, name) => connection(args[0], scan, name) }],
  [
    "dblink_connect_u",
    { risks: [], inspect: (args, scan, name) => connection(args[0], scan, name) },
  ],
  ["dblink_open", { risks: [], inspect: remoteCursor }],
  ["http", HTTP],
  ["http_get", HTTP],
  ["http_post", HTTP],
  ["http_put", HTTP],
  ["http_patch", HTTP],
  ["http_delete", HTTP],
  ["http_head", HTTP],
  ["pg_terminate_backend", { risks: [["infra.destroy", "terminates database sessions"]] }],
  ["pg_promote", { risks: [["infra.destroy", "promotes a standby to primary"]] }],
  ["pg_drop_replication_slot", { risks: [["backup.destroy", "drops a replication slot"]] }],
  ["pg_stop_backup", { risks: [["backup.destroy", "stops a running backup"]] }],
  ["pg_backup_stop", { risks: [["backup.destroy", "stops a running backup"]] }],
  ["pg_replication_origin_drop", { risks: [["backup.destroy", "drops a replication origin"]] }],
  ["pg_reload_conf", { risks: [["security.weaken", "reloads the server configuration"]] }],
  ["pg_stat_reset", { risks: [RESETS_STATS] }],
  ["pg_stat_reset_shared", { risks: [RESETS_STATS] }],
  ["pg_stat_reset_single_table_counters", { risks: [RESETS_STATS] }],
  ["pg_stat_reset_single_function_counters", { risks: [RESETS_STATS] }],
  ["pg_stat_reset_slru", { risks: [RESETS_STATS] }],
  ["pg_stat_statements_reset", { risks: [RESETS_STATS] }],
  ["set_config", { risks: [], inspect: setConfig }],
  ["query_to_xml", { risks: [], inspect: sqlArgument }],
  ["query_to_xmlschema", { risks: [], inspect: sqlArgument }],
  ["query_to_xml_and_xmlschema", { risks: [], inspect: sqlArgument }],
  ["ts_stat", { risks: [], inspect: sqlArgument }],
]);

/** `pg_ls_logdir`, `pg_ls_waldir`, ...: the whole family lists server directories. */
const LS_FAMILY = /^pg_ls_\w+dir$/;

export function visitFuncCall(call: FuncCall, scan: Scan): void {
  const name = functionName(call);
  const rule = RULES.get(name) ?? (LS_FAMILY.test(name) ? { risks: [LISTS_FILES] } : undefined);
  if (rule !== undefined) {
    const args = call.args ?? [];
    for (const [category, what] of rule.risks) scan.add(category, `${name}() ${what}`);
    if (rule.path !== undefined) {
      const path = constString(args[rule.path]);
      if (path !== undefined) scan.target("paths", path);
    }
    rule.inspect?.(args, scan, name);
  }
  scan.walk(call);
}

export function functionName(call: FuncCall): string {
  const last = call.funcname?.at(-1);
  return last !== undefined && "String" in last ? (last.String.sval ?? "") : "";
}

/** dblink([conn,] sql): the remote SQL is analysed when it is a constant. */
function remoteSql(args: Node[], scan: Scan, name: string): void {
  connection(args.length >= 2 ? args[0] : undefined, scan, name);
  remoteQuery(args[args.length >= 2 ? 1 : 0], scan, name);
}

/** dblink_open([conn,] cursor, sql). */
function remoteCursor(args: Node[], scan: Scan, name: string): void {
  connection(args.length >= 3 ? args[0] : undefined, scan, name);
  remoteQuery(args[args.length - 1], scan, name);
}

function remoteQuery(arg: Node | undefined, scan: Scan, name: string): void {
  const sql = constString(arg);
  if (sql === undefined) scan.opaque(`${name}() runs SQL built at run time on another server`);
  else scan.nested(sql, `${name}() on another server`);
}

/**
 * The server a dblink call reaches. A connection string without a host is the local server;
 * a connection name (or none: the unnamed connection) was opened elsewhere and a `service=`
 * is defined in a file, so their host is unknown.
 */
function connection(arg: Node | undefined, scan: Scan, name: string): void {
  const conninfo = constString(arg);
  // A connection name, or a service file entry: the host is defined elsewhere.
  const named =
    conninfo === undefined || !/[=]|:\/\//.test(conninfo) || /\bservice\s*=/i.test(conninfo);
  const hosts = named ? [] : connectionHosts(conninfo);
  if (named || hosts.length > 0) scan.egress(hosts, `${name}() connects to another server`);
}

function urlHost(args: Node[], scan: Scan, name: string): void {
  const url = constString(args[0]);
  const host = url !== undefined && URL.canParse(url) ? new URL(url).hostname : undefined;
  scan.egress(host === undefined ? [] : [host], `${name}() sends an HTTP request`);
}

/** Functions that execute their first argument as SQL. */
function sqlArgument(args: Node[], scan: Scan, name: string): void {
  const sql = constString(args[0]);
  if (sql === undefined) scan.opaque(`${name}() runs SQL built at run time`);
  else scan.nested(sql, `${name}()`);
}

function setConfig(args: Node[], scan: Scan): void {
  const setting = constString(args[0]);
  if (setting === undefined) {
    scan.opaque("set_config() of a setting named at run time");
    return;
  }
  for (const [category, reason] of settingRisks("set_config", setting, constString(args[1])))
    scan.add(category, reason);
}
