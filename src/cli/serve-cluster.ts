import cluster, { type Worker } from "node:cluster";
import { type AddressInfo, createServer } from "node:net";
import { AggregatorRegistry, type Registry } from "prom-client";
import { SigningKeys } from "../identity/keys.js";
import type { WebhookNotifier } from "../notify/webhooks.js";
import { AuditFollower } from "../serve/follow.js";
import { HttpError } from "../serve/http.js";
import { Metrics } from "../serve/metrics.js";
import { notifyOf } from "../serve/notify.js";
import type { Durability } from "../store/ports.js";
import { openSqliteStore, type SqliteStateStore } from "../store/sqlite/open.js";
import { resolveStateDir } from "../store/state-dir.js";
import { UsageError } from "./errors.js";

/**
 * `redline serve --workers N`: N worker processes, each a whole control plane on the same port
 * (node:cluster hands each new connection to one of them) and the same state directory, as
 * several `redline mcp` processes already share one. SQLite serialises their audit appends:
 * each reads the chain head under the write lock, so the chain stays one chain. What must
 * happen once for all lives in the primary: webhooks (sent once, not once per worker) and the
 * metrics read from the log. The primary also restarts a worker that dies; connections it
 * held fail, so their calls fail closed at the enforcement point.
 */

/** Set in a worker's environment: its number, 1..N (a restarted worker keeps it). */
export const WORKER_ENV = "REDLINE_SERVE_WORKER";
/**
 * With `--listen host:0`, the port the primary chose for every worker: each would otherwise
 * get one of its own (and a replacement a new one once all had died).
 */
export const LISTEN_ENV = "REDLINE_SERVE_LISTEN";
export const MAX_WORKERS = 64;
/** More exits than this within RESTART_WINDOW_MS and the primary stops: a crash loop. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const METRICS_TIMEOUT_MS = 5_000;

/** Cluster messages (JSON over the IPC channel), tagged so prom-client's own pass by. */
type FromWorker =
  | { redline: "listening"; url: string }
  | { redline: "failed"; error: string }
  | { redline: "metrics"; id: number };
type ToWorker = { redline: "metrics"; id: number; text?: string; error?: string };

export function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS)
    throw new UsageError(`--workers ${value}: expected a whole number from 1 to ${MAX_WORKERS}`);
  return n;
}

export function isServeWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_ENV] !== undefined;
}

export interface PrimaryOptions {
  workers: number;
  listen: { host: string; port: number };
  stateDir?: string;
  durability?: Durability;
  /** Made by the caller from the flags: checked once, before any worker starts. */
  notifier?: WebhookNotifier;
  publicUrl?: string;
  log(line: string): void;
}

/** The primary: forks the workers, waits until all listen, keeps them running until a signal. */
export async function runServePrimary(o: PrimaryOptions): Promise<number> {
  // Opened before any worker starts, so N workers never race to create the store or keys.
  const dir = resolveStateDir(o.stateDir);
  let store: SqliteStateStore;
  try {
    store = openSqliteStore({ dir, durability: o.durability ?? "crash" });
    SigningKeys.open(dir, Date.now());
  } catch (error) {
    throw new UsageError(`cannot open the state directory ${dir}: ${(error as Error).message}`);
  }
  const follower = new AuditFollower(store.audit, { log: o.log });
  const metrics = new Metrics(store, "log");
  follower.subscribe((e) => metrics.saw(e));
  const aggregator = new AggregatorRegistry();
  let env: Record<string, string> = {};
  try {
    if (o.listen.port === 0)
      env = { [LISTEN_ENV]: hostPort(o.listen.host, await freePort(o.listen.host)) };
  } catch (error) {
    await o.notifier?.close();
    await store.close();
    throw new UsageError(
      `cannot listen on ${o.listen.host}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  const pool = new Pool(o.workers, env, o.log, async () => {
    const own = await metrics.text();
    return `${own}\n${await aggregator.clusterMetrics()}`;
  });
  const started = await pool.start();
  if ("error" in started) {
    await pool.stop();
    await o.notifier?.close();
    await store.close();
    throw new UsageError(started.error);
  }
  const href = started.url;
  const { notifier } = o;
  const dashboard = o.publicUrl ?? href;
  if (notifier) follower.subscribe((e) => void notifyOf(e, store, notifier, () => dashboard));
  await follower.start();
  o.log(`workers: ${pool.describe()}`);
  o.log(
    `listening ${href} (${o.workers} workers; dashboard ${href}, API ${href}v1/, OpenAPI ${href}openapi.json)`,
  );
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => void pool.stop());
  const code = await pool.stopped;
  follower.stop();
  await notifier?.close();
  await store.close();
  return code;
}

/** A port free on `host` now: the kernel's pick, released for the workers to bind. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const hostPort = (host: string, port: number) =>
  `${host.includes(":") ? `[${host}]` : host}:${port}`;

/** The workers: started together, each restarted when it dies, until a crash loop or a stop. */
class Pool {
  private readonly workers = new Map<number, Worker>();
  private readonly ready = new Set<Worker>();
  private readonly exits: number[] = [];
  private url: string | undefined;
  /** The address the first worker reported. */
  private first: string | undefined;
  private stopping = false;
  private code = 0;
  private settle: (r: { url: string } | { error: string }) => void = () => {};
  private done: (code: number) => void = () => {};
  /** Resolves with the exit code once every worker has exited after a stop. */
  readonly stopped = new Promise<number>((r) => {
    this.done = r;
  });

  constructor(
    private readonly size: number,
    private readonly env: Record<string, string>,
    private readonly log: (line: string) => void,
    private readonly gather: () => Promise<string>,
  ) {}

  start(): Promise<{ url: string } | { error: string }> {
    const started = new Promise<{ url: string } | { error: string }>((r) => {
      this.settle = r;
    });
    for (let n = 1; n <= this.size; n++) this.fork(n);
    return started;
  }

  async stop(code = this.code): Promise<number> {
    this.code = code;
    if (!this.stopping) {
      this.stopping = true;
      for (const w of this.workers.values()) w.process.kill("SIGTERM");
      const timer = setTimeout(() => {
        for (const w of this.workers.values()) w.process.kill("SIGKILL");
      }, STOP_TIMEOUT_MS);
      void this.stopped.then(() => clearTimeout(timer));
      if (this.workers.size === 0) this.done(this.code);
    }
    return this.stopped;
  }

  /** "1 (pid 123), 2 (pid 124)": which process is which worker, for an operator. */
  describe(): string {
    return [...this.workers]
      .sort(([a], [b]) => a - b)
      .map(([n, w]) => `${n} (pid ${w.process.pid})`)
      .join(", ");
  }

  private fork(n: number): void {
    const w = cluster.fork({ [WORKER_ENV]: String(n), ...this.env });
    this.workers.set(n, w);
    const pid = w.process.pid;
    w.on("message", (m: FromWorker) => {
      if (m?.redline === "metrics") void this.answer(w, m.id);
      else if (m?.redline === "failed") {
        if (this.url === undefined) this.settle({ error: `worker ${n}: ${m.error}` });
        else this.log(`worker ${n} (pid ${pid}) could not start: ${m.error}`);
      } else if (m?.redline === "listening") this.listening(w, n, m.url);
    });
    w.on("exit", (exitCode, signal) => {
      this.ready.delete(w);
      if (this.workers.get(n) === w) this.workers.delete(n);
      if (this.stopping) {
        if (this.workers.size === 0) this.done(this.code);
        return;
      }
      const why = signal ? `signal ${signal}` : `code ${exitCode}`;
      if (this.url === undefined) {
        this.settle({ error: `worker ${n} exited (${why}) before listening` });
        return;
      }
      const now = Date.now();
      this.exits.push(now);
      while ((this.exits[0] ?? now) < now - RESTART_WINDOW_MS) this.exits.shift();
      if (this.exits.length > MAX_RESTARTS) {
        this.log(
          `worker ${n} (pid ${pid}) exited (${why}), the ${this.exits.length}th exit within a minute: stopping`,
        );
        void this.stop(1);
        return;
      }
      this.log(`worker ${n} (pid ${pid}) exited (${why}): starting another`);
      this.fork(n);
    });
  }

  private listening(w: Worker, n: number, url: string): void {
    // Every worker must be behind the one address the primary announces.
    this.first ??= url;
    if (url !== this.first) {
      const why = `worker ${n} listens on ${url}, not on ${this.first}`;
      if (this.url === undefined) this.settle({ error: why });
      else {
        this.log(`${why}: stopping it`);
        w.process.kill("SIGTERM");
      }
      return;
    }
    this.ready.add(w);
    if (this.url !== undefined) this.log(`worker ${n} (pid ${w.process.pid}) started`);
    else if (this.ready.size === this.size) {
      this.url = url;
      this.settle({ url });
    }
  }

  private async answer(w: Worker, id: number): Promise<void> {
    const reply: ToWorker = { redline: "metrics", id };
    try {
      reply.text = await this.gather();
    } catch (error) {
      reply.error = (error as Error).message;
    }
    if (w.isConnected()) w.send(reply);
  }
}

/** A worker's side of the cluster: tell the primary it listens, ask it for the metrics. */
export class WorkerLink {
  private next = 0;
  private readonly waiting = new Map<number, (m: ToWorker) => void>();

  constructor() {
    process.on("message", (m: ToWorker) => {
      if (m?.redline !== "metrics") return;
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
  }

  /** Makes `registry` part of what the primary aggregates from every worker. */
  share(registry: Registry): void {
    // prom-client answers the primary's requests once an AggregatorRegistry exists here.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
  }

  listening(url: URL): void {
    this.send({ redline: "listening", url: url.href });
  }

  failed(error: string): void {
    this.send({ redline: "failed", error });
  }

  /** The whole cluster's metrics, from the primary. */
  metrics(): Promise<string> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new HttpError(503, "metrics unavailable: the primary did not answer"));
      }, METRICS_TIMEOUT_MS);
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        if (m.text !== undefined) resolve(m.text);
        else reject(new HttpError(503, `metrics unavailable: ${m.error ?? "no answer"}`));
      });
      if (!this.send({ redline: "metrics", id })) {
        clearTimeout(timer);
        this.waiting.delete(id);
        reject(new HttpError(503, "metrics unavailable: the primary is gone"));
      }
    });
  }

  private send(m: FromWorker): boolean {
    if (!process.connected || !process.send) return false;
    process.send(m);
    return true;
  }
}
