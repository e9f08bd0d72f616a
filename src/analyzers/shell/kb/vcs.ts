import type { CommandSpec } from "./types.js";

const PUBLISH: CommandSpec = {
  rules: [
    {
      sub: ["publish"],
      unless: [{ flag: ["--dry-run", "-n"] }],
      category: "deploy.prod",
      reason: "{cmd} publish releases a package",
    },
  ],
};

/** Version control, forges and package registries. */
export const VCS_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  git: {
    valueOptions: [
      "-C",
      "-c",
      "--git-dir",
      "--work-tree",
      "--namespace",
      "-m",
      "--message",
      "-F",
      "--file",
      "-b",
      "-B",
      "--author",
      "--date",
      "-o",
      "--push-option",
      "--repo",
      "--receive-pack",
      "--exec",
      "--expire",
      "--expire-unreachable",
      "--format",
      "--pretty",
      "--depth",
      "--origin",
      "--branch",
      "--reference",
      "--template",
      "--separate-git-dir",
      "--config",
      "-X",
      "--strategy-option",
      "--strategy",
    ],
    rules: [
      {
        sub: ["push"],
        when: [{ flag: ["-f", "--force", "--force-with-lease", "--force-if-includes"] }],
        category: "vcs.rewrite",
        reason: "git push --force rewrites remote history",
      },
      {
        sub: ["push"],
        when: [{ operand: "^\\+" }],
        category: "vcs.rewrite",
        reason: "git push of a +refspec forces the remote ref",
      },
      {
        sub: ["push"],
        when: [{ flag: ["-d", "--delete"] }],
        category: "vcs.rewrite",
        reason: "git push --delete removes remote {args}",
      },
      {
        sub: ["push"],
        when: [{ operand: "^:." }],
        category: "vcs.rewrite",
        reason: "git push :ref deletes remote {args}",
      },
      {
        sub: ["push"],
        when: [{ flag: ["--mirror", "--prune"] }],
        category: "vcs.rewrite",
        reason: "git push --mirror/--prune deletes remote refs",
      },
      {
        sub: ["push"],
        when: [{ operand: "^(heroku|dokku|production|prod|live)$", at: 0 }],
        category: "deploy.prod",
        reason: "git push {args} deploys to production",
      },
      { sub: ["push"], handler: "git-push" },
      { sub: ["remote", "add|set-url"], handler: "git-remote" },
      {
        sub: ["reset"],
        when: [{ flag: "--hard" }],
        category: "data.destroy",
        reason: "git reset --hard discards uncommitted work",
      },
      {
        sub: ["clean"],
        when: [{ flag: ["-f", "--force"] }],
        unless: [{ flag: ["-n", "--dry-run"] }],
        category: "data.destroy",
        reason: "git clean deletes untracked files",
      },
      {
        sub: ["filter-branch|filter-repo"],
        category: "vcs.rewrite",
        reason: "git {sub} rewrites history",
      },
      {
        sub: ["reflog", "expire|delete"],
        category: "vcs.rewrite",
        reason: "git {sub} {args} destroys the record used to recover history",
      },
      {
        sub: ["gc"],
        when: [{ option: "--prune", value: "^(now|all)$" }],
        category: "vcs.rewrite",
        reason: "git gc --prune=now drops unreachable commits for good",
      },
      {
        sub: ["stash", "clear"],
        category: "data.destroy",
        reason: "git stash clear drops every stash",
      },
      {
        sub: ["config"],
        when: [{ operand: "^http\\.sslverify$" }, { operand: "^(false|0|no|off)$" }],
        category: "security.weaken",
        reason: "git config turns off TLS certificate checks",
      },
      {
        when: [{ option: "-c", value: "^http\\.sslverify=(false|0|no|off)$" }],
        category: "security.weaken",
        reason: "git -c http.sslVerify=false turns off TLS certificate checks",
      },
      {
        sub: ["credential", "fill"],
        category: "secret.access",
        reason: "git credential fill prints a stored credential",
      },
    ],
  },
  "git-filter-repo": {
    rules: [{ category: "vcs.rewrite", reason: "git filter-repo rewrites history" }],
  },
  bfg: { rules: [{ category: "vcs.rewrite", reason: "BFG rewrites history" }] },
  gh: {
    valueOptions: [
      "-R",
      "--repo",
      "-X",
      "--method",
      "-f",
      "--field",
      "-F",
      "--raw-field",
      "-H",
      "--header",
      "-b",
      "--body",
      "-t",
      "--title",
      "--visibility",
      "-e",
      "--env",
      "-o",
      "--org",
      "--jq",
      "-q",
      "--template",
      "--hostname",
      "-a",
      "--app",
    ],
    rules: [
      {
        sub: ["repo", "delete"],
        category: "data.destroy",
        reason: "gh repo delete {args}",
        resources: "github:",
      },
      { sub: ["release", "delete"], category: "data.destroy", reason: "gh release delete {args}" },
      {
        sub: ["release", "delete-asset"],
        category: "data.destroy",
        reason: "gh release delete-asset {args}",
      },
      {
        sub: ["release", "create"],
        unless: [{ flag: ["-d", "--draft"] }],
        category: "deploy.prod",
        reason: "gh release create publishes a release",
      },
      {
        sub: ["api"],
        when: [{ option: ["-X", "--method"], value: "^delete$" }, { operand: "/git/refs/" }],
        category: "vcs.rewrite",
        reason: "gh api DELETE of a git ref: {args}",
      },
      {
        sub: ["api"],
        when: [{ option: ["-X", "--method"], value: "^delete$" }, { operand: "/protection" }],
        category: "security.weaken",
        reason: "gh api DELETE of branch protection: {args}",
      },
      {
        sub: ["api"],
        when: [{ option: ["-X", "--method"], value: "^delete$" }],
        category: "data.destroy",
        reason: "gh api DELETE {args}",
        otherwise: true,
      },
      {
        sub: ["secret", "set|delete|remove"],
        category: "iam.change",
        reason: "gh {sub} {args} changes a secret",
      },
      {
        sub: ["ssh-key|gpg-key", "add|delete"],
        category: "iam.change",
        reason: "gh {sub} changes keys",
      },
      {
        sub: ["auth", "token"],
        category: "secret.access",
        reason: "gh auth token prints the GitHub token",
      },
      {
        sub: ["repo", "edit"],
        when: [{ option: "--visibility", value: "^public$" }],
        category: "security.weaken",
        reason: "gh repo edit makes a repository public",
      },
      { sub: ["repo", "archive"], category: "infra.destroy", reason: "gh repo archive {args}" },
    ],
  },
  glab: {
    rules: [
      { sub: ["repo", "delete"], category: "data.destroy", reason: "glab repo delete {args}" },
      {
        sub: ["release", "delete"],
        category: "data.destroy",
        reason: "glab release delete {args}",
      },
      {
        sub: ["variable", "set|delete|update"],
        category: "iam.change",
        reason: "glab {sub} {args} changes a CI secret",
      },
    ],
  },
  npm: {
    rules: [
      {
        sub: ["publish"],
        unless: [{ flag: ["--dry-run"] }],
        category: "deploy.prod",
        reason: "npm publish releases a package",
      },
      {
        sub: ["unpublish"],
        category: "data.destroy",
        reason: "npm unpublish deletes a published package",
      },
      {
        sub: ["config", "set"],
        when: [{ operand: "^strict-ssl$" }, { operand: "^false$" }],
        category: "security.weaken",
        reason: "npm config turns off TLS certificate checks",
      },
      {
        sub: ["token", "create"],
        category: "iam.change",
        reason: "npm token create mints a registry token",
      },
    ],
  },
  pnpm: PUBLISH,
  yarn: {
    rules: [
      { sub: ["publish"], category: "deploy.prod", reason: "yarn publish releases a package" },
      {
        sub: ["npm", "publish"],
        category: "deploy.prod",
        reason: "yarn npm publish releases a package",
      },
      {
        sub: ["config", "set"],
        when: [{ operand: "^(strict-ssl|enableStrictSsl)$" }, { operand: "^false$" }],
        category: "security.weaken",
        reason: "yarn config turns off TLS certificate checks",
      },
    ],
  },
  cargo: PUBLISH,
  poetry: PUBLISH,
  twine: {
    rules: [
      { sub: ["upload"], category: "deploy.prod", reason: "twine upload releases a package" },
    ],
  },
  gem: {
    rules: [
      { sub: ["push"], category: "deploy.prod", reason: "gem push releases a package" },
      { sub: ["yank"], category: "data.destroy", reason: "gem yank removes a published version" },
    ],
  },
  pip: {
    rules: [
      {
        sub: ["config", "set"],
        when: [{ operand: "trusted-host|cert" }],
        category: "security.weaken",
        reason: "pip config relaxes TLS checks",
      },
    ],
  },
};
