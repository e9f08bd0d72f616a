import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { FactsBuilder } from "../../core/facts.js";
import type { AnalysisContext } from "../types.js";
import { SENSITIVE_PATHS } from "./catalogue.js";
import {
  classifyPath,
  isInside,
  type PathOp,
  type PathUse,
  pathFacts,
  resolvePath,
} from "./index.js";
import { UNKNOWN_CWD, UNKNOWN_PARENT } from "./resolve.js";

const HOME = "/home/agent";
const WS = "/home/agent/project";
const ctx = (o: Partial<AnalysisContext> = {}) => ({ cwd: WS, home: HOME, workspace: WS, ...o });

describe("resolvePath", () => {
  it.each([
    ["~", HOME],
    ["~/", HOME],
    ["~/x/y", `${HOME}/x/y`],
    ["$HOME/x", `${HOME}/x`],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
    ["${HOME}/x", `${HOME}/x`],
    ["$HOMEDIR/x", `${WS}/$HOMEDIR/x`],
    ["~bob/x", "/home/bob/x"],
    ["x", `${WS}/x`],
    ["./x/../y", `${WS}/y`],
    ["..", HOME],
    ["../../..", "/"],
    ["a//b/", `${WS}/a/b`],
    ["/a/./b/..", "/a"],
    ["/", "/"],
    ["C:\\Users\\bob\\..\\x", "C:/Users/x"],
    ["C:\\", "C:"],
  ])("%s → %s", (raw, expected) => {
    expect(resolvePath(raw, ctx())).toBe(expected);
  });

  it("joins relative paths to a sentinel when the working directory is unknown", () => {
    expect(resolvePath("a/b", ctx({ cwd: undefined }))).toBe(`${UNKNOWN_CWD}/a/b`);
    expect(resolvePath(".", ctx({ cwd: undefined }))).toBe(UNKNOWN_CWD);
    expect(resolvePath("../x", ctx({ cwd: undefined }))).toBe(`${UNKNOWN_PARENT}/x`);
    expect(resolvePath("/etc", ctx({ cwd: undefined }))).toBe("/etc");
  });

  it("follows symlinks through ctx.realpath, and falls back to the lexical path", () => {
    const realpath = (p: string) => {
      if (p === `${WS}/link`) return "/srv/data";
      throw new Error("ENOENT");
    };
    expect(resolvePath("link", ctx({ realpath }))).toBe("/srv/data");
    expect(resolvePath("missing", ctx({ realpath }))).toBe(`${WS}/missing`);
  });
});

describe("isInside", () => {
  it.each([
    ["/a/b", "/a", true],
    ["/a", "/a", true],
    ["/ab", "/a", false],
    ["/a/b", "/", true],
    ["/", "/a", false],
  ])("%s in %s: %s", (path, root, inside) => {
    expect(isInside(path, root)).toBe(inside);
  });
});

describe("classifyPath", () => {
  it.each([
    [`${HOME}/.ssh/id_rsa`, "SSH keys"],
    [`${HOME}/.ssh/authorized_keys`, "SSH authorized keys"],
    [`${HOME}/.ssh/known_hosts`, "SSH known hosts"],
    [`${WS}/certs/server.key`, "a private key"],
    [`${WS}/id_ed25519.pub`, "a public key"],
    [`${HOME}/.aws/credentials`, "AWS credentials"],
    [`${HOME}/.config/gcloud/application_default_credentials.json`, "gcloud credentials"],
    [`${HOME}/.azure/accessTokens.json`, "Azure credentials"],
    [`${HOME}/.kube/config`, "a kubeconfig"],
    [`${WS}/.env`, "an env file"],
    [`${WS}/.env.production`, "an env file"],
    [`${WS}/.env.example`, "an env template"],
    ["/etc/shadow", "password hashes"],
    ["/etc/sudoers.d/agent", "sudoers"],
    [`${HOME}/.bash_history`, "shell history"],
    [`${HOME}/.netrc`, "stored credentials"],
    [`${WS}/.npmrc`, "stored credentials"],
    [`${HOME}/.git-credentials`, "stored credentials"],
    ["/proc/1/environ", "stored credentials"],
    ["/var/log/auth.log", "system logs"],
    [`${HOME}/.zshrc`, "a startup file (persistence)"],
    ["/etc/cron.d/job", "cron (persistence)"],
    ["/etc/systemd/system/x.service", "a systemd unit (persistence)"],
    [`${WS}/.git/hooks/pre-commit`, "a git hook (persistence)"],
    [`${WS}/.git`, "the git repository"],
  ])("%s is %s", (path, what) => {
    expect(classifyPath(path, ctx()).sensitive?.what).toBe(what);
  });

  it.each([
    [
      "/home/bob/.aws/credentials",
      "/home/bob/.ssh/id_ed25519",
      "/root/.bashrc",
      "/Users/ann/.kube/config",
    ],
  ])("secrets and startup files in other users' homes are sensitive too: %s", (...paths) => {
    for (const path of paths) expect(classifyPath(path, ctx()).sensitive, path).toBeDefined();
  });

  it.each([
    `${WS}/src/index.ts`,
    `${WS}/README.md`,
    "/etc/hosts",
    `${WS}/environment.ts`,
    `${WS}/keys.txt`,
  ])("%s is not sensitive", (path) => {
    expect(classifyPath(path, ctx()).sensitive).toBeUndefined();
  });

  it.each([
    ["/", "root"],
    ["C:", "root"],
    [HOME, "home"],
    [WS, "workspace"],
    ["/home/agent", "home"],
    ["/etc", "system"],
    ["/usr/local", "system"],
    ["/srv", "data"],
    ["/var/lib/postgresql", "data"],
    [`${WS}/data`, "data"],
    ["/opt/app/db", "data"],
    ["/var/backups", "backup"],
    [`${HOME}/backups`, "backup"],
    ["/home", "system"],
    [`${WS}/src`, undefined],
    [`${WS}/dist/data`, undefined],
  ])("%s is protected as %s", (path, kind) => {
    expect(classifyPath(path, ctx()).protected).toBe(kind);
  });

  it("knows the directories that contain the workspace", () => {
    expect(
      classifyPath("/home/agent", ctx({ workspace: "/home/agent/project/app" })).protected,
    ).toBe("home");
    expect(classifyPath(WS, ctx({ cwd: `${WS}/app`, workspace: `${WS}/app` })).protected).toBe(
      "ancestor",
    );
  });

  it.each([
    ["/srv/data/users.csv", "data"],
    ["/var/lib/mysql/ibdata1", "data"],
    ["/mnt/volume/x", "data"],
    ["/var/backups/db.tar", "backup"],
    [`${HOME}/snapshots/a`, "backup"],
    [`${WS}/data/fixture.json`, undefined],
    ["/tmp/x", undefined],
  ])("%s lies within %s", (path, kind) => {
    expect(classifyPath(path, ctx()).within).toBe(kind);
  });

  it.each([
    [`${WS}/node_modules`, true],
    [`${WS}/node_modules/x/index.js`, true],
    [`${WS}/dist`, true],
    [`${WS}/coverage`, true],
    [`${WS}/.next`, true],
    [`${WS}/target/debug`, true],
    [`${WS}/src/__pycache__/a.pyc`, true],
    [`${HOME}/.cache/pip`, true],
    [`${WS}/src`, false],
    [`${WS}/package.json`, false],
  ])("%s is a build artefact: %s", (path, artefact) => {
    expect(classifyPath(path, ctx()).artefact).toBe(artefact);
  });

  it.each([
    ["/dev/null", "harmless"],
    ["/dev/fd/3", "harmless"],
    ["/dev/sda", "disk"],
    ["/dev/nvme0n1p1", "disk"],
    ["/dev/mapper/root", "disk"],
    ["/dev/tcp/1.2.3.4/80", "network"],
    ["/proc/sysrq-trigger", "kernel"],
    ["/dev/shm/x", undefined],
  ])("%s is device %s", (path, device) => {
    expect(classifyPath(path, ctx()).device).toBe(device);
  });

  it("says whether a path is in the workspace, and that it cannot know without one", () => {
    expect(classifyPath(`${WS}/a`, ctx()).inWorkspace).toBe(true);
    expect(classifyPath("/etc/a", ctx()).inWorkspace).toBe(false);
    expect(
      classifyPath("/etc/a", ctx({ workspace: undefined, cwd: undefined })).inWorkspace,
    ).toBeUndefined();
    expect(
      classifyPath(`${UNKNOWN_CWD}/a`, ctx({ workspace: undefined, cwd: undefined })).inWorkspace,
    ).toBe(true);
    expect(classifyPath("/srv/x/a", ctx({ workspace: "/srv/x" })).inWorkspace).toBe(true);
  });

  it("marks scratch space", () => {
    expect(classifyPath("/tmp/build", ctx()).scratch).toBe(true);
    expect(classifyPath("/var/tmp", ctx()).scratch).toBe(true);
    expect(classifyPath("/home/agent/tmpfile", ctx()).scratch).toBe(false);
  });
});

function facts(path: string, op: PathOp, use: PathUse = {}, c = ctx()) {
  const out = new FactsBuilder();
  pathFacts(path, op, c, out, use);
  return out.build();
}

describe("pathFacts", () => {
  it.each<[string, PathOp, PathUse, string[]]>([
    ["/srv/data", "delete", { recursive: true }, ["data.destroy"]],
    ["/srv/data", "delete", {}, ["security.weaken"]],
    ["/srv/data/x.csv", "delete", {}, ["data.destroy"]],
    ["/var/backups", "delete", { recursive: true }, ["backup.destroy"]],
    ["/", "delete", { recursive: true }, ["data.destroy", "system.destroy"]],
    ["/etc", "delete", { contents: true }, ["data.destroy", "system.destroy"]],
    [HOME, "delete", { recursive: true }, ["data.destroy", "system.destroy"]],
    [WS, "delete", { recursive: true }, ["data.destroy"]],
    [`${WS}/node_modules`, "delete", { recursive: true }, []],
    [`${WS}/src`, "delete", { recursive: true }, []],
    [`${WS}/a.txt`, "delete", {}, []],
    [`${WS}/data`, "delete", { recursive: true }, ["data.destroy"]],
    [`${WS}/.git`, "delete", { recursive: true }, ["data.destroy"]],
    ["/tmp/x", "delete", { recursive: true }, []],
    [`${HOME}/old-project`, "delete", { recursive: true }, ["data.destroy"]],
    [`${HOME}/notes.txt`, "delete", {}, ["security.weaken"]],
    ["/var/log/syslog", "delete", {}, ["audit.tamper"]],
    [`${HOME}/.ssh/authorized_keys`, "delete", {}, ["iam.change"]],
    ["/dev/sda", "overwrite", {}, ["system.destroy"]],
    ["/dev/null", "overwrite", {}, []],
    ["/var/log/auth.log", "overwrite", {}, ["audit.tamper"]],
    ["/srv/data/db.sqlite", "overwrite", {}, ["data.destroy"]],
    ["/srv/data/new.csv", "write", {}, ["security.weaken"]],
    ["/etc/sudoers", "write", {}, ["iam.change"]],
    [`${HOME}/.bashrc`, "write", {}, ["security.weaken"]],
    [`${WS}/.git/hooks/post-checkout`, "write", {}, ["security.weaken"]],
    [`${WS}/out.txt`, "overwrite", {}, []],
    ["/tmp/out.txt", "write", {}, []],
    ["/etc/nginx/nginx.conf", "write", {}, ["security.weaken"]],
    [`${HOME}/.aws/credentials`, "read", {}, ["secret.access"]],
    [`${WS}/.env`, "read", {}, ["secret.access"]],
    [`${WS}/.env`, "write", {}, []],
    ["/etc/passwd", "read", {}, []],
    ["/var/log/syslog", "read", {}, []],
    [`${HOME}/.redline/state.db`, "overwrite", {}, ["audit.tamper"]],
    [`${WS}/.redline`, "delete", { recursive: true }, ["audit.tamper"]],
    [`${HOME}/.redline/identity-keys/k1.pem`, "read", {}, ["secret.access"]],
    [`${WS}/.claude/settings.json`, "write", {}, ["security.weaken"]],
    [`${HOME}/.claude/settings.local.json`, "overwrite", {}, ["security.weaken"]],
  ])("%s %s %o → %o", (path, op, use, expected) => {
    expect([...facts(path, op, use).categories].sort()).toEqual(expected);
  });

  it("records the path as a target and explains itself", () => {
    const f = facts("/srv/data", "delete", { recursive: true, verb: "recursive rm of" });
    expect(f.targets.paths).toEqual(["/srv/data"]);
    expect(f.flags).toContain("recursive");
    expect(f.findings[0]?.reason).toMatch(/^recursive rm of \/srv\/data/);
  });

  it("writes anywhere are fine when there is no workspace to compare with", () => {
    expect(
      facts("/etc/app.conf", "write", {}, ctx({ cwd: undefined, workspace: undefined })).categories,
    ).toEqual([]);
  });

  it("judges relative paths under an unknown working directory as in the workspace", () => {
    const unknown = ctx({ cwd: undefined, workspace: undefined });
    expect(facts(`${UNKNOWN_CWD}/a.txt`, "write", {}, unknown).categories).toEqual([]);
    expect(facts(UNKNOWN_CWD, "delete", { contents: true }, unknown).categories).toEqual([
      "data.destroy",
    ]);
    expect(facts(UNKNOWN_PARENT, "delete", { recursive: true }, unknown).categories).toEqual([
      "data.destroy",
    ]);
  });
});

describe("the catalogue is data", () => {
  it("every glob compiles and names a category or is a deliberate exception", () => {
    for (const entry of SENSITIVE_PATHS) {
      for (const glob of typeof entry.glob === "string" ? [entry.glob] : entry.glob)
        expect(() => picomatch(glob)).not.toThrow();
      const categories = [entry.read, entry.write, entry.delete].filter(Boolean);
      if (categories.length === 0)
        expect(["a public key", "an env template"]).toContain(entry.what);
    }
  });
});
