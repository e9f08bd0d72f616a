import type {
  CreateExtensionStmt,
  CreateFunctionStmt,
  CreatePLangStmt,
  DefElem,
  DoStmt,
  Node,
} from "libpg-query";
import type { CategoryId } from "../../core/catalogue.js";
import { isTrue } from "./access.js";
import { objectName } from "./names.js";
import { scanPlpgsql } from "./plpgsql.js";
import type { Scan } from "./scan.js";

/**
 * Untrusted languages run arbitrary code as the server's OS user: `c`, `internal`, and by
 * PostgreSQL's naming convention every `pl*u` (plpython3u, plperlu, pltclu...), plus plsh/plr.
 */
export function isUntrusted(language: string): boolean {
  return /^(c|internal|plsh|plr|pl\w*u)$/.test(language.toLowerCase());
}

/**
 * Extensions that are red lines to install, by what they make possible. Others (pgcrypto,
 * postgis, pg_trgm, uuid-ossp, pg_stat_statements...) are plain DDL.
 */
const EXTENSIONS: Record<string, readonly (readonly [CategoryId, string])[]> = {
  dblink: [["network.egress", "lets SQL connect to other servers"]],
  postgres_fdw: [["network.egress", "lets SQL connect to other servers"]],
  http: [["network.egress", "lets SQL send HTTP requests"]],
  pg_net: [["network.egress", "lets SQL send HTTP requests"]],
  file_fdw: [
    ["secret.access", "exposes server files as tables"],
    ["code.remote_exec", "can run server commands (the program option)"],
  ],
  adminpack: [["security.weaken", "lets SQL write and delete server files"]],
  pg_cron: [["security.weaken", "schedules SQL to run later (persistence)"]],
  pageinspect: [["secret.access", "reads raw pages, credentials included"]],
};

function extensionRisks(name: string): readonly (readonly [CategoryId, string])[] {
  const known = EXTENSIONS[name];
  if (known !== undefined) return known;
  if (isUntrusted(name)) return [["code.remote_exec", "runs code as the server's OS user"]];
  if (name.endsWith("_fdw")) return [["network.egress", "lets SQL connect to other systems"]];
  return [];
}

export function visitCreateExtension(stmt: CreateExtensionStmt, scan: Scan): void {
  const name = (stmt.extname ?? "").toLowerCase();
  scan.target("resources", `postgres:extension/${name}`);
  for (const [category, what] of extensionRisks(name))
    scan.add(category, `CREATE EXTENSION ${name} ${what}`);
}

export function visitCreateLanguage(stmt: CreatePLangStmt, scan: Scan): void {
  const name = stmt.plname ?? "";
  if (!stmt.pltrusted || isUntrusted(name))
    scan.add("code.remote_exec", `CREATE LANGUAGE ${name}: untrusted, runs code as the server`);
}

function option(options: Node[] | undefined, name: string): DefElem | undefined {
  for (const node of options ?? [])
    if ("DefElem" in node && node.DefElem.defname === name) return node.DefElem;
  return undefined;
}

function stringArg(d: DefElem | undefined): string | undefined {
  const arg = d?.arg;
  if (arg === undefined) return undefined;
  if ("String" in arg) return arg.String.sval;
  if ("List" in arg) return objectName(arg.List.items?.[0]);
  return undefined;
}

/**
 * A function's body is analysed as if it ran: creating a function that deletes everything is
 * as good as deleting it (its later call shows nothing). SQL bodies are parsed, PL/pgSQL
 * bodies go through the PL/pgSQL parser, untrusted languages are code.remote_exec, other
 * languages (plv8, plperl...) are opaque. SECURITY DEFINER is iam.change.
 */
export function visitCreateFunction(stmt: CreateFunctionStmt, scan: Scan): void {
  const name = objectName({ List: { items: stmt.funcname ?? [] } });
  const what = `${stmt.is_procedure ? "procedure" : "function"} ${name}`;
  const language = (stringArg(option(stmt.options, "language")) ?? "sql").toLowerCase();
  if (isTrue(option(stmt.options, "security")?.arg))
    scan.add("iam.change", `${what} is SECURITY DEFINER: it runs with its owner's privileges`);
  if (stmt.sql_body !== undefined) scan.within(what, () => scan.walk(stmt.sql_body));
  else body(language, stringArg(option(stmt.options, "as")), what, scan);
  scan.walk(stmt.parameters);
  scan.walk(stmt.options);
}

/** DO runs its body now; the default language is PL/pgSQL. */
export function visitDo(stmt: DoStmt, scan: Scan): void {
  const language = (stringArg(option(stmt.args, "language")) ?? "plpgsql").toLowerCase();
  body(language, stringArg(option(stmt.args, "as")), "DO block", scan);
}

function body(language: string, source: string | undefined, what: string, scan: Scan): void {
  if (isUntrusted(language)) {
    scan.add("code.remote_exec", `${what} in ${language} runs code as the server's OS user`);
  } else if (language === "sql") {
    if (source !== undefined) scan.nested(source, what);
  } else if (language === "plpgsql") {
    scanPlpgsql(scan, what);
  } else {
    scan.opaque(`${what} in ${language}: its body cannot be analysed`);
  }
}
