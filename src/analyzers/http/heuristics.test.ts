import { describe, expect, it } from "vitest";
import { judgeMutation, judgePath, words } from "./heuristics.js";
import { categories, run } from "./test-support/run.js";

describe("DELETE on an unknown API, by what it deletes", () => {
  it.each([
    ["/v1/databases/prod", ["data.destroy"]],
    ["/api/buckets/assets", ["data.destroy"]],
    ["/v2/volumes/vol-1", ["data.destroy"]],
    ["/v1/projects/p-1", ["data.destroy", "infra.destroy"]],
    ["/v1/clusters/main", ["infra.destroy"]],
    ["/v1/node-pools/np-1", ["infra.destroy"]],
    ["/v1/backups/2024-01-01", ["backup.destroy"]],
    ["/v1/snapshots/s-1", ["backup.destroy"]],
    ["/v1/recovery_points/rp-1", ["backup.destroy"]],
    ["/api/audit-logs/1", ["audit.tamper"]],
    ["/api/teams/core/members/alice", ["iam.change"]],
    ["/v1/api-keys/k-1", ["iam.change"]],
    ["/v1/databases", ["data.destroy"]],
    ["/2.0/repos/acme/api/refs/branches/main", ["vcs.rewrite"]],
    ["/v1/databases/prod/tables/users", ["data.destroy"]],
    ["/v1/projects/p-1/issues/7", []],
    ["/todos/1", []],
    ["/posts/1", []],
    ["/users/1", []],
    ["/v1/comments/99", []],
  ] as const)("%s → %j", (path, cats) => {
    const facts = run(`DELETE https://api.example.com${path}`);
    expect(categories(facts)).toEqual([...cats].sort());
    expect(facts.flags).toContain("delete");
  });
});

describe("destroy-style RPC calls", () => {
  it.each([
    ["POST", "/v1/servers/42/destroy", ["infra.destroy"]],
    ["POST", "/rpc/deleteDatabase", ["data.destroy"]],
    ["POST", "/v1/snapshots/s1:delete", ["backup.destroy"]],
    ["POST", "/api/files.delete", []],
    ["POST", "/api/projects/p1/purge", ["data.destroy", "infra.destroy"]],
    ["POST", "/v1.43/volumes/prune", ["data.destroy"]],
    ["POST", "/google.cloud.compute.v1.Instances/Delete", ["infra.destroy"]],
    ["POST", "/acme.billing.v1.InvoiceService/DeleteInvoice", []],
    ["POST", "/v1/servers/42/reboot", []],
    ["PUT", "/v1/documents/1", []],
  ] as const)("%s %s → %j", (method, path, cats) => {
    expect(categories(run(`${method} https://api.example.com${path}`, { body: {} }))).toEqual(
      [...cats].sort(),
    );
  });
});

describe("reads of secrets", () => {
  it.each([
    ["https://api.example.com/v1/secrets/db-password", ["secret.access"]],
    ["https://secrets.example.com/v3/configs/config/secrets", ["secret.access"]],
    ["https://vault.example.com/v1/kv/data/app", ["secret.access"]],
    ["https://vault.example.com/v1/sys/health", []],
    ["https://example.com/.env", ["secret.access"]],
    ["https://example.com/app/.env.production", ["secret.access"]],
    ["https://raw.githubusercontent.com/acme/app/main/.env.example", []],
    ["https://example.com/home/.ssh/id_rsa", ["secret.access"]],
    // Documentation about secrets is not a secret.
    ["https://docs.docker.com/engine/swarm/secrets/", []],
    ["https://kubernetes.io/docs/concepts/configuration/secret/", []],
    ["https://docs.github.com/en/actions/security-guides/using-secrets-in-github-actions", []],
  ] as const)("GET %s → %j", (url, cats) => {
    expect(categories(run(`GET ${url}`))).toEqual(cats);
  });
});

describe("names", () => {
  it.each([
    ["deleteApiKey", ["delete", "api", "key"]],
    ["projectDelete", ["project", "delete"]],
    ["DELETE_USER", ["delete", "user"]],
    ["files.delete", ["files", "delete"]],
    ["APIKeyRotate", ["api", "key", "rotate"]],
  ])("%s → %j", (name, expected) => {
    expect(words(name)).toEqual(expected);
  });

  it("prefers the object acted on over the container it sits in", () => {
    expect(judgeMutation("deleteProjectMember")?.categories).toEqual(["iam.change"]);
    expect(judgeMutation("deleteDatabaseBackup")?.categories).toEqual(["backup.destroy"]);
    expect(judgeMutation("deleteApiKey")?.categories).toEqual(["iam.change"]);
  });

  it("reads nothing into a plain GET", () => {
    expect(judgePath("GET", "api.example.com", "/v1/databases/prod")).toBeUndefined();
  });
});
