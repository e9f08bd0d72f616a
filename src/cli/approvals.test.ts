import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { pending } from "../approvals/test-support/requests.js";
import { tempStateDir } from "../audit/test-support/fixtures.js";
import { openSqliteStore } from "../store/sqlite/open.js";

/** `redline approvals` as a human runs it: the built CLI on a state directory. */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin/redline.js");

function redline(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, REDLINE_APPROVER_SECRET: "", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let state: string;
let id: string;
let secret: string;

beforeAll(async () => {
  state = tempStateDir();
  const store = openSqliteStore({ dir: state });
  const r = pending({ quorum: 1 }, Date.now());
  await store.approvals.create(r);
  id = r.id;
  await store.close();
  const added = redline(["approvers", "add", "alice", "--state-dir", state, "--json"]);
  secret = JSON.parse(added.stdout).secret;
});

describe("redline approvals", () => {
  it("lists pending requests and shows one in full", () => {
    const list = redline(["approvals", "list", "--state-dir", state]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toMatch(/pending\s+ops-bot\s+shell: git push --force/);
    const show = redline(["approvals", "show", id, "--state-dir", state, "--json"]);
    expect(JSON.parse(show.stdout)).toMatchObject({ id, status: "pending", quorum: 1 });
    expect(redline(["approvals", "show", "apr_nope", "--state-dir", state]).code).toBe(2);
  });

  it("refuses a vote without an approver secret, or with something else", () => {
    const none = redline(["approvals", "approve", id, "--state-dir", state]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs an approver secret/);
    const token = redline(["approvals", "approve", id, "--state-dir", state], {
      REDLINE_APPROVER_SECRET: "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJvcHMtYm90In0.c2ln",
    });
    expect(token.code).toBe(1);
    expect(token.stderr).toMatch(/an agent token can never authenticate an approver/);
  });

  it("approves with an approver secret; a second vote on it is refused", () => {
    const ok = redline(["approvals", "approve", id, "--state-dir", state, "-m", "looks right"], {
      REDLINE_APPROVER_SECRET: secret,
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`${id}\\s+granted`));
    const again = redline(["approvals", "deny", id, "--state-dir", state], {
      REDLINE_APPROVER_SECRET: secret,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/refused \(not-pending\)/);
    expect(
      redline(["approvals", "list", "--status", "granted", "--state-dir", state]).stdout,
    ).toContain(id);
  });
});
