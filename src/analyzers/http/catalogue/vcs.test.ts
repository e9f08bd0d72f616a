import { describe } from "vitest";
import { check } from "../test-support/table.js";

describe("GitLab, Gitea, Bitbucket", () => {
  const gitlab = "https://gitlab.example.com/api/v4/projects/42";
  check([
    { r: `DELETE ${gitlab}`, cats: ["data.destroy"], resource: "gitlab:42" },
    {
      r: `DELETE ${gitlab}/repository/branches/feature%2Flogin`,
      cats: ["vcs.rewrite"],
      reason: "feature/login",
    },
    { r: `DELETE ${gitlab}/repository/tags/v1.0`, cats: ["vcs.rewrite"] },
    { r: `DELETE ${gitlab}/repository/merged_branches`, cats: ["vcs.rewrite"] },
    { r: `DELETE ${gitlab}/protected_branches/main`, cats: ["security.weaken"] },
    { r: `POST ${gitlab}/merge_requests`, body: { title: "x" }, cats: [] },
    { r: `DELETE ${gitlab}/issues/3/notes/9`, cats: [] },
    { r: "DELETE https://git.example.com/api/v1/repos/acme/api/tags/v1", cats: ["vcs.rewrite"] },
    {
      r: "DELETE https://git.example.com/api/v1/repos/acme/api/branch_protections/main",
      cats: ["security.weaken"],
    },
    { r: "DELETE https://api.bitbucket.org/2.0/repositories/acme/api", cats: ["data.destroy"] },
    {
      r: "DELETE https://api.bitbucket.org/2.0/repositories/acme/api/refs/tags/v1",
      cats: ["vcs.rewrite"],
    },
  ]);
});
