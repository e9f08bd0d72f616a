/**
 * Audit log benchmark: the price of the write-ahead guarantee, and of checking it.
 *
 *   npx tsx bench/audit.ts            (about a minute)
 *   npx tsx bench/audit.ts --quick    (smaller counts, for a smoke run)
 *
 * 1. Appends per second through SqliteAuditLog.append with group commit, `in-flight` writers
 *    each awaiting its append before the next (as concurrent enforcement points would), at `crash` and `fsync`
 *    durability; each promise resolves only after its COMMIT. Also one writer awaiting each
 *    append in turn (no company to group with). Goal: ≥ 20,000/s at `crash`.
 * 2. `redline audit verify` on 1,000,000 entries (written in one transaction by the bench
 *    itself, bypassing group commit, with a signed checkpoint every 1,000). Goal: ≤ 5 s.
 *
 * Type-check: npx tsc -p bench/tsconfig.json
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { type AuditInput, GENESIS_HASH, sealEntry } from "../src/audit/entry.js";
import { loadOrCreateSigner } from "../src/audit/keys.js";
import { runVerify } from "../src/cli/audit.js";
import { emptyFacts } from "../src/core/facts.js";
import type { Durability } from "../src/store/ports.js";
import { DATABASE_FILE, openSqliteStore } from "../src/store/sqlite/open.js";

const quick = process.argv.includes("--quick");
const PLAN = {
  crash: quick ? 20_000 : 200_000,
  fsync: quick ? 5_000 : 50_000,
  sequential: quick ? 2_000 : 10_000,
  inFlight: 256,
  verifyEntries: quick ? 100_000 : 1_000_000,
};
const T0 = Date.parse("2026-11-26T00:00:00.000Z");

/** A realistic decision entry: a shell action, its facts, a deny by a baseline red line. */
function input(i: number): AuditInput {
  const facts = emptyFacts();
  facts.categories.push("data.destroy");
  facts.flags.push("recursive");
  facts.targets.paths.push(`/srv/data/${i}`);
  facts.findings.push({ category: "data.destroy", reason: `recursive rm of /srv/data/${i}` });
  return {
    kind: "decision",
    at: T0 + i,
    agent: `agent-${i % 50}`,
    session: `run-${i % 997}`,
    actionHash: `sha256:${i.toString(16).padStart(64, "0")}`,
    action: {
      agent: `agent-${i % 50}`,
      kind: "shell",
      command: `rm -rf /srv/data/${i}`,
      cwd: "/w",
    },
    facts,
    decision: "deny",
    categories: ["data.destroy"],
    rules: ["baseline.irreversible"],
    reason: "No agent may do this on its own; it cannot be undone.",
    policyHash: `sha256:${"ab".repeat(32)}`,
    mode: "enforce",
  };
}

function freshDir(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), "redline-bench-")), "state");
}

async function appendRate(durability: Durability, count: number, inFlight: number) {
  const dir = freshDir();
  const store = openSqliteStore({ dir, durability });
  const latencies: number[] = [];
  // `inFlight` writers, each awaiting its append before making the next: steady load.
  let next = 0;
  const writer = async () => {
    while (next < count) {
      const start = performance.now();
      await store.audit.append(input(next++));
      latencies.push(performance.now() - start);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, writer));
  const seconds = (performance.now() - t0) / 1000;
  const { commits, entries } = store.audit.stats;
  await store.close();
  rmSync(path.dirname(dir), { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.floor((latencies.length - 1) * p)] ?? 0;
  return {
    durability,
    inFlight,
    perSecond: Math.round(entries / seconds),
    meanBatch: +(entries / commits).toFixed(1),
    p50ms: +pct(0.5).toFixed(2),
    p99ms: +pct(0.99).toFixed(2),
  };
}

async function verifyMillion(count: number) {
  const dir = freshDir();
  const store = openSqliteStore({ dir });
  const signer = loadOrCreateSigner(dir);
  const insert = store.db.prepare("INSERT INTO audit_entries (seq, body, hash) VALUES (?, ?, ?)");
  const insertCp = store.db.prepare(
    "INSERT INTO audit_checkpoints (seq, hash, time, signature) VALUES (?, ?, ?, ?)",
  );
  const g0 = performance.now();
  store.db.transaction(() => {
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= count; seq++) {
      const x = input(seq);
      const { entry, sealed } = sealEntry(x, seq, prev);
      insert.run(seq, sealed.body, sealed.hash);
      prev = sealed.hash;
      if (seq % 1000 === 0) {
        const cp = signer.sign({ seq, hash: entry.hash, time: entry.time });
        insertCp.run(cp.seq, cp.hash, cp.time, cp.signature);
      }
    }
  })();
  await store.close();
  const generateSeconds = (performance.now() - g0) / 1000;
  const sizeMB = statSync(path.join(dir, DATABASE_FILE)).size / 1e6;
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const v0 = performance.now();
  const code = await runVerify({ stateDir: dir }, sink);
  const verifySeconds = (performance.now() - v0) / 1000;
  rmSync(path.dirname(dir), { recursive: true, force: true });
  if (code !== 0) throw new Error("the generated log did not verify");
  return {
    entries: count,
    generateSeconds: +generateSeconds.toFixed(1),
    sizeMB: Math.round(sizeMB),
    verifySeconds: +verifySeconds.toFixed(2),
  };
}

console.log(
  `# npx tsx bench/audit.ts${quick ? " --quick" : ""}  (node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? "?"})`,
);
console.log("\n## appends (each resolved only once durable)");
for (const r of [
  await appendRate("crash", PLAN.crash, PLAN.inFlight),
  await appendRate("fsync", PLAN.fsync, PLAN.inFlight),
  await appendRate("crash", PLAN.sequential, 1),
  await appendRate("fsync", PLAN.sequential / 10, 1),
]) {
  const goal =
    r.durability === "crash" && r.inFlight > 1
      ? `  (goal ≥ 20,000/s: ${r.perSecond >= 20_000 ? "met" : "MISSED"})`
      : "";
  console.log(
    `${r.durability.padEnd(5)} in-flight=${String(r.inFlight).padEnd(4)} ${String(r.perSecond).padStart(7)} appends/s  mean batch ${r.meanBatch}  p50 ${r.p50ms} ms  p99 ${r.p99ms} ms${goal}`,
  );
}
console.log(`\n## redline audit verify, ${PLAN.verifyEntries.toLocaleString("en")} entries`);
const v = await verifyMillion(PLAN.verifyEntries);
console.log(
  `generated in ${v.generateSeconds} s (${v.sizeMB} MB); verify ${v.verifySeconds} s  (goal ≤ 5 s: ${v.verifySeconds <= 5 ? "met" : "MISSED"})`,
);
