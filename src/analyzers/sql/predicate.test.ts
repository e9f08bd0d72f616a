import { loadModule, parseSync } from "libpg-query";
import { describe, expect, it } from "vitest";
import { truth } from "./predicate.js";
import { analyze } from "./test-support/analyze.js";

await loadModule();

/** The WHERE clause of `DELETE FROM users WHERE <where>`, as libpg-query parses it. */
function whereOf(where: string) {
  const stmt = parseSync(`DELETE FROM users WHERE ${where}`).stmts?.[0]?.stmt;
  if (!stmt || !("DeleteStmt" in stmt) || !stmt.DeleteStmt.whereClause) throw new Error(where);
  return stmt.DeleteStmt.whereClause;
}

const ALWAYS = [
  "1=1",
  "true",
  "'a'='a'",
  "x = x",
  "1 < 2",
  "NOT false",
  "id IS NOT NULL OR id IS NULL",
  "id = 5 OR 1 = 1",
  "id = 5 OR (status = 'x' OR 2 > 1)",
  "2 > 1 AND NOT false",
  "'t'::boolean",
  "'yes'::bool",
  "1::boolean",
  "true IS TRUE",
  "(1 = 1) IS NOT FALSE",
  "name LIKE '%'",
  "name ILIKE '%%'",
  "name ~ '.*'",
  "x >= x",
  "x IS NOT DISTINCT FROM x",
  "NOT (x <> x)",
  "a > 5 OR a <= 5",
  "a IN (1) OR a NOT IN (1)",
  "a BETWEEN 1 AND 2 OR a NOT BETWEEN 1 AND 2",
  "NOT active OR active",
  "1 IN (1, 2)",
  "'1' = 1",
  "1 + 1 = 2",
  "-1 < 0",
  "'a' || 'b' = 'ab'",
  "NULL IS NULL",
  "2 BETWEEN 1 AND 3",
  "coalesce(a, 0) = coalesce(a, 0)",
  "id > 0",
  "id >= 1",
  "id <> 0",
  "0 < id",
  "id IS NOT NULL",
  "id IN (SELECT id FROM users)",
  "created_at < now()",
  "now() > created_at",
  "updated_at <= CURRENT_TIMESTAMP",
  "insertedAt < clock_timestamp()",
];

const ROW_INDEPENDENT = [
  "$1",
  "now() > '2020-01-01'",
  "EXISTS (SELECT 1)",
  "(SELECT count(*) FROM other) > 0",
  "random() < 2",
  "col = $1 OR $1 IS NULL",
  "current_user = 'bob'",
  "id = 5 OR $2",
];

const BOUNDED = [
  "id = $1",
  "id = 5",
  "email = 'a@b.c'",
  "id IN (1, 2, 3)",
  "id = ANY($1)",
  "created_at < now() - interval '30 days'",
  "false OR id = 1",
  "id = 1 AND true",
  "x = y",
  "id IN (SELECT user_id FROM banned)",
  "EXISTS (SELECT 1 FROM orders o WHERE o.user_id = users.id)",
  "name LIKE 'a%'",
  "status <> 'active'",
  "1 = 0 OR id = 2",
  "id > 100",
  "tenant_id > 0",
  "a > 5 OR b <= 5",
  "expires_at < now()",
  "created_at < now() - interval '1 day'",
  "created_at > now()",
];

const NEVER = ["false", "1 = 0", "NOT true", "x <> x", "NULL", "name NOT LIKE '%'"];

describe("WHERE clauses", () => {
  it.each(ALWAYS)("%s is always true", (where) => {
    expect(truth(whereOf(where), "users")).toBe("always");
  });
  it.each(ROW_INDEPENDENT)("%s does not depend on the row", (where) => {
    expect(truth(whereOf(where), "users")).toBe("free");
  });
  it.each(BOUNDED)("%s is a real predicate", (where) => {
    expect(truth(whereOf(where), "users")).toBe("row");
  });
  it.each(NEVER)("%s is never true", (where) => {
    expect(truth(whereOf(where), "users")).toBe("never");
  });
});

describe("DELETE and UPDATE", () => {
  it.each([...ALWAYS, ...ROW_INDEPENDENT])("WHERE %s is unbounded data.destroy", (where) => {
    for (const sql of [
      `DELETE FROM users WHERE ${where}`,
      `UPDATE users SET a = 1 WHERE ${where}`,
    ]) {
      const f = analyze(sql);
      expect(f.categories, sql).toEqual(["data.destroy"]);
      expect(f.flags, sql).toContain("unbounded");
    }
  });
  it.each([...BOUNDED, ...NEVER])("WHERE %s is an ordinary write", (where) => {
    for (const sql of [
      `DELETE FROM users WHERE ${where}`,
      `UPDATE users SET a = 1 WHERE ${where}`,
    ]) {
      const f = analyze(sql);
      expect(f.categories, sql).toEqual([]);
      expect(f.flags, sql).toContain("write");
      expect(f.flags, sql).not.toContain("unbounded");
    }
  });
  it("says why in words", () => {
    expect(analyze("DELETE FROM users").findings).toEqual([
      { category: "data.destroy", reason: "DELETE from users without WHERE" },
    ]);
    expect(analyze("UPDATE public.users SET a = 1 WHERE 1 = 1").findings[0]?.reason).toBe(
      "UPDATE public.users with an always-true WHERE",
    );
    expect(analyze("DELETE FROM t WHERE $1").findings[0]?.reason).toBe(
      "DELETE from t with a WHERE that does not depend on the row",
    );
  });
  it("WHERE CURRENT OF a cursor touches one row", () => {
    expect(analyze("UPDATE users SET a = 1 WHERE CURRENT OF c").categories).toEqual([]);
  });
});
