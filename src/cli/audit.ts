import { createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Writable } from "node:stream";
import { type Command, Option } from "commander";
import { type AuditEntry, ENTRY_KINDS, type EntryKind } from "../audit/entry.js";
import { exportLines, verifyExport } from "../audit/export.js";
import { publicKeyPem, readPublicKey } from "../audit/keys.js";
import { type VerifyReport, verifyAuditLog } from "../audit/verify.js";
import type { AuditQuery } from "../store/ports.js";
import { openSqliteStore, type SqliteStateStore } from "../store/sqlite/open.js";
import { resolveStateDir, STATE_DIR_ENV } from "../store/state-dir.js";
import { UsageError } from "./errors.js";

/** `redline audit ...`: read, verify and export the audit log. Nothing here writes to it. */

interface Common {
  stateDir?: string;
}

const STATE_DIR_HELP = `state directory (default: $${STATE_DIR_ENV}, else ./.redline)`;

export function registerAuditCommands(program: Command, setExit: (code: number) => void): void {
  const audit = program
    .command("audit")
    .description("Verify, read and export the hash-chained audit log")
    .option("--state-dir <dir>", STATE_DIR_HELP)
    .configureHelp({ showGlobalOptions: true });
  const opts = <T>(cmd: Command) => cmd.optsWithGlobals() as T & Common;

  audit
    .command("verify")
    .description(
      "Check the hash chain and the signed checkpoints: finds edited, deleted, inserted or reordered entries and a cut tail",
    )
    .option(
      "--pubkey <file>",
      "PEM public key to check checkpoint signatures with (recommended: a copy kept elsewhere)",
    )
    .option("--input <file>", "verify a `redline audit export` file instead of the state directory")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
Without --pubkey, signatures are checked with the key in the state directory, which whoever
can edit the log can also replace. Entries after the last checkpoint are only hash-chained.
Exit codes: 0 intact, 1 broken (each problem names the entry's seq), 2 no log or bad arguments.`,
    )
    .action(async function (this: Command) {
      setExit(await runVerify(opts(this), process.stdout));
    });

  audit
    .command("tail")
    .description("Print the last entries, oldest first")
    .option("-n, --lines <n>", "how many entries", "10")
    .option("-f, --follow", "keep printing new entries as they are appended (Ctrl-C to stop)")
    .option("--json", "one JSON entry per line")
    .action(async function (this: Command) {
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once("SIGINT", stop);
      try {
        setExit(await runTail(opts(this), process.stdout, ac.signal));
      } finally {
        process.off("SIGINT", stop);
      }
    });

  audit
    .command("query")
    .description("Find entries by agent, time, decision, category")
    .option("--agent <id>", "entries of this agent")
    .option("--session <id>", "entries of this session")
    .addOption(new Option("--kind <kind>", "entry kind").choices([...ENTRY_KINDS]))
    .addOption(new Option("--decision <d>", "decision").choices(["allow", "deny", "approval"]))
    .option("--category <id>", "red-line category, e.g. data.destroy")
    .option("--since <time>", "from this time: ISO 8601, or an age such as 30m, 2h, 7d")
    .option("--until <time>", "before this time: ISO 8601, or an age")
    .option("--limit <n>", "at most N entries (the newest)")
    .option("--json", "one JSON entry per line")
    .addHelpText(
      "after",
      "\nExample:\n  redline audit query --agent ops-bot --decision deny --since 24h --json",
    )
    .action(async function (this: Command) {
      setExit(await runQuery(opts(this), process.stdout));
    });

  audit
    .command("export")
    .description("Write every entry and checkpoint as JSON Lines, for a verifier elsewhere")
    .addOption(new Option("--format <format>", "output format").choices(["jsonl"]).default("jsonl"))
    .addHelpText(
      "after",
      '\nLine 1 describes the format; then {"entry":...} lines in seq order; then {"checkpoint":...}.\nCheck it with: redline audit verify --input FILE --pubkey KEY.pem',
    )
    .action(async function (this: Command) {
      setExit(await runExport(opts(this), process.stdout));
    });

  audit
    .command("pubkey")
    .description(
      "Print the checkpoint signing public key (PEM), to keep where the log's host cannot change it",
    )
    .action(function (this: Command) {
      setExit(runPubkey(opts(this), process.stdout));
    });
}

function openReadonly(o: Common): SqliteStateStore {
  const dir = resolveStateDir(o.stateDir);
  try {
    return openSqliteStore({ dir, readonly: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function loadKey(file: string): KeyObject {
  try {
    return createPublicKey(readFileSync(file));
  } catch (error) {
    throw new UsageError(`cannot read public key ${file}: ${(error as Error).message}`);
  }
}

export async function runVerify(
  o: Common & { pubkey?: string; input?: string; json?: boolean },
  out: Writable,
): Promise<number> {
  let report: VerifyReport;
  if (o.input) {
    let lines: string[];
    let header: { publicKey?: string | null };
    try {
      lines = readFileSync(o.input, "utf8").split("\n");
      header = JSON.parse(lines[0] ?? "{}");
    } catch (error) {
      throw new UsageError(`cannot read export ${o.input}: ${(error as Error).message}`);
    }
    const key = o.pubkey
      ? loadKey(o.pubkey)
      : header.publicKey
        ? createPublicKey(header.publicKey)
        : undefined;
    try {
      report = verifyExport(lines.slice(1), key);
    } catch (error) {
      throw new UsageError(`${o.input} is not a Redline audit export: ${(error as Error).message}`);
    }
    if (!o.pubkey && key)
      report.warnings.push("signatures checked with the key inside the export; pass --pubkey");
  } else {
    const store = openReadonly(o);
    try {
      const key = o.pubkey ? loadKey(o.pubkey) : readPublicKey(resolveStateDir(o.stateDir));
      report = await verifyAuditLog(store.audit, key);
      if (!o.pubkey && key)
        report.warnings.push(
          "signatures checked with the state directory's own key; pass --pubkey for an independent check",
        );
    } finally {
      await store.close();
    }
  }
  if (o.json) out.write(`${JSON.stringify(report)}\n`);
  else {
    for (const p of report.problems)
      out.write(`BROKEN at seq ${p.seq} [${p.kind}]: ${p.message}\n`);
    for (const w of report.warnings) out.write(`note: ${w}\n`);
    out.write(
      report.ok
        ? `intact: ${report.entries} entries, head seq ${report.head.seq}, ${report.checkpoints} checkpoints (last valid at seq ${report.lastCheckpoint})\n`
        : `audit log is BROKEN: ${report.problems.length} problem(s) in ${report.entries} entries\n`,
    );
  }
  return report.ok ? 0 : 1;
}

export async function runTail(
  o: Common & { lines?: string; follow?: boolean; json?: boolean },
  out: Writable,
  signal?: AbortSignal,
  pollMs = 500,
): Promise<number> {
  const n = count(o.lines ?? "10", "--lines");
  const store = openReadonly(o);
  try {
    let last = 0;
    const print = (entries: AuditEntry[]) => {
      for (const e of entries) {
        out.write(`${o.json ? JSON.stringify(e) : formatEntry(e)}\n`);
        last = e.seq;
      }
    };
    print(await store.audit.query({ limit: n, newest: true }));
    while (o.follow && !signal?.aborted) {
      await sleep(pollMs, signal);
      print(await store.audit.query({ afterSeq: last, limit: 1000 }));
    }
  } finally {
    await store.close();
  }
  return 0;
}

export async function runQuery(
  o: Common &
    Record<
      "agent" | "session" | "kind" | "decision" | "category" | "since" | "until" | "limit",
      string | undefined
    > & { json?: boolean },
  out: Writable,
  now = Date.now(),
): Promise<number> {
  const q: AuditQuery = {
    agent: o.agent,
    session: o.session,
    kind: o.kind as EntryKind | undefined,
    decision: o.decision,
    category: o.category,
    since: o.since === undefined ? undefined : parseTime(o.since, now, "--since"),
    until: o.until === undefined ? undefined : parseTime(o.until, now, "--until"),
  };
  if (o.limit !== undefined) {
    q.limit = count(o.limit, "--limit");
    q.newest = true;
  }
  const store = openReadonly(o);
  try {
    for (const e of await store.audit.query(q))
      out.write(`${o.json ? JSON.stringify(e) : formatEntry(e)}\n`);
  } finally {
    await store.close();
  }
  return 0;
}

export async function runExport(o: Common & { format?: string }, out: Writable): Promise<number> {
  if ((o.format ?? "jsonl") !== "jsonl")
    throw new UsageError(`unknown export format '${o.format}'`);
  const store = openReadonly(o);
  try {
    for await (const line of exportLines(store.audit, readPublicKey(resolveStateDir(o.stateDir)))) {
      if (!out.write(`${line}\n`)) await new Promise((r) => out.once("drain", r));
    }
  } finally {
    await store.close();
  }
  return 0;
}

export function runPubkey(o: Common, out: Writable): number {
  const key = readPublicKey(resolveStateDir(o.stateDir));
  if (!key)
    throw new UsageError(
      `no signing key in ${resolveStateDir(o.stateDir)}: nothing has been audited there yet`,
    );
  out.write(publicKeyPem(key));
  return 0;
}

/** One line for humans: seq, time, kind, agent, decision and why. */
export function formatEntry(e: AuditEntry): string {
  const parts = [`#${e.seq}`, e.time, e.kind, e.agent];
  if (e.session) parts.push(`session=${e.session}`);
  if (e.decision) parts.push(e.decision.toUpperCase());
  if (e.rules && e.rules.length > 0) parts.push(`[${e.rules.join(",")}]`);
  if (e.reason) parts.push(`: ${e.reason}`);
  if (e.actionHash) parts.push(`(${e.actionHash.slice(0, 19)}…)`);
  return parts.join(" ");
}

const AGE = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** ISO 8601, or an age ("30m", "2h", "7d") counted back from `now`. */
export function parseTime(text: string, now: number, flag: string): number {
  const age = AGE.exec(text);
  if (age) return now - Number(age[1]) * UNIT_MS[age[2] as keyof typeof UNIT_MS];
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new UsageError(
      `${flag}: '${text}' is neither an ISO 8601 time nor an age like 30m, 2h, 7d`,
    );
  return t;
}

function count(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${flag}: expected a whole number, got '${text}'`);
  return n;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
