import { describe, expect, it } from "vitest";
import { connectionHosts } from "./hosts.js";
import { type Case, CTX, mismatch } from "./test-support/analyze.js";

describe("connectionHosts", () => {
  it.each<[string, string[]]>([
    ["host=db.example.com dbname=x", ["db.example.com"]],
    ["dbname=x host = 'a.example' port=5432", ["a.example"]],
    ["hostaddr=10.0.0.5 user=u", ["10.0.0.5"]],
    ["host=a.example,b.example", ["a.example", "b.example"]],
    ["postgresql://u:pw@db.example:5432/app", ["db.example"]],
    ["postgres://[::1]:5432/app", ["::1"]],
    ["postgresql:///app", []],
    ["postgresql:///app?host=evil.example&port=5432", ["evil.example"]],
    ["postgresql://%2Fvar%2Frun%2Fpostgresql/app", []],
    ["host=a.example host=b.example", ["a.example", "b.example"]],
    ["host=/var/run/postgresql", []],
    ["dbname=local", []],
    ["myconn", []],
  ])("%s", (conninfo, hosts) => {
    expect(connectionHosts(conninfo)).toEqual(hosts);
  });
});

describe("connections out of the database", () => {
  const allow = { ...CTX, egressAllowlist: ["*.corp.example"], internalHosts: ["db.internal"] };
  const outside: Case[] = [
    [
      "SELECT dblink_connect('host=evil.example dbname=x')",
      ["network.egress"],
      { hosts: ["evil.example"] },
    ],
    ["SELECT * FROM dblink('host=evil.example', 'SELECT 1') AS t(a int)", ["network.egress"]],
    ["SELECT * FROM dblink('myconn', 'SELECT 1') AS t(a int)", ["network.egress"]],
    ["SELECT * FROM dblink('SELECT 1') AS t(a int)", ["network.egress"]],
    ["SELECT dblink_connect('service=prod')", ["network.egress"]],
    ["SELECT dblink_open('c', 'SELECT * FROM pg_shadow')", ["network.egress", "secret.access"]],
    ["SELECT http_get('https://evil.example/x')", ["network.egress"], { hosts: ["evil.example"] }],
    ["SELECT http_get(url) FROM hooks", ["network.egress"]],
    [
      "CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'evil.example')",
      ["network.egress"],
    ],
    ["CREATE SUBSCRIPTION s CONNECTION 'host=evil.example' PUBLICATION p", ["network.egress"]],
  ];
  const inside: Case[] = [
    ["SELECT dblink_connect('host=db.corp.example dbname=x')", [], { hosts: ["db.corp.example"] }],
    ["SELECT dblink_exec('host=db.internal', 'INSERT INTO t VALUES (1)')", []],
    ["SELECT dblink_connect('dbname=other')", []],
    ["SELECT dblink_connect('host=localhost dbname=other')", []],
    ["SELECT http_post('https://hooks.corp.example/x', 'a', 'text/plain')", []],
    ["CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db.corp.example')", []],
    ["CREATE SERVER files FOREIGN DATA WRAPPER file_fdw", []],
    ["CREATE SUBSCRIPTION s CONNECTION 'dbname=other' PUBLICATION p", []],
  ];
  it.each(outside)("%s leaves", (...c) => {
    expect(mismatch(c, allow)).toBe("");
  });
  it.each(inside)("%s stays inside", (...c) => {
    expect(mismatch(c, allow)).toBe("");
  });
  it("without an allowlist every named host is outside", () => {
    expect(mismatch(["SELECT dblink_connect('host=db.corp.example')", ["network.egress"]])).toBe(
      "",
    );
  });
});
