import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { Option } from "commander";
import type { AuditEntry } from "../audit/entry.js";
import { readPublicKey } from "../audit/keys.js";
import { parseWebhookFlag } from "../notify/config.js";
import { WebhookNotifier } from "../notify/webhooks.js";
import { Callers } from "../serve/auth.js";
import { AuditFollower } from "../serve/follow.js";
import { Metrics } from "../serve/metrics.js";
import { ControlPlane } from "../serve/server.js";
import type { Durability, StateStore } from "../store/ports.js";
import { openEnforcement } from "./enforcement.js";
import { UsageError } from "./errors.js";
import { listenAddress } from "./listen.js";

export const DASHBOARD_DIR = fileURLToPath(new URL("../../dashboard/", import.meta.url));

export interface ServeFlags {
  policy?: string[];
  stateDir?: string;
  durability?: Durability;
  listen: string;
  watch?: boolean;
  webhook?: string[];
  webhookSecretEnv?: string;
  publicUrl?: string;
}

const CHECKPOINT_EVERY_MS = 60_000;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * `redline serve`: the control plane's composition root. One process, the embedded SQLite
 * state by default: the decision API, approvals, agents and the kill switch, the live event
 * stream, metrics and the dashboard.
 */
export async function runServe(o: ServeFlags, stderr: NodeJS.WritableStream): Promise<number> {
  const running = await startServe(o, (line) => stderr.write(`redline serve: ${line}\n`));
  await new Promise<void>((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => resolve());
  });
  await running.close();
  return 0;
}

export interface RunningServe {
  url: URL;
  close(): Promise<void>;
}

/** Starts the control plane (also what `redline demo` runs) and resolves once it listens. */
export async function startServe(
  o: ServeFlags,
  log: (line: string) => void,
): Promise<RunningServe> {
  const { host, port } = listenAddress(o.listen);
  const webhooks = (o.webhook ?? []).map((value) => {
    const r = parseWebhookFlag(value, {
      ...(o.webhookSecretEnv ? { secretEnv: o.webhookSecretEnv } : {}),
      secretFlag: "--webhook-secret-env",
    });
    if (!r.ok) throw new UsageError(r.error);
    return r.webhook;
  });
  const en = await openEnforcement({ ...o, localPaths: false, log });
  const { store } = en;
  const follower = new AuditFollower(store.audit, { log });
  const metrics = new Metrics(store);
  follower.subscribe((e) => metrics.saw(e));
  const plane = new ControlPlane({
    host,
    port,
    store,
    enforcer: en.enforcer,
    view: en.policy.current,
    approvals: en.approvals,
    keys: en.keys,
    callers: new Callers({
      verifier: en.verifier,
      approverStore: store.approvers,
      audit: store.audit,
    }),
    metrics,
    publicKey: readPublicKey(en.dir),
    follower,
    dashboardDir: DASHBOARD_DIR,
    log,
  });
  const notifier = webhooks.length > 0 ? new WebhookNotifier({ webhooks, log }) : undefined;
  let dashboard = o.publicUrl;
  if (notifier) follower.subscribe((e) => void notifyOf(e, store, notifier, () => dashboard));
  let url: URL;
  try {
    url = await plane.listen();
  } catch (error) {
    await en.close();
    throw new UsageError(
      `cannot listen on ${o.listen}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  dashboard ??= url.href;
  await follower.start();
  // A long-running process seals the chain even when appends stop, and forgets old counts.
  const timers = [
    setInterval(
      () => void store.audit.checkpoint().catch((e) => log(`checkpoint: ${e}`)),
      CHECKPOINT_EVERY_MS,
    ),
    setInterval(() => void pruneCounters(en, log), PRUNE_EVERY_MS),
  ];
  log(
    `listening ${url.href} (dashboard ${url.href}, API ${url.href}v1/, OpenAPI ${url.href}openapi.json)`,
  );
  return {
    url,
    close: async () => {
      for (const t of timers) clearInterval(t);
      follower.stop();
      await notifier?.close();
      await plane.close();
      await en.close();
    },
  };
}

/** Approval requests and quarantines, as they reach the log, go out to the webhooks. */
async function notifyOf(
  e: AuditEntry,
  store: StateStore,
  notifier: WebhookNotifier,
  dashboard: () => string | undefined,
): Promise<void> {
  const url = dashboard();
  const base = url ? { dashboardUrl: url } : {};
  if (e.kind === "agent.quarantined")
    notifier.notify({ type: "agent.quarantined", entry: e, ...base });
  if (e.kind !== "approval.requested") return;
  const id = e.data?.approval;
  const request =
    typeof id === "string" ? await store.approvals.get(id).catch(() => undefined) : undefined;
  if (request) notifier.notify({ type: "approval.requested", entry: e, request, ...base });
}

/** Counters older than the longest window any limit or the breaker looks back are dead weight. */
async function pruneCounters(
  en: Awaited<ReturnType<typeof openEnforcement>>,
  log: (l: string) => void,
) {
  const p = en.policy.current().policy;
  const longest = Math.max(p.breaker.windowSeconds, ...p.limits.map((l) => l.windowSeconds));
  try {
    await en.store.counters.prune(Date.now() - longest * 1000);
  } catch (error) {
    log(`pruning counters: ${(error as Error).message}`);
  }
}

export function registerServeCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command("serve")
    .description(
      "The control plane: decision API, approvals, agents, live events, metrics and the dashboard",
    )
    .option(
      "-p, --policy <file...>",
      "policy YAML file(s), reloaded on change; default: the shipped baseline",
    )
    .option("--state-dir <dir>", "state directory (default: $REDLINE_STATE_DIR, else ./.redline)")
    .option("--listen <[host:]port>", "where to listen", "127.0.0.1:7878")
    .addOption(
      new Option("--durability <level>", "audit durability before a decision is answered")
        .choices(["crash", "fsync"])
        .default("crash"),
    )
    .option("--no-watch", "do not reload the policy when its files change")
    .option(
      "--webhook <[json=|slack=]url...>",
      "notify approval requests and quarantines (JSON, or Slack-compatible); HMAC-signed when a secret is set",
    )
    .option("--webhook-secret-env <VAR>", "environment variable holding the webhook signing secret")
    .option(
      "--public-url <url>",
      "the dashboard's address in notification links (default: the listen address)",
    )
    .addHelpText(
      "after",
      `
Agents call POST /v1/decisions with their token; approvers use the dashboard or the API with
their secret (redline approvers add). Enforcement points on the same state directory (redline mcp)
see every vote at once. The OpenAPI document is at /openapi.json.

Example:
  redline serve --policy policy.yaml --listen 127.0.0.1:7878`,
    )
    .action(async (opts: ServeFlags) => setExit(await runServe(opts, process.stderr)));
}
