/**
 * MCP gateway benchmark: the latency a `tools/call` gains by going through `redline mcp`, with
 * its audit durable (`--durability crash`, the default) before each call is forwarded.
 *
 *   npm run build && npx tsx bench/mcp.ts       (3,000 measured calls per path, under a minute)
 *   npx tsx bench/mcp.ts --quick                (300 per path, for a smoke run)
 *   npx tsx bench/mcp.ts --calls 6000 --rounds 60
 *   npx tsx bench/mcp.ts --cpu-prof DIR         (the gateway and the proxy write V8 CPU profiles
 *                                                to DIR; the measured window is printed, in the
 *                                                profiles' clock; profiling slows them down)
 *
 * Three paths, all over stdio, the agent an SDK `Client` in this process, the upstream the same
 * SDK McpServer with one `echo` tool (bench/fixtures/echo-server.ts) spawned afresh for each:
 *   direct   Client → echo server
 *   gateway  Client → node bin/redline.js mcp (allow policy, token in REDLINE_TOKEN) → echo server
 *   naive    Client → bench/fixtures/naive-proxy.ts (SDK Server → SDK Client; no policy, no audit)
 *            → echo server
 * Calls are sequential (one in flight). After a warm-up, the paths take turns in rounds, each
 * round in another order, so drift on the machine falls on all of them alike. Every result is
 * checked; afterwards the gateway's audit log must hold one `decision` entry per gateway call.
 * Added latency = median of the path − median of direct. Goal: gateway added ≤ 0.4 ms, and
 * below the naive proxy's.
 *
 * Also reported: CPU time per call of each process (from /proc, Linux), which a loaded machine
 * disturbs far less than wall-clock latency.
 *
 * Type-check: npx tsc -p bench/tsconfig.json
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from "@modelcontextprotocol/sdk/client/stdio.js";
import { verifyAuditLog } from "../src/audit/verify.js";
import { openSqliteStore } from "../src/store/sqlite/open.js";
import { BIN, CLK_TCK, cpuMs, issueToken, ROOT, staleBuild } from "./support.js";

const FIXTURES = path.join(ROOT, "bench/fixtures");
const ECHO = path.join(FIXTURES, "echo-server.ts");
const NAIVE = path.join(FIXTURES, "naive-proxy.ts");
const POLICY = path.join(FIXTURES, "allow-echo.yaml");
const AGENT = "bench-agent";
/** TypeScript fixtures run through tsx's loader: compiled once at start-up, plain JS after. */
const TS_NODE = [process.execPath, "--import", "tsx"];
/** Monotonic µs: the clock V8's CPU profiles (startTime, endTime) are on. */
const monoUs = () => process.hrtime.bigint() / 1000n;

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const flag = (name: string, fallback: number): number => {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: expected a positive integer`);
  return n;
};
const profileDir = (() => {
  const i = argv.indexOf("--cpu-prof");
  if (i < 0) return undefined;
  const dir = argv[i + 1];
  if (!dir || dir.startsWith("--")) throw new Error("--cpu-prof: expected a directory");
  return path.resolve(dir);
})();
/** Node flags for the processes under study (the gateway, the naive proxy). */
const PROFILE = profileDir
  ? ["--cpu-prof", "--cpu-prof-dir", profileDir, "--cpu-prof-interval", "100"]
  : [];
const PLAN = {
  calls: flag("--calls", quick ? 300 : 3000),
  rounds: flag("--rounds", quick ? 6 : 30),
  warmup: quick ? 200 : 1000,
  callTimeoutMs: 10_000,
  startTimeoutMs: 30_000,
  /** The whole run, start-up and shutdown included; past it everything is killed. */
  runTimeoutMs: quick ? 180_000 : 900_000,
};
if (PLAN.calls % PLAN.rounds !== 0) throw new Error("--calls must be a multiple of --rounds");
const PER_ROUND = PLAN.calls / PLAN.rounds;

type PathName = "direct" | "gateway" | "naive";
const PATHS: readonly PathName[] = ["direct", "gateway", "naive"];
/** Every order of the three paths: round r runs them in ORDERS[r % 6]. */
const ORDERS: readonly PathName[][] = [
  ["direct", "gateway", "naive"],
  ["gateway", "naive", "direct"],
  ["naive", "direct", "gateway"],
  ["direct", "naive", "gateway"],
  ["naive", "gateway", "direct"],
  ["gateway", "direct", "naive"],
];

interface Path {
  name: PathName;
  command: string[];
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  /** Calls made through it, warm-up and checks included. */
  calls: number;
  /** Round-trip times of the measured calls, ms. */
  times: number[];
  /** Median of each round's calls, ms. */
  roundMedians: number[];
}

// --- helpers ------------------------------------------------------------------------------

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.floor((sorted.length - 1) * p)] ?? Number.NaN;
}
const sortedCopy = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]) => pct(sortedCopy(xs), 0.5);
const ms = (x: number) => x.toFixed(3);
const quote = (s: string) => (/^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
const shell = (cmd: readonly string[]) => cmd.map(quote).join(" ");
const rel = (cmd: readonly string[]) =>
  shell(cmd.map((a) => (a === process.execPath ? "node" : a.replace(`${ROOT}/`, ""))));

/** Pids of the processes in the run (children and the echo servers they spawned). */
const pids = new Set<number>();
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const killAll = () => {
  for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
};

/** The echo server a path's stderr announced (the gateway and the proxy pass theirs through). */
const echoPid = (p: Path) => {
  const m = /echo-server pid (\d+)/.exec(p.stderr());
  return m?.[1] ? Number(m[1]) : undefined;
};

async function connect(
  name: PathName,
  command: string[],
  env: Record<string, string> = {},
): Promise<Path> {
  const [cmd, ...args] = command as [string, ...string[]];
  const transport = new StdioClientTransport({
    command: cmd,
    args,
    env: { ...getDefaultEnvironment(), ...env },
    stderr: "pipe",
    cwd: ROOT,
  });
  let err = "";
  transport.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const client = new Client({ name: "bench-agent", version: "1.0.0" });
  const p: Path = {
    name,
    command,
    client,
    transport,
    stderr: () => err,
    calls: 0,
    times: [],
    roundMedians: [],
  };
  try {
    await withTimeout(client.connect(transport), PLAN.startTimeoutMs, `${name}: connect`);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${name} stderr:\n${err}`);
  } finally {
    if (transport.pid !== null) pids.add(transport.pid);
  }
  return p;
}

type Content = { type: string; text?: string }[];

/** One echo round trip, in ms; the answer must be the text sent. */
async function call(p: Path, text: string): Promise<number> {
  p.calls++;
  const t0 = performance.now();
  const r = await p.client.callTool({ name: "echo", arguments: { text } }, undefined, {
    timeout: PLAN.callTimeoutMs,
  });
  const dt = performance.now() - t0;
  const got = ((r.content ?? []) as Content).map((c) => c.text ?? "").join("");
  if (r.isError || got !== text)
    throw new Error(`${p.name}: echo answered ${JSON.stringify(r)}, expected ${text}`);
  return dt;
}

/** Correctness through every path before anything is timed. */
async function check(p: Path): Promise<void> {
  const { tools } = await p.client.listTools(undefined, { timeout: PLAN.callTimeoutMs });
  if (tools.length !== 1 || tools[0]?.name !== "echo")
    throw new Error(`${p.name}: tools/list gave ${JSON.stringify(tools.map((t) => t.name))}`);
  for (const text of ["hello", "", 'ünïcødé ✓ \n\t "quoted" \\', "x".repeat(10_000)])
    await call(p, text);
}

async function rounds(paths: Record<PathName, Path>, count: number, calls: number, timed: boolean) {
  const per = calls / count;
  for (let r = 0; r < count; r++) {
    for (const name of ORDERS[r % ORDERS.length] as PathName[]) {
      const p = paths[name];
      const times: number[] = [];
      for (let i = 0; i < per; i++) times.push(await call(p, `hello ${r}.${i}`));
      if (timed) {
        p.times.push(...times);
        p.roundMedians.push(median(times));
      }
    }
  }
}

/** The gateway's log, read-only once it has exited: one allowed decision per call it served. */
async function auditReport(state: string, expected: number) {
  const store = openSqliteStore({ dir: state, readonly: true });
  try {
    const decisions = await store.audit.query({ kind: "decision" });
    const completed = await store.audit.query({ kind: "completed" });
    const wrong = decisions.filter(
      (e) => e.decision !== "allow" || e.agent !== AGENT || e.action?.tool !== "echo",
    );
    const verify = await verifyAuditLog(store.audit, undefined);
    return {
      decisions: decisions.length,
      completed: completed.length,
      wrong: wrong.length,
      verified: verify.ok,
      ok: decisions.length === expected && wrong.length === 0 && verify.ok,
    };
  } finally {
    await store.close();
  }
}

// --- the run ------------------------------------------------------------------------------

const watchdog = setTimeout(() => {
  console.error(`bench/mcp.ts: still running after ${PLAN.runTimeoutMs / 1000} s: killed`);
  killAll();
  process.exit(1);
}, PLAN.runTimeoutMs);

const cpu = os.cpus();
console.log(
  `# npx tsx bench/mcp.ts${argv.length ? ` ${shell(argv)}` : ""}  (node ${process.version}, ${cpu.length} CPUs, ${cpu[0]?.model ?? "?"}; load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")})`,
);
if ((os.loadavg()[0] ?? 0) > cpu.length)
  console.log(
    `NOTE: the load average exceeds the ${cpu.length} CPUs: other work competes, latencies are noisy`,
  );
if (!existsSync(path.join(ROOT, "dist/cli/main.js")))
  throw new Error("bin/redline.js needs dist/: run npm run build first");
const stale = staleBuild();
if (stale.length > 0)
  console.log(
    `WARNING: dist/ may be stale: older than (or missing) ${stale.slice(0, 4).join(", ")}${stale.length > 4 ? ` and ${stale.length - 4} more` : ""}; npm run build`,
  );

const tmp = mkdtempSync(path.join(os.tmpdir(), "redline-bench-mcp-"));
const state = path.join(tmp, "state");
const opened: Path[] = [];
let failed = false;
try {
  const echo = [...TS_NODE, ECHO];
  const token = issueToken({ policy: POLICY, state, agent: AGENT, timeoutMs: PLAN.startTimeoutMs });
  const gatewayCmd = [
    process.execPath,
    ...PROFILE,
    BIN,
    "mcp",
    "--policy",
    POLICY,
    "--state-dir",
    state,
    "--durability",
    "crash",
    "--name",
    "echo",
    "--",
    ...echo,
  ];
  const paths: Record<PathName, Path> = {
    direct: await connect("direct", echo),
    gateway: await connect("gateway", gatewayCmd, { REDLINE_TOKEN: token }),
    naive: await connect("naive", [...TS_NODE, ...PROFILE, NAIVE, "--", ...echo]),
  };
  opened.push(...Object.values(paths));
  console.log(
    `${PLAN.calls.toLocaleString("en")} measured sequential tools/call per path in ${PLAN.rounds} interleaved rounds of ${PER_ROUND}, after ${PLAN.warmup.toLocaleString("en")} warm-up calls each; all over stdio`,
  );
  for (const p of opened) console.log(`  ${p.name.padEnd(7)} ${rel(p.command)}`);

  for (const p of opened) await check(p);
  for (const p of opened) {
    const pid = echoPid(p);
    if (pid !== undefined) pids.add(pid);
  }
  await rounds(paths, Math.max(1, PLAN.warmup / 100), PLAN.warmup, false);

  const procs = opened.flatMap((p) => [
    {
      label: p.name === "direct" ? "direct: echo server" : `${p.name}: ${p.name} process`,
      p,
      pid: p.transport.pid ?? undefined,
    },
    ...(p.name === "direct" ? [] : [{ label: `${p.name}: its echo server`, p, pid: echoPid(p) }]),
  ]);
  const cpu0 = procs.map((x) => cpuMs(x.pid));
  const self0 = process.cpuUsage();
  const mono0 = monoUs();
  const wall0 = performance.now();
  await rounds(paths, PLAN.rounds, PLAN.calls, true);
  const wallS = (performance.now() - wall0) / 1000;
  const mono1 = monoUs();
  const self = process.cpuUsage(self0);
  const cpu1 = procs.map((x) => cpuMs(x.pid));

  const stats = Object.fromEntries(
    PATHS.map((n) => {
      const s = sortedCopy(paths[n].times);
      return [n, { p50: pct(s, 0.5), p90: pct(s, 0.9), p99: pct(s, 0.99), min: s[0] ?? 0 }];
    }),
  ) as Record<PathName, { p50: number; p90: number; p99: number; min: number }>;
  const added = (n: PathName) => stats[n].p50 - stats.direct.p50;
  const perRound = (n: PathName) =>
    sortedCopy(paths[n].roundMedians.map((m, r) => m - (paths.direct.roundMedians[r] ?? 0)));

  console.log("\n## round trip, ms");
  console.log(
    "path        median     p90     p99     min   added (median − direct)  per-round added p25 / p50 / p75",
  );
  for (const n of PATHS) {
    const s = stats[n];
    const pr = perRound(n);
    console.log(
      `${n.padEnd(8)} ${ms(s.p50).padStart(9)} ${ms(s.p90).padStart(7)} ${ms(s.p99).padStart(7)} ${ms(s.min).padStart(7)}   ${n === "direct" ? "".padEnd(22) : `${added(n) >= 0 ? "+" : ""}${ms(added(n))}`.padEnd(22)}  ${n === "direct" ? "" : `${ms(pct(pr, 0.25))} / ${ms(pct(pr, 0.5))} / ${ms(pct(pr, 0.75))}`}`,
    );
  }
  const g = added("gateway");
  const nv = added("naive");
  console.log(
    `\ngateway added ${ms(g)} ms at the median (goal ≤ 0.4 ms: ${g <= 0.4 ? "met" : "MISSED"}); naive proxy added ${ms(nv)} ms; gateway-added / naive-added = ${nv > 0 ? (g / nv).toFixed(2) : "n/a"} (goal < 1: ${g < nv ? "met" : "MISSED"})`,
  );

  console.log("\n## CPU time per measured call, µs (user + system, from /proc)");
  procs.forEach((x, i) => {
    const a = cpu0[i];
    const b = cpu1[i];
    const v =
      a === undefined || b === undefined ? "n/a" : (((b - a) * 1000) / PLAN.calls).toFixed(0);
    console.log(`${x.label.padEnd(28)} ${v.padStart(6)}`);
  });
  console.log(
    `${"agent (this process, all 3)".padEnd(28)} ${(((self.user + self.system) / (3 * PLAN.calls)) | 0).toString().padStart(6)} per call, averaged over the paths`,
  );
  console.log(
    `(measured phase: ${wallS.toFixed(1)} s wall; ${CLK_TCK} Hz ticks, so ±${(1e6 / CLK_TCK / PLAN.calls) | 0} µs per figure)`,
  );
  if (profileDir)
    console.log(
      `\nCPU profiles in ${profileDir} (gateway pid ${paths.gateway.transport.pid}, naive proxy pid ${paths.naive.transport.pid}); measured window, monotonic µs: ${mono0} – ${mono1}. Latencies above are with the profiler on.`,
    );

  // Shut down: the gateway exits, then its log is read.
  for (const p of opened.splice(0)) await p.client.close();
  const expected = paths.gateway.calls;
  const a = await auditReport(state, expected);
  console.log(
    `\n## audit: ${a.decisions} decision entries for ${expected} gateway calls (${a.wrong} not an allowed echo by ${AGENT}), ${a.completed} completed; chain ${a.verified ? "verifies" : "DOES NOT VERIFY"}: ${a.ok ? "ok" : "FAILED"}`,
  );
  if (!a.ok) failed = true;
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.stack : String(error));
  for (const p of opened) console.error(`--- ${p.name} stderr:\n${p.stderr()}`);
} finally {
  await Promise.allSettled(opened.map((p) => p.client.close()));
  const left = [...pids].filter(alive);
  if (left.length > 0) console.log(`killing leftover processes: ${left.join(", ")}`);
  killAll();
  rmSync(tmp, { recursive: true, force: true });
  clearTimeout(watchdog);
}
if (failed) process.exitCode = 1;
