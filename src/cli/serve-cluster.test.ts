import { spawnSync } from "node:child_process";
import { request } from "node:http";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPublicKey } from "../audit/keys.js";
import { tempStateDir } from "../audit/test-support/fixtures.js";
import { verifyAuditLog } from "../audit/verify.js";
import { BIN, issueToken, type Listening, listeningCli } from "../mcp/test-support/harness.js";
import { startReceiver } from "../notify/test-support/receiver.js";
import { opsBotState } from "../serve/test-support/control-plane.js";
import { openSqliteStore } from "../store/sqlite/open.js";

/** `redline serve --workers 2` as a user runs it: the built CLI, two workers, one port. */

let server: Listening;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let policy: string;
let state: string;
let token: string;

beforeAll(async () => {
  ({ state, policy } = opsBotState(tempStateDir));
  receiver = await startReceiver();
  server = await listeningCli([
    "serve",
    "--policy",
    policy,
    "--state-dir",
    state,
    "--listen",
    "127.0.0.1:0",
    "--workers",
    "2",
    "--webhook",
    receiver.url,
  ]);
  token = issueToken(policy, state, "ops-bot");
});

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

/** One request on a connection of its own, so the primary hands it to the next worker. */
function post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, server.url),
      {
        method: "POST",
        agent: false,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

const decide = (command: string) =>
  post("/v1/decisions", { agent: "ops-bot", kind: "shell", command, session: "s1" });

const workerPids = (text: string) =>
  [...text.matchAll(/worker (\d+) \(pid (\d+)\) started|(\d+) \(pid (\d+)\)[,\n]/g)].map((m) =>
    Number(m[2] ?? m[4]),
  );

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${server.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function metric(text: string, line: RegExp): number {
  const m = line.exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

describe("redline serve --workers", () => {
  it("serves decisions from two processes on one port, one chain, metrics counted once", async () => {
    expect(server.stderr()).toMatch(/listening http:\/\/127\.0\.0\.1:\d+\/ \(2 workers;/);
    const pids = workerPids(server.stderr());
    expect(pids).toHaveLength(2);
    expect(new Set([...pids, server.child.pid]).size).toBe(3);

    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => decide(`ls /tmp/${i}`)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const seqs = answers.map((a) => (a.json as { auditSeq: number }).auditSeq);
    expect(new Set(seqs).size).toBe(40);

    // The primary gathers every worker's latency histogram, and counts the log's entries once.
    const text = await (await fetch(new URL("/metrics", server.url))).text();
    expect(metric(text, /^redline_decision_duration_seconds_count (\d+)$/m)).toBe(40);
    const entries = async () =>
      metric(
        await (await fetch(new URL("/metrics", server.url))).text(),
        /^redline_audit_entries_total\{kind="decision",decision="allow"\} (\d+)$/m,
      );
    // The primary follows the log every 100 ms.
    const end = Date.now() + 5_000;
    while ((await entries()) !== 40 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
    expect(await entries()).toBe(40);
  });

  it("sends one webhook per approval request, not one per worker", async () => {
    const d = (await decide("rm -rf /srv/data")).json as { approval: { id: string } };
    expect(d.approval.id).toBeTruthy();
    await until("the webhook", () => receiver.received.length > 0);
    await new Promise((r) => setTimeout(r, 700)); // a second sender would have sent by now
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]?.body ?? "{}")).toMatchObject({
      type: "approval.requested",
      approval: { id: d.approval.id },
    });
  });

  it("a suspension made through one worker holds at the next request to every worker", async () => {
    const added = spawnSync(
      process.execPath,
      [BIN, "approvers", "add", "alice", "--state-dir", state, "--policy", policy, "--json"],
      { encoding: "utf8" },
    );
    expect(added.status).toBe(0);
    const secret = JSON.parse(added.stdout).secret as string;
    const agent = (verb: string) =>
      fetch(new URL(`/v1/agents/ops-bot/${verb}`, server.url), {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: JSON.stringify({ reason: "incident" }),
      });
    expect((await agent("suspend")).status).toBe(200);
    const denied = await Promise.all(Array.from({ length: 10 }, (_, i) => decide(`ls ${i}`)));
    for (const a of denied)
      expect(a).toMatchObject({ status: 200, json: { decision: "deny", reason: /suspended/ } });
    expect((await agent("resume")).status).toBe(200);
    // The suspension revoked the tokens issued before it (times in seconds): a new one.
    await new Promise((r) => setTimeout(r, 1100));
    token = issueToken(policy, state, "ops-bot");
    const allowed = await Promise.all(Array.from({ length: 10 }, (_, i) => decide(`ls ${i}`)));
    for (const a of allowed) expect(a).toMatchObject({ status: 200, json: { decision: "allow" } });
  });

  it("restarts a worker that dies; the other serves meanwhile", async () => {
    const [first] = workerPids(server.stderr());
    process.kill(first as number, "SIGKILL");
    // Its connections fail (the enforcement point fails closed); once the primary has seen
    // the exit, new ones go to the worker left, while the replacement starts.
    await until("the primary to see the exit", () =>
      /worker \d \(pid \d+\) exited \(signal SIGKILL\): starting another/.test(server.stderr()),
    );
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => decide(`pwd ${i}`)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    await until("a replacement", () => /worker \d \(pid \d+\) started/.test(server.stderr()));
    const answers2 = await Promise.all(Array.from({ length: 10 }, (_, i) => decide(`id ${i}`)));
    expect(answers2.map((a) => a.status)).toEqual(Array(10).fill(200));
  });

  it("stops on SIGTERM with every worker, exit 0, and the chain verifies", async () => {
    const pids = workerPids(server.stderr()).slice(-2);
    const exited = new Promise<number | null>((r) => server.child.once("exit", r));
    server.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    const store = openSqliteStore({ dir: state, readonly: true });
    try {
      const report = await verifyAuditLog(store.audit, readPublicKey(state));
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});

/** Two workers on a fresh state directory, default policy. */
const twoWorkers = () =>
  listeningCli([
    "serve",
    "--state-dir",
    tempStateDir(),
    "--listen",
    "127.0.0.1:0",
    "--workers",
    "2",
  ]);

describe("redline serve --workers: bad input and failed starts", () => {
  it("refuses a worker count that is not 1 to 64, naming the flag", () => {
    for (const bad of ["0", "65", "two", "1.5"]) {
      const r = spawnSync(
        process.execPath,
        [BIN, "serve", "--state-dir", state, "--workers", bad],
        {
          encoding: "utf8",
        },
      );
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`--workers ${bad}: expected a whole number from 1 to 64`);
    }
  });

  it("exits 2 with the reason when the workers cannot listen", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const { port } = taken.address() as { port: number };
    try {
      const r = spawnSync(
        process.execPath,
        [BIN, "serve", "--state-dir", state, "--listen", `127.0.0.1:${port}`, "--workers", "2"],
        { encoding: "utf8", timeout: 30_000 },
      );
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/worker \d: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
    } finally {
      taken.close();
    }
  });

  it("workers stop when the primary dies: nothing serves without its supervisor", async () => {
    const s = await twoWorkers();
    const pids = workerPids(s.stderr());
    expect(pids).toHaveLength(2);
    s.child.kill("SIGKILL");
    const alive = () =>
      pids.filter((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
    const end = Date.now() + 10_000;
    while (alive().length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toEqual([]);
    await expect(fetch(new URL("/healthz", s.url))).rejects.toThrow();
  });

  it("stops with exit 1 when workers keep dying (a crash loop), instead of forking forever", async () => {
    const s = await twoWorkers();
    const exited = new Promise<number | null>((r) => s.child.once("exit", r));
    const killed = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const next = () => workerPids(s.stderr()).find((p) => !killed.has(p));
      const end = Date.now() + 15_000;
      while (next() === undefined) {
        if (Date.now() > end) throw new Error(`no worker to kill:\n${s.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const pid = next() as number;
      killed.add(pid);
      process.kill(pid, "SIGKILL");
    }
    expect(await exited).toBe(1);
    expect(s.stderr()).toMatch(/the 6th exit within a minute: stopping/);
  }, 60_000);
});
