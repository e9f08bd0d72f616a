/**
 * Claude Code hook benchmark: the wall-clock time of one hook call (process start to exit,
 * stdin in, decision out), as Claude Code pays it on every tool call, against bare `node -e 0`.
 *
 *   npm run build && npx tsx bench/hook.ts          (40 calls per path)
 *   npx tsx bench/hook.ts --quick                   (10 per path, a smoke run)
 *   npx tsx bench/hook.ts --runs 100 --json         (machine-readable result on stdout)
 *
 * Paths, each a fresh `node` process per call, spawned sequentially:
 *   node -e 0          the floor: Node starting and exiting
 *   server Read/Bash   dist/hooks/main.cjs --server URL, a running `redline serve` (baseline plus
 *                      the hook's analysis), token in REDLINE_TOKEN
 *   local Read/Bash    dist/hooks/main.cjs --state-dir DIR: policy, analyzers, SQLite audit in
 *                      the hook (a Read needs no parser; a Bash loads the shell and SQL WASM)
 *   cli Read           node bin/redline.js hook claude-code --state-dir DIR: the same through
 *                      the whole CLI, for comparison (what the installed settings avoid)
 * After a warm-up the paths take turns, each round in another order, so drift on the machine
 * falls on all of them alike. Every answer is checked (allow). Reported: median and p90 in ms,
 * and the median's ratio to node -e 0's. Goal: server ≤ 1.5x, local ≤ 3x.
 *
 * Type-check: npx tsc -p bench/tsconfig.json
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { listening } from "../src/mcp/test-support/listening.js";
import { BIN, ROOT } from "./support.js";

const ENTRY = path.join(ROOT, "dist/hooks/main.cjs");
const FIXTURES = path.join(ROOT, "src/hooks/fixtures");
const BASELINE = path.join(ROOT, "presets/baseline.yaml");

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const json = argv.includes("--json");
const runsFlag = argv.indexOf("--runs");
const RUNS = runsFlag >= 0 ? Number(argv[runsFlag + 1]) : quick ? 10 : 40;
if (!Number.isInteger(RUNS) || RUNS <= 0) throw new Error("--runs: expected a positive integer");
const WARMUP = quick ? 2 : 5;

const log = (line: string) => process.stderr.write(`${line}\n`);
const fixture = (name: string) => readFileSync(path.join(FIXTURES, `${name}.json`), "utf8");
const env = { ...process.env, HOME: "/home/dev", REDLINE_TOKEN: "", REDLINE_AGENT: "" };

interface Path {
  name: string;
  args: string[];
  input: string;
  env: NodeJS.ProcessEnv;
  /** The decision the answer must carry; undefined: no output expected. */
  expect?: string;
  times: number[];
}

function once(p: Path): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, p.args, { input: p.input, env: p.env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${p.name}: exit ${r.status}: ${r.stderr}`);
  if (p.expect !== undefined) {
    const got = JSON.parse(r.stdout).hookSpecificOutput?.permissionDecision;
    if (got !== p.expect) throw new Error(`${p.name}: expected ${p.expect}, got ${r.stdout}`);
  }
  return ms;
}

async function startServe(
  state: string,
  policy: string[],
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--listen", "127.0.0.1:0", "--state-dir", state, "--policy", ...policy],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return { url: (await listening(child, "redline serve")).href, child };
}

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (i - lo);
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let x = seed * 2654435761;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "redline-bench-hook-"));
  let server: ChildProcess | undefined;
  try {
    const analysis = path.join(dir, "claude-code.yaml");
    writeFileSync(
      analysis,
      spawnSync(process.execPath, [ENTRY, "claude-code", "--print-analysis"], { encoding: "utf8" })
        .stdout,
    );
    const local = path.join(dir, "local");
    const remote = path.join(dir, "remote");
    const s = await startServe(remote, [BASELINE, analysis]);
    server = s.child;
    const issued = spawnSync(
      process.execPath,
      [BIN, "token", "issue", "--agent", "claude-code", "--ttl", "60m", "--state-dir", remote],
      { encoding: "utf8" },
    );
    if (issued.status !== 0) throw new Error(`token issue: ${issued.stderr}`);
    const token = issued.stdout.trim();
    const withToken = { ...env, REDLINE_TOKEN: token };

    const paths: Path[] = [
      { name: "node -e 0", args: ["-e", "0"], input: "", env, times: [] },
      ...(["read-src", "bash-ls"] as const).flatMap((f) => {
        const label = f === "read-src" ? "Read" : "Bash";
        return [
          {
            name: `server ${label}`,
            args: [ENTRY, "claude-code", "--server", s.url],
            input: fixture(f),
            env: withToken,
            expect: "allow",
            times: [],
          },
          {
            name: `local ${label}`,
            args: [ENTRY, "claude-code", "--state-dir", local],
            input: fixture(f),
            env,
            expect: "allow",
            times: [],
          },
        ];
      }),
      {
        name: "cli Read",
        args: [BIN, "hook", "claude-code", "--state-dir", local],
        input: fixture("read-src"),
        env,
        expect: "allow",
        times: [],
      },
    ];

    log(`warming up (${WARMUP} calls per path)...`);
    for (let i = 0; i < WARMUP; i++) for (const p of paths) once(p);
    log(`measuring ${RUNS} calls per path, ${paths.length} paths, in rounds...`);
    for (let round = 0; round < RUNS; round++)
      for (const p of shuffled(paths, round + 1)) p.times.push(once(p));

    const floor = median(paths[0]?.times ?? []);
    const rows = paths.map((p) => ({
      path: p.name,
      medianMs: Number(median(p.times).toFixed(1)),
      p90Ms: Number(quantile(p.times, 0.9).toFixed(1)),
      ratio: Number((median(p.times) / floor).toFixed(2)),
    }));
    const [load1] = os.loadavg();
    const result = {
      runs: RUNS,
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: Number((load1 ?? 0).toFixed(2)),
      goals: { server: 1.5, local: 3 },
      rows,
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      console.log(
        `\nClaude Code hook, one process per call (${RUNS} calls per path; ${result.cpus} CPUs, load ${result.loadAverage})`,
      );
      console.log(
        `${"path".padEnd(14)}${"median ms".padStart(11)}${"p90 ms".padStart(9)}${"× node -e 0".padStart(13)}`,
      );
      for (const r of rows)
        console.log(
          `${r.path.padEnd(14)}${r.medianMs.toFixed(1).padStart(11)}${r.p90Ms.toFixed(1).padStart(9)}${r.ratio.toFixed(2).padStart(13)}`,
        );
      const worst = (prefix: string) =>
        Math.max(...rows.filter((r) => r.path.startsWith(prefix)).map((r) => r.ratio));
      console.log(
        `\ngoal: server ≤ 1.5x (${worst("server").toFixed(2)}x), local ≤ 3x (${worst("local").toFixed(2)}x)`,
      );
      if (result.loadAverage > result.cpus * 0.5)
        console.log(
          `note: the load average (${result.loadAverage}) says other work shares these CPUs; timings are noisy`,
        );
    }
  } finally {
    server?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
