import { describe } from "vitest";
import { check } from "../test-support/table.js";

describe("GitHub REST", () => {
  const repo = "https://api.github.com/repos/acme/api";
  check([
    {
      r: `DELETE ${repo}`,
      cats: ["data.destroy"],
      reason: "GitHub repository delete: acme/api",
      resource: "github:acme/api",
    },
    {
      r: `DELETE ${repo}/git/refs/heads/feature/login`,
      cats: ["vcs.rewrite"],
      reason: "acme/api heads/feature/login",
    },
    {
      r: `DELETE ${repo}/git/refs/tags/v1.0.0`,
      cats: ["vcs.rewrite"],
      resource: "github:acme/api/refs/tags/v1.0.0",
    },
    {
      r: `PATCH ${repo}/git/refs/heads/main`,
      body: { sha: "abc", force: true },
      cats: ["vcs.rewrite"],
    },
    { r: `PATCH ${repo}/git/refs/heads/main`, body: { sha: "abc", force: false }, cats: [] },
    { r: `PATCH ${repo}/git/refs/heads/main`, body: { sha: "abc" }, cats: [] },
    {
      r: `DELETE ${repo}/branches/main/protection`,
      cats: ["security.weaken"],
      reason: "acme/api main",
    },
    {
      r: `DELETE ${repo}/branches/release/1.x/protection/enforce_admins`,
      cats: ["security.weaken"],
      reason: "release/1.x",
    },
    { r: `DELETE ${repo}/rulesets/42`, cats: ["security.weaken"] },
    {
      r: `PUT ${repo}/collaborators/mallory`,
      body: { permission: "admin" },
      cats: ["iam.change"],
      reason: "mallory on acme/api",
    },
    {
      r: "PUT https://api.github.com/orgs/acme/teams/devs/repos/acme/api",
      body: { permission: "push" },
      cats: ["iam.change"],
    },
    {
      r: "PUT https://api.github.com/orgs/acme/memberships/bob",
      body: { role: "admin" },
      cats: ["iam.change"],
    },
    { r: "DELETE https://api.github.com/orgs/acme/members/bob", cats: ["iam.change"] },
    {
      r: `POST ${repo}/keys`,
      body: { key: "ssh-ed25519 AAAA", read_only: false },
      cats: ["iam.change"],
    },
    { r: `DELETE ${repo}/keys/7`, cats: ["iam.change"] },
    {
      r: "POST https://api.github.com/user/keys",
      body: { key: "ssh-ed25519 AAAA" },
      cats: ["iam.change"],
    },
    {
      r: `PUT ${repo}/actions/secrets/NPM_TOKEN`,
      body: { encrypted_value: "x", key_id: "1" },
      cats: ["iam.change"],
      reason: "NPM_TOKEN",
    },
    {
      r: `PUT ${repo}/environments/prod/secrets/DB_URL`,
      body: { encrypted_value: "x" },
      cats: ["iam.change"],
    },
    {
      r: "DELETE https://api.github.com/orgs/acme/actions/secrets/DEPLOY_KEY",
      cats: ["iam.change"],
    },
    { r: `DELETE ${repo}/releases/123`, cats: ["data.destroy"] },
    {
      r: `POST ${repo}/releases`,
      body: { tag_name: "v2.0.0" },
      cats: ["deploy.prod"],
      reason: "acme/api v2.0.0",
    },
    { r: `POST ${repo}/releases`, body: { tag_name: "v2.0.0", draft: true }, cats: [] },
    {
      r: `POST ${repo}/deployments`,
      body: { ref: "main", environment: "production" },
      cats: ["deploy.prod"],
      reason: "to production",
    },
    {
      r: `POST ${repo}/deployments`,
      body: { ref: "main", environment: "prod" },
      cats: ["deploy.prod"],
    },
    {
      r: `POST ${repo}/deployments`,
      body: { ref: "main" },
      cats: ["deploy.prod"],
      reason: "default environment",
    },
    { r: `POST ${repo}/deployments`, body: { ref: "main", environment: "staging" }, cats: [] },
    { r: `POST ${repo}/deployments`, body: { ref: "main", environment: "preprod" }, cats: [] },
    {
      r: `POST ${repo}/actions/workflows/deploy.yml/dispatches`,
      body: { ref: "main", inputs: { env: "production" } },
      cats: ["deploy.prod"],
    },
    { r: `POST ${repo}/actions/workflows/ci.yml/dispatches`, body: { ref: "main" }, cats: [] },
    { r: `PATCH ${repo}`, body: { visibility: "public" }, cats: ["security.weaken"] },
    { r: `PATCH ${repo}`, body: { private: false }, cats: ["security.weaken"] },
    {
      r: `PATCH ${repo}`,
      body: { security_and_analysis: { secret_scanning: { status: "disabled" } } },
      cats: ["security.weaken"],
    },
    { r: `PATCH ${repo}`, body: { description: "The API" }, cats: [] },
    {
      r: `POST ${repo}/hooks`,
      body: { config: { url: "https://hooks.example.net/x" } },
      cats: ["network.egress"],
      reason: "https://hooks.example.net/x",
    },
    { r: `GET ${repo}/contents/config/.env`, cats: ["secret.access"] },
    { r: `GET ${repo}/contents/README.md`, cats: [] },
    { r: `GET ${repo}/actions/secrets`, cats: [] },
    { r: `GET ${repo}/actions/secrets/public-key`, cats: [] },
    {
      r: "POST https://api.github.com/gists",
      body: { public: true, files: { "a.txt": { content: "x" } } },
      cats: ["network.egress"],
    },
    {
      r: "POST https://api.github.com/gists",
      body: { public: false, files: { "a.txt": { content: "x" } } },
      cats: [],
    },
    // Everyday work crosses nothing.
    { r: `POST ${repo}/issues/1/comments`, body: { body: "LGTM" }, cats: [] },
    { r: `POST ${repo}/issues`, body: { title: "Bug", body: "Steps" }, cats: [] },
    { r: `POST ${repo}/pulls`, body: { title: "Fix", head: "fix", base: "main" }, cats: [] },
    { r: `PUT ${repo}/pulls/3/merge`, body: { merge_method: "squash" }, cats: [] },
    { r: `POST ${repo}/git/refs`, body: { ref: "refs/heads/fix", sha: "abc" }, cats: [] },
    { r: `GET ${repo}/pulls?state=open`, cats: [] },
    { r: "GET https://api.github.com/search/issues?q=is%3Aopen+repo%3Aacme%2Fapi", cats: [] },
  ]);
});
