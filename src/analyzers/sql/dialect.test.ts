import { describe, expect, it } from "vitest";
import { analyze, type Case, mismatch } from "./test-support/analyze.js";

const check = (c: Case) => expect(mismatch(c)).toBe("");

describe("input PostgreSQL cannot parse", () => {
  it("keeps the parser's message", () => {
    expect(analyze("SELEC * FROM users").findings).toEqual([
      { category: "opaque", reason: 'cannot parse SQL: syntax error at or near "SELEC"' },
    ]);
  });

  it.each<Case>([
    ["DESCRIBE orders", [], { flags: ["read"], tables: ["orders"] }],
    ["DESC `shop`.`orders`;", [], { tables: ["shop.orders"] }],
    ["SHOW CREATE TABLE orders;", [], { flags: ["read"], tables: ["orders"] }],
    ["SHOW FULL COLUMNS FROM orders", [], { tables: ["orders"] }],
    ["SHOW INDEX FROM orders IN shop", [], { tables: ["orders"] }],
    ["SHOW TABLE STATUS", [], { flags: ["read"] }],
    ["SHOW FULL PROCESSLIST", []],
    ["USE shop", []],
    ["PRAGMA table_info(orders)", [], { tables: ["orders"] }],
    ["\\d users", [], { tables: ["users"] }],
    ["\\dt+", []],
    ["-- look\nDESCRIBE orders", []],
  ])("%s is a read-only introspection command", (...c) => check(c));

  it.each<Case>([
    ["DESCRIBE orders; DROP TABLE users", ["data.destroy", "opaque"]],
    ["SHOW CREATE USER root", ["opaque"]],
    ["PRAGMA writable_schema = ON", ["opaque"]],
    ["\\! rm -rf /", ["opaque"]],
    ["\\copy users TO 'x.csv'", ["opaque"]],
    ["\\gexec", ["opaque"]],
  ])("%s stays opaque", (...c) => check(c));

  it.each<Case>([
    ["CREATE USER 'agent'@'%' IDENTIFIED BY 'pw'", ["iam.change", "opaque"]],
    ["GRANT ALL ON *.* TO 'agent'@'%' WITH GRANT OPTION", ["iam.change", "opaque"]],
    ["SET PASSWORD FOR root = 'x'", ["iam.change", "opaque"]],
    ["DROP TABLE `users`", ["data.destroy", "opaque"]],
    ["DELETE FROM `users` LIMIT 10", ["data.destroy", "opaque"]],
    ["UPDATE `users` SET a = 1 WHERE id = 1 LIMIT 1 ,", ["opaque"]],
    ["SELECT * FROM users INTO OUTFILE '/tmp/u.csv'", ["opaque", "security.weaken"]],
    ["SELECT LOAD_FILE('/etc/passwd') FROM DUAL `x", ["opaque", "secret.access"]],
    ["EXEC xp_cmdshell 'whoami'", ["code.remote_exec", "opaque"]],
    ["SELECT 'GRANT ALL' FROM `t", ["opaque"]],
  ])("%s names the red line beside opaque", (...c) => check(c));
});
