import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** What the benchmarks that run the built CLI share. */

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BIN = path.join(ROOT, "bin/redline.js");

/** A built CLI older than its source measures something else: say so. */
export function staleBuild(): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== "test-support") walk(p);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) {
        const js = path.join(ROOT, "dist", p.slice(4).replace(/\.ts$/, ".js"));
        if (!existsSync(js) || statSync(js).mtimeMs < statSync(path.join(ROOT, p)).mtimeMs)
          stale.push(p);
      }
    }
  };
  walk("src");
  return stale;
}

/** `redline token issue` for `agent` under `policy`, in `state`. */
export function issueToken(a: {
  policy: string;
  state: string;
  agent: string;
  ttl?: string;
  timeoutMs: number;
}): string {
  const r = spawnSync(
    process.execPath,
    [BIN, "token", "issue", "--agent", a.agent, ...(a.ttl ? ["--ttl", a.ttl] : [])].concat([
      "--policy",
      a.policy,
      "--state-dir",
      a.state,
    ]),
    { cwd: ROOT, encoding: "utf8", timeout: a.timeoutMs },
  );
  if (r.status !== 0)
    throw new Error(`token issue --agent ${a.agent} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

export const CLK_TCK = (() => {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();
/** CPU time (user + system) a process has used, in ms; undefined off Linux or once gone. */
/** CPU time (ms) of a process and all its descendants alive now (`serve --workers`: the workers). */
export function treeCpuMs(pid: number | undefined): number | undefined {
  const own = cpuMs(pid);
  if (pid === undefined || own === undefined) return own;
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  let total = own;
  const todo = [...(parents.get(pid) ?? [])];
  for (let child = todo.pop(); child !== undefined; child = todo.pop()) {
    total += cpuMs(child) ?? 0;
    todo.push(...(parents.get(child) ?? []));
  }
  return total;
}

export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat(5); the slice starts at field 3.
    return ((Number(fields[11]) + Number(fields[12])) / CLK_TCK) * 1000;
  } catch {
    return undefined;
  }
}
