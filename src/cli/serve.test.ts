import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempStateDir } from "../audit/test-support/fixtures.js";
import { BIN, freePort, issueToken, listening, ROOT } from "../mcp/test-support/harness.js";
import { verifySignature } from "../notify/signature.js";
import { startReceiver } from "../notify/test-support/receiver.js";
import { opsBotState } from "../serve/test-support/control-plane.js";

/** `redline serve` as a user runs it: the built CLI, webhooks to a real receiver. */

let child: ChildProcess;
let base: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let policy: string;
let state: string;

beforeAll(async () => {
  ({ state, policy } = opsBotState(tempStateDir));
  receiver = await startReceiver();
  const port = await freePort();
  child = spawn(
    process.execPath,
    [
      BIN,
      "serve",
      "--policy",
      policy,
      "--state-dir",
      state,
      "--listen",
      `127.0.0.1:${port}`,
      "--webhook",
      receiver.url,
      "--webhook-secret-env",
      "HOOK_SECRET",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, HOOK_SECRET: "s3cret" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  base = (await listening(child, "redline serve")).href;
});

afterAll(async () => {
  child?.kill("SIGTERM");
  await receiver?.close();
});

describe("redline serve", () => {
  it("answers health, and sends a signed webhook for an approval request", async () => {
    expect(await (await fetch(new URL("/healthz", base))).json()).toMatchObject({ ok: true });
    const token = issueToken(policy, state, "ops-bot");
    const r = await fetch(new URL("/v1/decisions", base), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ agent: "ops-bot", kind: "shell", command: "rm -rf /srv/data" }),
    });
    const d = (await r.json()) as { approval: { id: string } };
    expect(d).toMatchObject({ decision: "approval", approval: { status: "pending" } });
    const until = Date.now() + 10_000;
    while (receiver.received.length === 0 && Date.now() < until)
      await new Promise((res) => setTimeout(res, 50));
    const hook = receiver.received[0];
    expect(hook).toBeDefined();
    const body = JSON.parse(hook?.body ?? "{}");
    expect(body).toMatchObject({
      type: "approval.requested",
      agent: "ops-bot",
      approval: { id: d.approval.id },
    });
    expect(body.approval.url).toContain(base);
    const ts = hook?.headers["x-redline-timestamp"] as string;
    expect(
      verifySignature(
        "s3cret",
        ts,
        hook?.body ?? "",
        hook?.headers["x-redline-signature"] as string,
      ),
    ).toEqual({
      ok: true,
    });
  });

  it("refuses a bad --webhook value with a message naming it", async () => {
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync(
      process.execPath,
      [BIN, "serve", "--state-dir", state, "--webhook", "ftp://x"],
      {
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--webhook 'ftp:/);
  });
});
