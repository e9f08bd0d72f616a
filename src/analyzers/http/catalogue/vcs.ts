import type { HttpOperation } from "./types.js";

/**
 * Git hosts other than GitHub. GitLab (`/api/v4`) and Gitea/Forgejo (`/api/v1/repos`) are
 * often self-hosted, so they are known by their paths on any host.
 */

const ANY = "*";
const GITLAB = "/api/v4/projects/{project}";
const GITEA = "/api/v1/repos/{owner}/{repo}";
const BITBUCKET = "api.bitbucket.org";
const BB_REPO = "/2.0/repositories/{workspace}/{repo}";

export const VCS_OPERATIONS: readonly HttpOperation[] = [
  // GitLab
  {
    host: ANY,
    method: "DELETE",
    path: GITLAB,
    category: "data.destroy",
    reason: "GitLab project delete: {project}",
    resource: "gitlab:{project}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: `${GITLAB}/repository/{kind}/{name+}`,
    when: [{ from: "param", name: "kind", equals: ["branches", "tags"] }],
    category: "vcs.rewrite",
    reason: "GitLab {kind} delete: {project} {name}",
    resource: "gitlab:{project}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: `${GITLAB}/repository/merged_branches`,
    category: "vcs.rewrite",
    reason: "GitLab delete of all merged branches: {project}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: `${GITLAB}/{kind}/{name+}`,
    when: [{ from: "param", name: "kind", equals: ["protected_branches", "protected_tags"] }],
    category: "security.weaken",
    reason: "GitLab protection removed: {project} {name}",
  },
  // Gitea and Forgejo
  {
    host: ANY,
    method: "DELETE",
    path: `${GITEA}/{kind}/{name+}`,
    when: [{ from: "param", name: "kind", equals: ["branches", "tags"] }],
    category: "vcs.rewrite",
    reason: "Gitea {kind} delete: {owner}/{repo} {name}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: `${GITEA}/branch_protections/{name}`,
    category: "security.weaken",
    reason: "Gitea branch protection removed: {owner}/{repo} {name}",
  },
  // Bitbucket Cloud
  {
    host: BITBUCKET,
    method: "DELETE",
    path: BB_REPO,
    category: "data.destroy",
    reason: "Bitbucket repository delete: {workspace}/{repo}",
  },
  {
    host: BITBUCKET,
    method: "DELETE",
    path: `${BB_REPO}/refs/{kind}/{name+}`,
    category: "vcs.rewrite",
    reason: "Bitbucket {kind} delete: {workspace}/{repo} {name}",
  },
  {
    host: BITBUCKET,
    method: "DELETE",
    path: `${BB_REPO}/branch-restrictions/{id}`,
    category: "security.weaken",
    reason: "Bitbucket branch restriction removed: {workspace}/{repo}",
  },
];
