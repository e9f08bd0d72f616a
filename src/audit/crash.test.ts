import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openSqliteStore } from "../store/sqlite/open.js";
import { readPublicKey } from "./keys.js";
import { tempStateDir } from "./test-support/fixtures.js";
import { verifyAuditLog } from "./verify.js";

const CHILD = fileURLToPath(new URL("./test-support/crash-child.ts", import.meta.url));

/** Runs the child until it is appending, lets it run `ms` more, SIGKILLs it; returns its seqs. */
function runAndKill(dir: string, ms: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, dir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    let armed = false;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
      if (!armed && out.includes("ready\n")) {
        armed = true;
        setTimeout(() => child.kill("SIGKILL"), ms);
      }
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      if (signal !== "SIGKILL")
        return reject(new Error(`child exited on its own: ${out.slice(-500)}`));
      // A line cut by the kill is not a report; only complete lines count.
      const complete = out.slice(0, out.lastIndexOf("\n"));
      resolve(
        complete
          .split("\n")
          .filter((l) => /^\d+$/.test(l))
          .map(Number),
      );
    });
  });
}

describe("crash safety", () => {
  it("keeps every entry reported durable across repeated SIGKILLs, and the chain verifies", async () => {
    const dir = tempStateDir();
    let reported = 0;
    for (let round = 0; round < 5; round++) {
      const seqs = await runAndKill(dir, 50 + Math.floor(Math.random() * 400));
      expect(seqs.length).toBeGreaterThan(0);
      reported += seqs.length;
      const store = openSqliteStore({ dir });
      const head = await store.audit.head();
      // Every seq the child printed is in the log: the log reaches at least the highest one.
      expect(head.seq).toBeGreaterThanOrEqual(Math.max(...seqs));
      const present = new Set(
        (await store.audit.readSealed(Math.min(...seqs), seqs.length * 2 + 1000)).map((r) => r.seq),
      );
      for (const s of seqs) expect(present.has(s)).toBe(true);
      const report = await verifyAuditLog(store.audit, readPublicKey(dir));
      expect(report.problems).toEqual([]);
      expect(report.entries).toBe(head.seq);
      await store.close();
    }
    expect(reported).toBeGreaterThan(100);
  }, 30_000);
});
