import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  approvalId,
  EXPECTED,
  expectDecision,
  fixture,
  freePort,
  HOOK_ENV,
  type HookRun,
  hook,
  hookAsync,
  issueToken,
  pendingRequest,
  ROOT,
  type Serving,
  scratch,
  serve,
  vote,
} from "./test-support/hook.js";

/**
 * `redline hook claude-code --server URL`: the same payloads decided by `redline serve` (the
 * baseline, plus the hook's analysis of Claude Code's tools, as docs/hooks.md says to run it),
 * approvals waited on and released through it, and every way of not reaching it denied.
 */

let server: Serving;
let state: string;
let policy: string[];
let token: string;
const env = (t: string) => ({ ...HOOK_ENV, REDLINE_TOKEN: t });

beforeAll(async () => {
  const dir = scratch();
  state = join(dir, "state");
  const analysis = join(dir, "claude-code.yaml");
  writeFileSync(analysis, hook(["claude-code", "--print-analysis"], "").stdout);
  const breaker = join(dir, "breaker.yaml");
  writeFileSync(breaker, "breaker: { denials: 1000, per: 60s }\n");
  policy = [join(ROOT, "presets/baseline.yaml"), analysis, breaker];
  server = await serve(["--policy", ...policy, "--state-dir", state]);
  token = issueToken(state, "claude-code", policy);
});
afterAll(async () => {
  await server?.stop();
});

const remote = (extra: string[] = []) => [
  "claude-code",
  "--server",
  server.url,
  "--wait",
  "0",
  ...extra,
];

describe("every tool type, decided by the control plane", () => {
  for (const name of Object.keys(EXPECTED))
    it(`${name}: ${EXPECTED[name]?.decision}`, () => {
      const r = hook(remote(), fixture(name), env(token));
      expectDecision(name, r, (ok, message) => expect(ok, message).toBe(true));
      if (EXPECTED[name]?.decision === "approval")
        expect(r.reason).toContain(`(or in the Redline dashboard at ${server.url})`);
    });

  it("reads the token from --token-file, and names the agent from it", () => {
    const file = join(scratch(), "token");
    writeFileSync(file, `${token}\n`);
    const r = hook(remote(["--token-file", file]), fixture("bash-rm-data"), HOOK_ENV);
    expect(r.decision).toBe("deny");
    expect(r.reason).toMatch(/^Redline denied this Bash call \(red line: data\.destroy/);
  });
});

describe("approvals through the control plane", () => {
  it("pending, approved by a human, then the retry runs once", async () => {
    const first = hook(remote(), fixture("read-aws-tilde"), env(token));
    const id = approvalId(first.reason) as string;
    expect(id).toMatch(/^apr_/);
    expect(await vote(state, id, "approve")).toMatchObject({ ok: true });
    const retry = hook(remote(), fixture("read-aws-tilde"), env(token));
    expect(retry.decision).toBe("allow");
    expect(retry.reason).toContain(`approved by a human (${id})`);
    const again = hook(remote(), fixture("read-aws-tilde"), env(token));
    expect(again.decision).toBe("deny");
    expect(approvalId(again.reason)).not.toBe(id);
  });

  it("long-polls up to --wait and releases the grant when the human approves", async () => {
    const t = issueToken(state, "remote-wait", policy);
    const running = hookAsync(
      ["claude-code", "--server", server.url, "--wait", "25"],
      fixture("bash-force-push"),
      env(t),
    );
    const request = await pendingRequest(state, "remote-wait");
    await vote(state, request.id, "approve");
    const r = await running;
    expect(r.decision).toBe("allow");
    expect(r.reason).toContain(`approved by a human (${request.id})`);
  });

  it("a human's deny while waiting is a deny naming the request", async () => {
    const t = issueToken(state, "remote-deny", policy);
    const running = hookAsync(
      ["claude-code", "--server", server.url, "--wait", "25"],
      fixture("read-env"),
      env(t),
    );
    const request = await pendingRequest(state, "remote-deny");
    await vote(state, request.id, "deny");
    const r = await running;
    expect(r.decision).toBe("deny");
    expect(r.reason).toContain(`(approval request ${request.id}), which was not given: denied`);
  });
});

describe("fails closed when the control plane cannot answer", () => {
  const denied = (r: HookRun, reason: RegExp) => {
    expect(r.code).toBe(0);
    expect(r.decision).toBe("deny");
    expect(r.reason).toMatch(/^Redline could not decide this call, so it is denied: /);
    expect(r.reason).toMatch(reason);
  };

  it("nothing listening at the URL", async () => {
    const port = await freePort();
    denied(
      hook(["claude-code", "--server", `http://127.0.0.1:${port}`], fixture("bash-ls"), env(token)),
      new RegExp(
        `the control plane at http://127\\.0\\.0\\.1:${port} is unreachable \\(ECONNREFUSED\\)`,
      ),
    );
  });

  it("a token it refuses", () =>
    denied(
      hook(remote(), fixture("bash-ls"), env("eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln")),
      /the control plane refused the action: HTTP 401/,
    ));

  it("an action it refuses (an invalid envelope)", () =>
    denied(hook(remote(), fixture("webfetch-ftp"), env(token)), /HTTP 400: invalid action: url/));

  describe("a server that is not a control plane", () => {
    let fake: Server;
    let url: string;
    let hang = false;
    beforeAll(async () => {
      fake = createServer((_req, res) => {
        if (hang) return; // accepts, never answers
        res.writeHead(200, { "content-type": "text/html" }).end("<html>hello</html>");
      });
      await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
    });
    afterAll(() => {
      fake.closeAllConnections();
      fake.close();
    });

    // In-process servers: the hook runs asynchronously, so this process can answer it.
    it("answering something that is not a decision", async () =>
      denied(
        await hookAsync(["claude-code", "--server", url], fixture("bash-ls"), env(token)),
        /the control plane's answer is not a decision: <html>hello<\/html>$/,
      ));

    it("never answering (--timeout)", async () => {
      hang = true;
      const r = await hookAsync(
        ["claude-code", "--server", url, "--timeout", "1"],
        fixture("bash-ls"),
        env(token),
      );
      hang = false;
      denied(r, /unreachable \(no answer within 1000 ms\)/);
    });
  });
});
