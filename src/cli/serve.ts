import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { Option } from "commander";
import { readPublicKey } from "../audit/keys.js";
import { parseWebhookFlag } from "../notify/config.js";
import { WebhookNotifier } from "../notify/webhooks.js";
import { Callers } from "../serve/auth.js";
import { AuditFollower } from "../serve/follow.js";
import { Metrics } from "../serve/metrics.js";
import { notifyOf } from "../serve/notify.js";
import { ControlPlane } from "../serve/server.js";
import type { Durability } from "../store/ports.js";
import { openEnforcement } from "./enforcement.js";
import { UsageError } from "./errors.js";
import { listenAddress } from "./listen.js";
import { loadPolicy } from "./policy-files.js";
import {
  isServeWorker,
  LISTEN_ENV,
  MAX_WORKERS,
  parseWorkers,
  runServePrimary,
  WORKER_ENV,
  WorkerLink,
} from "./serve-cluster.js";

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
  workers?: string;
}

const CHECKPOINT_EVERY_MS = 60_000;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * `redline serve`: the control plane's composition root. One process, the embedded SQLite
 * state by default: the decision API, approvals, agents and the kill switch, the live event
 * stream, metrics and the dashboard. With `--workers N`, N such processes behind one port
 * (serve-cluster.ts); this same command runs in each of them.
 */
export async function runServe(o: ServeFlags, stderr: NodeJS.WritableStream): Promise<number> {
  const log = (line: string) => stderr.write(`redline serve: ${line}\n`);
  if (isServeWorker())
    return runWorker(
      { ...o, listen: process.env[LISTEN_ENV] ?? o.listen },
      `worker ${process.env[WORKER_ENV]}: `,
      log,
    );
  const workers = o.workers === undefined ? 1 : parseWorkers(o.workers);
  if (workers > 1) {
    // Checked once here, so a bad flag or policy is one clear error, not one per worker.
    const listen = listenAddress(o.listen);
    loadPolicy(o.policy);
    const notifier = webhookNotifier(o, log);
    return await runServePrimary({
      workers,
      listen,
      ...(o.stateDir ? { stateDir: o.stateDir } : {}),
      ...(o.durability ? { durability: o.durability } : {}),
      ...(notifier ? { notifier } : {}),
      ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
      log,
    });
  }
  const running = await startServe(o, log);
  await stopSignal();
  await running.close();
  return 0;
}

/** One worker of `--workers N`: the whole control plane, less what the primary does once. */
async function runWorker(o: ServeFlags, prefix: string, log: (l: string) => void) {
  const link = new WorkerLink();
  const wlog = (line: string) => log(prefix + line);
  let running: RunningServe;
  try {
    running = await startServe(o, wlog, link);
  } catch (error) {
    link.failed((error as Error).message);
    process.disconnect?.();
    return error instanceof UsageError ? error.exitCode : 1;
  }
  await Promise.race([
    stopSignal(),
    new Promise<void>((resolve) =>
      process.once("disconnect", () => {
        wlog("the primary is gone: stopping");
        resolve();
      }),
    ),
  ]);
  await running.close();
  if (process.connected) process.disconnect();
  return 0;
}

function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => resolve());
  });
}

function webhookNotifier(o: ServeFlags, log: (line: string) => void) {
  const webhooks = (o.webhook ?? []).map((value) => {
    const r = parseWebhookFlag(value, {
      ...(o.webhookSecretEnv ? { secretEnv: o.webhookSecretEnv } : {}),
      secretFlag: "--webhook-secret-env",
    });
    if (!r.ok) throw new UsageError(r.error);
    return r.webhook;
  });
  return webhooks.length > 0 ? new WebhookNotifier({ webhooks, log }) : undefined;
}

export interface RunningServe {
  url: URL;
  close(): Promise<void>;
}

/**
 * Starts the control plane (also what `redline demo` runs) and resolves once it listens. As a
 * worker of `--workers N` (`link`): no webhooks and no counts from the log, which the primary
 * keeps once for all; `/metrics` answers with the whole cluster's, from the primary.
 */
export async function startServe(
  o: ServeFlags,
  log: (line: string) => void,
  link?: WorkerLink,
): Promise<RunningServe> {
  const { host, port } = listenAddress(o.listen);
  const notifier = link ? undefined : webhookNotifier(o, log);
  const en = await openEnforcement({ ...o, localPaths: false, log });
  const { store } = en;
  const follower = new AuditFollower(store.audit, { log });
  const metrics = link ? new Metrics(store, "process", () => link.metrics()) : new Metrics(store);
  if (link) link.share(metrics.registry);
  else follower.subscribe((e) => metrics.saw(e));
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
  let dashboard = o.publicUrl;
  if (notifier) follower.subscribe((e) => void notifyOf(e, store, notifier, () => dashboard));
  let url: URL;
  try {
    url = await plane.listen();
  } catch (error) {
    await notifier?.close();
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
  if (link) link.listening(url);
  else
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
      "--workers <n>",
      `worker processes behind the one port, sharing the state directory (1-${MAX_WORKERS}; default 1)`,
    )
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

With --workers N, N processes share the port and the state; the first process restarts a
worker that dies, sends the webhooks and gathers /metrics from all of them.

Example:
  redline serve --policy policy.yaml --listen 127.0.0.1:7878
  redline serve --policy policy.yaml --workers 4`,
    )
    .action(async (opts: ServeFlags) => setExit(await runServe(opts, process.stderr)));
}
