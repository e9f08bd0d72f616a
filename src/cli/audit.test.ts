import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { publicKeyPem, readPublicKey } from "../audit/keys.js";
import { decisionInput, filledStore, T0, tamper, tempDir } from "../audit/test-support/fixtures.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { parseTime, registerAuditCommands, runTail } from "./audit.js";
import { UsageError } from "./errors.js";

/** Runs `redline audit ...` through commander, as main.ts will, capturing stdout. */
async function audit(...args: string[]) {
  let code = 0;
  let stdout = "";
  const program = new Command("redline").exitOverride();
  registerAuditCommands(program, (c) => {
    code = c;
  });
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(["node", "redline", "audit", ...args]);
  } finally {
    spy.mockRestore();
  }
  return { code, stdout };
}

afterEach(() => vi.restoreAllMocks());

describe("redline audit verify", () => {
  it("exits 0 on an intact log and 1 naming the entry on a broken one", async () => {
    const dir = await filledStore(25);
    const ok = await audit("--state-dir", dir, "verify");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/intact: 25 entries, head seq 25, 2 checkpoints/);
    tamper(dir, "DELETE FROM audit_entries WHERE seq = 11");
    const broken = await audit("--state-dir", dir, "verify");
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at seq 11 \[missing\]/);
    const json = JSON.parse((await audit("verify", "--state-dir", dir, "--json")).stdout);
    expect(json.problems[0]).toMatchObject({ seq: 11, kind: "missing" });
  });

  it("checks signatures against --pubkey", async () => {
    const dir = await filledStore(12);
    const keyFile = path.join(tempDir(), "other.pem");
    writeFileSync(keyFile, publicKeyPem(generateKeyPairSync("ed25519").publicKey));
    const r = await audit("--state-dir", dir, "verify", "--pubkey", keyFile);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/BROKEN at seq 10 \[bad-signature\]/);
    const own = path.join(tempDir(), "own.pem");
    writeFileSync(own, (await audit("--state-dir", dir, "pubkey")).stdout);
    expect((await audit("--state-dir", dir, "verify", "--pubkey", own)).code).toBe(0);
  });

  it("verifies an export file, and catches an edit in it", async () => {
    const dir = await filledStore(12);
    const exported = (await audit("--state-dir", dir, "export", "--format", "jsonl")).stdout;
    const file = path.join(tempDir(), "audit.jsonl");
    writeFileSync(file, exported);
    expect((await audit("verify", "--input", file)).code).toBe(0);
    writeFileSync(file, exported.replace('"reason 4"', '"reason X"'));
    const r = await audit("verify", "--input", file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/seq 4 \[modified\]/);
  });

  it("fails as a usage error when there is no log", async () => {
    await expect(
      audit("--state-dir", path.join(tempDir(), "none"), "verify"),
    ).rejects.toBeInstanceOf(UsageError);
  });
});

describe("redline audit tail, query, export, pubkey", () => {
  it("tails the last N entries", async () => {
    const dir = await filledStore(12);
    const r = await audit("--state-dir", dir, "tail", "-n", "2");
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^#11 2026-11-26T00:00:11.000Z decision support-bot session=s2 ALLOW : reason 11/,
    );
    expect(lines[1]).toMatch(/^#12 /);
  });

  it("follows new entries with -f until stopped", async () => {
    const dir = await filledStore(3);
    const out = new PassThrough();
    let text = "";
    out.on("data", (c) => {
      text += c;
    });
    const ac = new AbortController();
    const tail = runTail(
      { stateDir: dir, lines: "1", follow: true, json: true },
      out,
      ac.signal,
      20,
    );
    const writer = openSqliteStore({ dir });
    await writer.audit.append(decisionInput(4));
    await vi.waitFor(() => expect(text).toContain('"seq":4'));
    ac.abort();
    await tail;
    await writer.close();
    expect(
      text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).seq),
    ).toEqual([3, 4]);
  });

  it("queries by agent, decision, category and time", async () => {
    const dir = await filledStore(20);
    const seqs = async (...a: string[]) =>
      (await audit("--state-dir", dir, "query", "--json", ...a)).stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).seq);
    expect(await seqs("--decision", "deny")).toEqual([5, 10, 15, 20]);
    expect(await seqs("--agent", "ops-bot", "--category", "data.destroy")).toEqual([10, 20]);
    expect(await seqs("--since", "2026-11-26T00:00:18Z")).toEqual([18, 19, 20]);
    expect(await seqs("--until", "2026-11-26T00:00:03Z", "--limit", "1")).toEqual([2]);
  });

  it("exports a header, the entries in order, then the checkpoints", async () => {
    const dir = await filledStore(12);
    const lines = (await audit("--state-dir", dir, "export")).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0].format).toBe("redline-audit-export/1");
    expect(lines[0].publicKey).toBe(publicKeyPem(readPublicKey(dir) as never));
    expect(lines.slice(1, 13).map((l) => l.entry.seq)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    expect(lines.slice(13).map((l) => l.checkpoint.seq)).toEqual([10]);
  });

  it("documents every subcommand in --help", async () => {
    for (const sub of ["verify", "tail", "query", "export", "pubkey"]) {
      let help = "";
      const program = new Command("redline").exitOverride();
      registerAuditCommands(program, () => {});
      program.configureOutput({ writeOut: (s) => (help += s) });
      for (const c of program.commands) c.configureOutput({ writeOut: (s) => (help += s) });
      for (const c of program.commands[0]?.commands ?? [])
        c.configureOutput({ writeOut: (s) => (help += s) });
      await expect(
        program.parseAsync(["node", "redline", "audit", sub, "--help"]),
      ).rejects.toThrow();
      expect(help).toMatch(new RegExp(`Usage: redline audit ${sub}`));
      expect(help).toMatch(/--state-dir|Options/);
    }
  });
});

describe("parseTime", () => {
  it("takes ISO times and ages", () => {
    expect(parseTime("2h", T0, "--since")).toBe(T0 - 7_200_000);
    expect(parseTime("2026-11-26T00:00:00Z", 0, "--since")).toBe(T0);
    expect(() => parseTime("yesterday", T0, "--since")).toThrow(/--since: 'yesterday'/);
  });
});
