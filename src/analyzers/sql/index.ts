/**
 * The SQL analyzer: PostgreSQL's own parser (libpg-query, WASM) and one walk over its AST.
 *
 * Classification rules (details beside the code that applies them):
 * - Every statement of the input counts, and so does SQL inside it: DML in CTEs, EXPLAIN
 *   ANALYZE, CREATE TABLE AS, PREPARE, rule actions, SQL and PL/pgSQL bodies of functions and
 *   DO blocks, constant EXECUTE strings, dblink SQL. Code that would run later counts as if it
 *   ran. Plain EXPLAIN runs nothing: only its targets count.
 * - Each statement kind has a base class (classes.ts): read, session, write, ddl, opaque, or a
 *   red line whatever the details (GRANT, roles, ALTER SYSTEM...). A kind not in the table is
 *   opaque.
 * - data.destroy: DELETE/UPDATE/MERGE whose WHERE is missing, always true or independent of
 *   the row (predicate.ts, evaluated on the AST), or that a PL/pgSQL loop repeats; TRUNCATE;
 *   DROP TABLE/SCHEMA/MATERIALIZED VIEW/DATABASE; any DROP ... CASCADE; DROP OWNED; ALTER TABLE
 *   DROP COLUMN; a column type change whose USING ignores the old value. Scratch tables (TEMP,
 *   pg_temp, tmp_* or *_tmp names) are exempt. DROP INDEX/VIEW/FUNCTION, DROP CONSTRAINT and
 *   VACUUM FULL lose no rows: plain DDL or writes.
 * - backup.destroy / audit.tamper: destructive writes to backup- or audit-named tables
 *   (`*_backup`, `snapshots`, `audit_log`, `pgaudit`...), ALTER TABLE SET UNLOGGED, WAL and
 *   logging settings, pg_drop_replication_slot, pg_backup_stop, statistics resets.
 * - iam.change: GRANT/REVOKE, roles, owners, default privileges, RLS policies, user mappings,
 *   SECURITY DEFINER, SET ROLE, writes to pg_authid.
 * - security.weaken: ALTER SYSTEM, session_replication_role = replica, disabling triggers,
 *   rules, row-level security or event triggers, COPY TO a server file, pg_reload_conf.
 * - code.remote_exec: COPY ... PROGRAM, untrusted languages (c, pl*u), LOAD, extensions and
 *   settings that run server code. secret.access: server file reads, pg_authid and friends.
 *   network.egress: dblink, HTTP, foreign servers and subscriptions, unless every host they
 *   reach is on the egress allowlist, internal or loopback (hosts.ts).
 *   infra.destroy: pg_terminate_backend, pg_promote.
 * - opaque: a parse error (with the parser's message; dialect.ts adds red-line keywords, and
 *   lets one MySQL/SQLite/psql introspection command such as `DESCRIBE t` through as a read),
 *   EXECUTE of SQL built at run time, CALL, bodies in languages that cannot be read (plv8,
 *   plperl), SQL nested too deeply.
 * - Flags: read, write, ddl, unbounded, multi-statement. Targets: tables (schema-qualified as
 *   written), server paths, hosts, and `postgres:{database,schema,role,extension,server}/<name>`.
 * An empty or comment-only input has no facts.
 */
import type { Facts } from "../../core/facts.js";
import { emptyFacts, opaqueFacts } from "../../core/facts.js";
import { type AnalysisContext, MAX_DEPTH } from "../types.js";
import { unparsable } from "./dialect.js";
import { message, type Parser, Scan } from "./scan.js";
import { buildVisitors } from "./visitors.js";

export type SqlAnalyzer = (statement: string, ctx: AnalysisContext) => Facts;

let loaded: Promise<SqlAnalyzer> | undefined;

/** Loads the parser (WASM, once per process) and returns the analyzer, pure and synchronous. */
export function loadSqlAnalyzer(): Promise<SqlAnalyzer> {
  loaded ??= import("libpg-query")
    .then(async (pg) => {
      await pg.loadModule();
      return createSqlAnalyzer({ parse: pg.parseSync, parsePlpgsql: pg.parsePlPgSQLSync });
    })
    .catch((error: unknown) => {
      loaded = undefined; // a failed load may be retried
      throw error;
    });
  return loaded;
}

/** The analyzer over a given parser (tests inject one that misbehaves). */
export function createSqlAnalyzer(parser: Parser): SqlAnalyzer {
  const visitors = buildVisitors();
  return (statement, ctx) => {
    if (ctx.depth > MAX_DEPTH) return opaqueFacts(`SQL nested more than ${MAX_DEPTH} levels deep`);
    if (statement.trim() === "") return emptyFacts();
    let tree: ReturnType<Parser["parse"]>;
    try {
      tree = parser.parse(statement);
    } catch (error) {
      return unparsable(statement, message(error));
    }
    try {
      const scan = new Scan(parser, visitors, ctx);
      if ((tree.stmts?.length ?? 0) > 1) scan.flag("multi-statement");
      scan.statements(statement, tree);
      return scan.finish();
    } catch (error) {
      return opaqueFacts(`SQL analysis failed: ${message(error)}`);
    }
  };
}
