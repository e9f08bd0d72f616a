import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENTRY_KINDS } from "../audit/entry.js";
import {
  Approver,
  EVERYTHING,
  issueToken,
  ROOT,
  redline,
  type Stdio,
  stdioGateway,
  testRoot,
  writePolicy,
} from "../mcp/test-support/harness.js";
import {
  type Browser,
  launchChromium,
  type Serving,
  startServe,
} from "./test-support/control-plane.js";

/**
 * The dashboard end to end, in Debian's Chromium driven by playwright-core: `redline serve`
 * and `redline mcp` (stdio, the SDK client as the agent) share one state directory. The agent's
 * MCP call is held for approval; the request shows up in the open dashboard without a reload; a
 * click on Approve releases the held call, the agent gets the tool's result, and the live audit
 * feed shows the decision, the grant and its use. Screenshots go to test-output/.
 */

const POLICY = `
agents:
  - id: coding-agent
    owner: platform-team
    environment: dev
    default: allow
  - id: support-bot
    default: allow
redlines:
  - id: destruction-needs-a-human
    categories: [data.destroy]
    effect: approval
    approval: { expires: 10m }
analysis:
  tools:
    # server-everything's echo stands in for a shell tool: its message is analysed as a command.
    - server: everything
      tool: echo
      arguments: { message: shell }
breaker: { denials: 100, per: 60s }
`;

const OUT = join(ROOT, "test-output");
const WAIT = { timeout: 15_000 };

let root: string;
let state: string;
let policy: string;
let secret: string;
let serve: Serving;
let agent: Stdio;
let browser: Browser;
let page: Page;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  root = testRoot();
  state = join(root, "state");
  policy = writePolicy(root, POLICY);
  // The browser first: without Chromium there is nothing to test, and the message says why.
  browser = await launchChromium(root);
  cleanup.push(() => browser.close());
  page = browser.page;
  const added = redline([
    "approvers",
    "add",
    "alice",
    "--json",
    "--policy",
    policy,
    "--state-dir",
    state,
  ]);
  if (added.code !== 0) throw new Error(`approvers add failed: ${added.stderr}`);
  secret = (JSON.parse(added.stdout) as { secret: string }).secret;
  serve = await startServe(["--policy", policy, "--state-dir", state]);
  cleanup.push(() => serve.stop());
  agent = await stdioGateway({
    policy,
    state,
    token: issueToken(policy, state, "coding-agent"),
    name: "everything",
    upstream: [process.execPath, EVERYTHING, "stdio"],
  });
  cleanup.push(() => agent.client.close());
  mkdirSync(OUT, { recursive: true });
}, 60_000);

afterAll(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {});
});

type ToolResult = Awaited<ReturnType<Client["callTool"]>>;
const text = (r: ToolResult) =>
  ((r.content ?? []) as { text?: string }[]).map((c) => c.text ?? "").join("");

const card = (command: string): Locator => page.locator(".card", { hasText: command });
const feedRow = (kind: string, hasText?: string): Locator =>
  page.locator(`#feed-rows tr[data-kind="${kind}"]`, hasText ? { hasText } : {});
/** True while the page has not been reloaded since `markPage()`. */
const markPage = () => page.evaluate(() => Object.assign(globalThis, { redlineTestMark: true }));
const stillSamePage = () =>
  page.evaluate(() => (globalThis as { redlineTestMark?: boolean }).redlineTestMark === true);

describe("the dashboard, in Chromium, against redline serve and redline mcp", () => {
  it("signs in with the approver secret", async () => {
    await page.goto(serve.url.href);
    await page.getByLabel("Approver secret").fill("rla_not.a-real-secret");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator("#sign-in-error").textContent(), WAIT).toMatch(/refused/);
    await page.getByLabel("Approver secret").fill(secret);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#live", { hasText: "Live" }).waitFor(WAIT);
    expect(await page.locator("#who").textContent()).toBe("Signed in as alice");
    await page.locator("#chain-badge", { hasText: "Chain verified" }).waitFor(WAIT);
    expect(await page.locator("#pending-empty").isVisible()).toBe(true);
    // The secret is kept for this tab only.
    expect(
      await page.evaluate<string | null>('sessionStorage.getItem("redline.approverSecret")'),
    ).toBe(secret);
  });

  it("shows a held MCP call live; Approve releases it and the agent gets the result", {
    timeout: 60_000,
  }, async () => {
    await markPage();
    const command = "rm -rf /srv/data";
    // The agent's call: held by the gateway until a human decides. Not awaited yet.
    const call = agent.client.callTool(
      { name: "echo", arguments: { message: command } },
      undefined,
      {
        timeout: 60_000,
      },
    );
    let settled = false;
    const done = () => {
      settled = true;
    };
    call.then(done, done); // a failing test must not leave an unhandled rejection behind
    const pending = card(command);
    await pending.waitFor(WAIT);
    expect(await stillSamePage()).toBe(true);
    expect(settled).toBe(false); // still held
    // What a human sees (innerText skips the collapsed "Full action" JSON), not the DOM's text.
    // biome-ignore lint/performance/useDomNodeTextContent: rendered text is the point here
    const shown = (await pending.innerText()).replace(/\s+/g, " ");
    expect(shown).toContain("coding-agent wants to call everything › echo");
    expect(shown).toMatch(/MCP tool call/i); // the heading is uppercased by CSS
    expect(shown).toContain(`"message": "${command}"`);
    expect(shown).toContain("data.destroy");
    expect(shown).toContain("recursive rm of /srv/data (a data directory)");
    expect(shown).toContain("destruction-needs-a-human");
    expect(shown).toContain("0 of 1 approval");
    expect(shown).toMatch(/expires in (9|10)m/);
    expect(shown).toContain("Targets: paths /srv/data");
    expect(await page.locator("#pending-count").textContent()).toBe("1");
    await feedRow("approval.requested").waitFor(WAIT);
    await page.screenshot({ path: join(OUT, "dashboard.png"), fullPage: true });

    await pending.getByLabel("Comment").fill("checked: a scratch directory");
    await pending.getByRole("button", { name: "Approve" }).click();

    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(text(result)).toContain(command);

    await pending.waitFor({ state: "detached", ...WAIT });
    await page.locator("#notices", { hasText: "You approved coding-agent's" }).waitFor(WAIT);
    expect(await page.locator("#notices").textContent()).toContain("the request is granted");
    // The live feed: the decision, the grant (with the approver and the comment), its use.
    await feedRow("approval.used").waitFor(WAIT);
    await feedRow("completed").waitFor(WAIT);
    const decision = feedRow("decision", command);
    expect(await decision.locator(".decision").textContent()).toBe("approval");
    const granted = await feedRow("approval.granted").locator(".summary").textContent();
    expect(granted).toContain("by alice");
    expect(granted).toContain("checked: a scratch directory");
    // Newest on top.
    const seqs = await page
      .locator("#feed-rows tr")
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-seq"))));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(await stillSamePage()).toBe(true);
    expect(await page.locator("#pending-empty").isVisible()).toBe(true);
    await page.screenshot({ path: join(OUT, "dashboard-after.png"), fullPage: true });
  });

  it("filters the feed by kind, agent and decision", async () => {
    const kinds = () =>
      page
        .locator("#feed-rows tr")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind") ?? ""));
    const filter = (name: string) => page.getByLabel(name, { exact: true });
    try {
      const offered = await filter("Kind")
        .locator("optgroup[label=Kinds] option")
        .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
      expect(offered).toEqual([...ENTRY_KINDS]);
      await filter("Kind").selectOption("approval.*");
      const approvalKinds = await kinds();
      expect(approvalKinds.length).toBeGreaterThanOrEqual(3);
      expect(approvalKinds.every((k) => k.startsWith("approval."))).toBe(true);
      await filter("Kind").selectOption("");
      await filter("Decision").selectOption("approval");
      expect(await kinds()).toEqual(["decision"]);
      await filter("Decision").selectOption("");
      await filter("Agent").selectOption("support-bot");
      expect(await kinds()).toEqual([]);
      expect(await page.locator("#feed-count").textContent()).toMatch(/^0 of \d+ entries match/);
      await filter("Agent").selectOption("coding-agent");
      expect((await kinds()).length).toBeGreaterThan(3);
    } finally {
      for (const name of ["Kind", "Agent", "Decision"]) await filter(name).selectOption("");
    }
  });

  it("shows a refused vote: the request was decided by someone else first", {
    timeout: 60_000,
  }, async () => {
    const command = "rm -rf /srv/data/archive";
    const call = agent.client.callTool(
      { name: "echo", arguments: { message: command } },
      undefined,
      {
        timeout: 60_000,
      },
    );
    call.catch(() => {}); // awaited below; a failing test must not leave it unhandled
    const pending = card(command);
    await pending.waitFor(WAIT);
    const id = (await pending.getAttribute("data-approval-id")) as string;
    // Bob (another approver, another process) denies it while Alice's vote is on its way.
    const bob = await Approver.open(state, "bob");
    try {
      await page.route("**/v1/approvals/*/approve", async (route) => {
        await bob.vote(id, "deny", "bob");
        await route.continue();
      });
      await pending.getByRole("button", { name: "Approve" }).click();
      await page.locator("#notices .bad", { hasText: "Refused (not-pending)" }).waitFor(WAIT);
      await page.unroute("**/v1/approvals/*/approve");
    } finally {
      await bob.close();
    }
    const denied = await call;
    expect(denied.isError).toBe(true);
    expect(text(denied)).toMatch(/denied/i);
    await pending.waitFor({ state: "detached", ...WAIT });
    await feedRow("approval.refused", "code not-pending").waitFor(WAIT);
    await feedRow("approval.denied", "by bob").waitFor(WAIT);
  });

  it("suspends and resumes an agent; the kill switch asks first", { timeout: 60_000 }, async () => {
    const row = page.locator('#agent-rows tr[data-agent="support-bot"]');
    await page.getByLabel("Reason for a change").fill("looks stuck");
    await row.getByRole("button", { name: "Suspend support-bot" }).click();
    await row.locator(".status", { hasText: "suspended" }).waitFor(WAIT);
    expect(await row.textContent()).toContain("alice: looks stuck");
    await feedRow("agent.suspended", "looks stuck").waitFor(WAIT);
    await row.getByRole("button", { name: "Resume support-bot" }).click();
    await row.locator(".status", { hasText: "active" }).waitFor(WAIT);

    // Cancel first: nothing happens.
    await page.getByRole("button", { name: "Kill switch: suspend every agent" }).click();
    const dialog = page.getByRole("dialog", { name: "Suspend every agent?" });
    await dialog.waitFor(WAIT);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden", ...WAIT });
    expect(await page.locator("#panic-banner").isVisible()).toBe(false);

    await page.getByRole("button", { name: "Kill switch: suspend every agent" }).click();
    await dialog.getByRole("button", { name: "Suspend every agent" }).click();
    await page.locator("#panic-banner", { hasText: "Panic" }).waitFor(WAIT);
    await feedRow("panic.started").waitFor(WAIT);
    // The agent's gateway denies the agent's very next call.
    const refused = await agent.client.callTool({ name: "echo", arguments: { message: "hi" } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/every agent is suspended \(panic\)/);
    await page.getByRole("button", { name: "Clear the panic" }).click();
    await page.locator("#panic-banner").waitFor({ state: "hidden", ...WAIT });
    await feedRow("panic.cleared").waitFor(WAIT);
    // Nothing so far has logged an error in the page (a CSP violation, an exception), beyond
    // the two refusals this test asked for: the wrong secret (401) and the late vote (409).
    const expected = /Failed to load resource: the server responded with a status of (401|409)/;
    expect(browser.errors.filter((e) => !expected.test(e))).toEqual([]);
  });

  it("reconnects after the server restarts and shows what it missed meanwhile", {
    timeout: 60_000,
  }, async () => {
    await markPage();
    await serve.stop();
    await page.locator("#live", { hasText: "Reconnecting" }).waitFor(WAIT);
    // Written while no server follows the log: only Last-Event-ID brings it to the dashboard.
    const s = redline([
      "agents",
      "suspend",
      "support-bot",
      "--reason",
      "while the dashboard was away",
      "--policy",
      policy,
      "--state-dir",
      state,
    ]);
    expect(s.code).toBe(0);
    serve = await startServe(["--policy", policy, "--state-dir", state], serve.url.host);
    await page.locator("#live", { hasText: "Live" }).waitFor({ timeout: 30_000 });
    await feedRow("agent.suspended", "while the dashboard was away").waitFor(WAIT);
    await page
      .locator('#agent-rows tr[data-agent="support-bot"] .status', { hasText: "suspended" })
      .waitFor(WAIT);
    expect(await stillSamePage()).toBe(true);
  });
});
