import { describe, expect, it } from "vitest";
import { analyze, type Case, mismatch } from "./test-support/analyze.js";

const check = (c: Case) => expect(mismatch(c)).toBe("");

describe("DROP", () => {
  it.each<Case>([
    ["DROP TABLE users", ["data.destroy"], { flags: ["ddl"], tables: ["users"] }],
    [
      "DROP TABLE IF EXISTS public.users, orders",
      ["data.destroy"],
      { tables: ["public.users", "orders"] },
    ],
    ["DROP SCHEMA app", ["data.destroy"], { resources: ["postgres:schema/app"] }],
    ["DROP SCHEMA public CASCADE", ["data.destroy"]],
    ["DROP MATERIALIZED VIEW daily_stats", ["data.destroy"], { tables: ["daily_stats"] }],
    ["DROP DATABASE prod", ["data.destroy"], { resources: ["postgres:database/prod"] }],
    ["DROP DATABASE IF EXISTS prod WITH (FORCE)", ["data.destroy"]],
    ["DROP VIEW v CASCADE", ["data.destroy"]],
    ["DROP TYPE mood CASCADE", ["data.destroy"]],
    ["DROP EXTENSION postgis CASCADE", ["data.destroy"]],
    ["DROP OWNED BY bob", ["data.destroy"], { resources: ["postgres:role/bob"] }],
    ["DROP TABLE users_backup", ["backup.destroy", "data.destroy"]],
    ["DROP SCHEMA audit CASCADE", ["audit.tamper", "data.destroy"]],
    ["DROP TRIGGER audit_trigger ON users", ["audit.tamper"]],
    ["DROP FUNCTION audit.if_modified_func()", ["audit.tamper"]],
    ["DROP EXTENSION pgaudit", ["audit.tamper"], { resources: ["postgres:extension/pgaudit"] }],
    ["DROP POLICY tenant_isolation ON orders", ["iam.change", "security.weaken"]],
    ["DROP EVENT TRIGGER ddl_guard", ["security.weaken"]],
  ])("%s", (...c) => check(c));

  it.each<Case>([
    ["DROP INDEX idx_users_email", [], { flags: ["ddl"] }],
    ["DROP INDEX CONCURRENTLY IF EXISTS idx", []],
    ["DROP VIEW active_users", [], { tables: ["active_users"] }],
    ["DROP FUNCTION f(int)", []],
    ["DROP TYPE mood", []],
    ["DROP SEQUENCE s", []],
    ["DROP TRIGGER set_updated_at ON users", []],
    ["DROP FOREIGN TABLE remote_orders", []],
    ["DROP TABLESPACE fast", []],
  ])("%s is plain DDL", (...c) => check(c));
});

describe("scratch tables", () => {
  it.each<Case>([
    ["DROP TABLE IF EXISTS tmp_import", [], { tables: ["tmp_import"] }],
    ["DROP TABLE import_tmp, temp_x", []],
    ["DROP TABLE pg_temp.x", []],
    ["TRUNCATE tmp_stage", []],
    ["DELETE FROM tmp_stage", []],
    ["CREATE TEMP TABLE stage (id int); DELETE FROM stage; DROP TABLE stage", []],
    ["CREATE TEMPORARY TABLE stage AS SELECT * FROM users; TRUNCATE stage", []],
  ])("%s", (...c) => check(c));

  it.each<Case>([
    ["DROP TABLE users, tmp_x", ["data.destroy"]],
    ["TRUNCATE tmp_x CASCADE", ["data.destroy"]],
    ["DROP TABLE tmp_backup", ["backup.destroy", "data.destroy"]],
    ["DROP TABLE stage", ["data.destroy"]],
  ])("%s is not scratch", (...c) => check(c));
});

describe("ALTER TABLE", () => {
  it.each<Case>([
    ["ALTER TABLE users DROP COLUMN email", ["data.destroy"], { tables: ["users"] }],
    ["ALTER TABLE users DROP COLUMN IF EXISTS a, ADD COLUMN b int", ["data.destroy"]],
    [
      "ALTER TABLE users ALTER COLUMN c TYPE bigint USING NULL",
      ["data.destroy"],
      { flags: ["unbounded"] },
    ],
    ["ALTER TABLE users ALTER COLUMN c TYPE text USING 'x'", ["data.destroy"]],
    ["ALTER TABLE audit_log DROP COLUMN ip", ["audit.tamper", "data.destroy"]],
    ["ALTER TABLE t DISABLE TRIGGER ALL", ["security.weaken"]],
    ["ALTER TABLE t DISABLE TRIGGER USER", ["security.weaken"]],
    ["ALTER TABLE t DISABLE TRIGGER audit_trg", ["audit.tamper", "security.weaken"]],
    ["ALTER TABLE t ENABLE REPLICA TRIGGER check_balance", ["security.weaken"]],
    ["ALTER TABLE t DISABLE RULE r", ["security.weaken"]],
    ["ALTER TABLE t DISABLE ROW LEVEL SECURITY", ["security.weaken"]],
    ["ALTER TABLE t NO FORCE ROW LEVEL SECURITY", ["security.weaken"]],
    ["ALTER TABLE users OWNER TO bob", ["iam.change"], { resources: ["postgres:role/bob"] }],
    ["ALTER TABLE users SET UNLOGGED", ["backup.destroy"]],
    ["ALTER TABLE audit_log RENAME TO old_log", ["audit.tamper"]],
  ])("%s", (...c) => check(c));

  it.each<Case>([
    ["ALTER TABLE users ADD COLUMN x int NOT NULL DEFAULT 0", [], { flags: ["ddl"] }],
    ["ALTER TABLE users DROP CONSTRAINT users_org_fk", []],
    ["ALTER TABLE users ALTER COLUMN c DROP NOT NULL", []],
    ["ALTER TABLE users ALTER COLUMN c TYPE bigint", []],
    ["ALTER TABLE users ALTER COLUMN c TYPE timestamptz USING c AT TIME ZONE 'UTC'", []],
    ["ALTER TABLE users ALTER COLUMN s TYPE status USING s::text::status", []],
    ["ALTER TABLE t ENABLE ROW LEVEL SECURITY", []],
    ["ALTER TABLE t ENABLE TRIGGER ALL", []],
    [
      "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u(id)",
      [],
      { tables: ["t", "u"] },
    ],
    ["ALTER TABLE users RENAME COLUMN a TO b", []],
    ["ALTER TABLE users RENAME TO customers", []],
    ["ALTER TABLE t SET LOGGED", []],
    ["ALTER TABLE parts DETACH PARTITION parts_2020", []],
  ])("%s is plain DDL", (...c) => check(c));
});

describe("ordinary DDL", () => {
  it.each<Case>([
    [
      "CREATE TABLE IF NOT EXISTS t (id bigserial PRIMARY KEY, name text NOT NULL)",
      [],
      { tables: ["t"] },
    ],
    ["CREATE TEMP TABLE tt (a int)", [], { flags: ["ddl"] }],
    ["CREATE UNIQUE INDEX CONCURRENTLY idx ON users (lower(email))", [], { tables: ["users"] }],
    ["CREATE VIEW v AS SELECT * FROM users", [], { tables: ["v", "users"] }],
    ["CREATE MATERIALIZED VIEW mv AS SELECT count(*) FROM orders", [], { flags: ["write"] }],
    ["CREATE SCHEMA IF NOT EXISTS app", []],
    ["CREATE TYPE mood AS ENUM ('sad', 'ok')", []],
    ["ALTER TYPE mood ADD VALUE 'happy'", []],
    ["CREATE SEQUENCE s START 100", []],
    ["COMMENT ON TABLE users IS 'people'", []],
    ["CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at()", []],
    ["CREATE DATABASE analytics", [], { resources: ["postgres:database/analytics"] }],
    ["ALTER DATABASE analytics SET statement_timeout = '30s'", []],
    ["CREATE EXTENSION IF NOT EXISTS pgcrypto", [], { resources: ["postgres:extension/pgcrypto"] }],
    ['CREATE EXTENSION IF NOT EXISTS "uuid-ossp"', []],
    ["ANALYZE users", [], { flags: ["write"] }],
    ["REINDEX TABLE users", []],
    ["CLUSTER users USING users_pkey", []],
    ["CHECKPOINT", []],
  ])("%s", (...c) => check(c));

  it("CREATE MATERIALIZED VIEW ... WITH NO DATA writes nothing", () => {
    expect(analyze("CREATE MATERIALIZED VIEW mv AS SELECT 1 WITH NO DATA").flags).not.toContain(
      "write",
    );
  });
});

describe("foreign data and replication", () => {
  it.each<Case>([
    [
      "CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.evil.example', dbname 'x')",
      ["network.egress"],
      { hosts: ["db.evil.example"], resources: ["postgres:server/remote"] },
    ],
    [
      "ALTER SERVER remote OPTIONS (SET host 'other.example')",
      ["network.egress"],
      { hosts: ["other.example"] },
    ],
    ["IMPORT FOREIGN SCHEMA public FROM SERVER remote INTO staging", ["network.egress"]],
    [
      "CREATE SUBSCRIPTION s CONNECTION 'host=evil.example.com dbname=x' PUBLICATION p",
      ["network.egress"],
      { hosts: ["evil.example.com"] },
    ],
    [
      "ALTER SUBSCRIPTION s CONNECTION 'postgresql://u@other.example:5432/db'",
      ["network.egress"],
      { hosts: ["other.example"] },
    ],
    [
      "CREATE FOREIGN TABLE ft (a text) SERVER files OPTIONS (program 'cat /etc/shadow')",
      ["code.remote_exec"],
    ],
    [
      "CREATE FOREIGN TABLE ft (a text) SERVER files OPTIONS (filename '/etc/passwd')",
      ["secret.access"],
      { paths: ["/etc/passwd"], tables: ["ft"] },
    ],
    ["ALTER FOREIGN TABLE ft OPTIONS (SET program 'id')", ["code.remote_exec"]],
    ["CREATE USER MAPPING FOR bob SERVER remote OPTIONS (user 'u', password 'p')", ["iam.change"]],
    ["CREATE TABLESPACE fast LOCATION '/mnt/ssd'", ["security.weaken"]],
  ])("%s", (...c) => check(c));
});
