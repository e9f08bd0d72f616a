import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { type Listening, listeningCli } from "../../mcp/test-support/harness.js";

export type Serving = Listening;

/**
 * A fresh state directory and, beside it, a policy with one agent (`ops-bot`, default allow)
 * whose destructive actions need approval.
 */
export function opsBotState(tempStateDir: () => string): { state: string; policy: string } {
  const state = tempStateDir();
  const policy = join(dirname(state), "policy.yaml");
  writeFileSync(
    policy,
    "agents: [{id: ops-bot, default: allow}]\nredlines: [{categories: [data.destroy], effect: approval}]\n",
  );
  return { state, policy };
}

/** `redline serve --listen <listen> ...` (the built CLI), resolved once it says where it listens. */
export function startServe(args: string[], listen = "127.0.0.1:0"): Promise<Serving> {
  return listeningCli(["serve", "--listen", listen, ...args]);
}

/** Debian's Chromium (CI: `apt-get install -y chromium`); REDLINE_CHROMIUM overrides the path. */
export const CHROMIUM = process.env.REDLINE_CHROMIUM ?? "/usr/bin/chromium";

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen on the page, in order. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Headless Chromium driven by playwright-core, on a fresh profile. A missing browser is a
 * failure with the fix in the message, never a silent skip.
 */
export async function launchChromium(profileRoot: string): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the dashboard's browser test needs it. ` +
        "Install Debian's package (apt-get update && apt-get install -y chromium) or set " +
        "REDLINE_CHROMIUM to a Chromium executable.",
    );
  const profile = join(profileRoot, "chromium-profile");
  mkdirSync(profile, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 1000 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  return { context, page, errors, close: () => context.close() };
}
