import { generateKeyPairSync } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openSqliteStore } from "../store/sqlite/open.js";
import { chainHash, GENESIS_HASH, sealEntry } from "./entry.js";
import { exportLines, verifyExport } from "./export.js";
import { publicKeyPem, readPublicKey, signerFromKey } from "./keys.js";
import { decisionInput, filledStore, tamper } from "./test-support/fixtures.js";
import { verifyAuditLog } from "./verify.js";

async function verify(dir: string, key = readPublicKey(dir)) {
  const store = openSqliteStore({ dir, readonly: true });
  try {
    return await verifyAuditLog(store.audit, key);
  } finally {
    await store.close();
  }
}

describe("the hash chain", () => {
  it("links the first entry to 64 zeros and each next one to the hash before it", () => {
    const a = sealEntry(decisionInput(1), 1, GENESIS_HASH);
    const b = sealEntry(decisionInput(2), 2, a.entry.hash);
    expect(a.entry.prevHash).toBe("0".repeat(64));
    expect(a.entry.hash).toBe(chainHash(GENESIS_HASH, a.sealed.body));
    expect(b.entry.prevHash).toBe(a.entry.hash);
    expect(JSON.parse(a.sealed.body)).not.toHaveProperty("hash");
    expect(a.entry.time).toBe("2026-11-26T00:00:01.000Z");
  });
});

describe("audit verify on a tampered SQLite file", () => {
  it("reports an intact log as intact, with its checkpoints", async () => {
    const dir = await filledStore(25);
    const r = await verify(dir);
    expect(r).toMatchObject({ ok: true, entries: 25, checkpoints: 2, lastCheckpoint: 20 });
    expect(r.problems).toEqual([]);
    expect(r.warnings).toContain(
      "5 entries after seq 20 are not covered by a valid signed checkpoint",
    );
  });

  it("names an entry whose field was edited", async () => {
    const dir = await filledStore(25);
    tamper(
      dir,
      "UPDATE audit_entries SET body = replace(body, '\"deny\"', '\"allow\"') WHERE seq = 15",
    );
    const r = await verify(dir);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ seq: 15, kind: "modified" });
  });

  it("catches an edit whose hash was recomputed, at the next entry", async () => {
    const dir = await filledStore(25);
    const store = openSqliteStore({ dir, readonly: true });
    const [row] = await store.audit.readSealed(12, 1);
    await store.close();
    const body = String(row?.body).replace("reason 12", "nothing to see");
    const prev = JSON.parse(body).prevHash as string;
    tamper(
      dir,
      "UPDATE audit_entries SET body = ?, hash = ? WHERE seq = 12",
      body,
      chainHash(prev, body),
    );
    const r = await verify(dir);
    expect(r.problems.map((p) => [p.seq, p.kind])).toEqual([[13, "unlinked"]]);
  });

  it("names a deleted entry", async () => {
    const dir = await filledStore(25);
    tamper(dir, "DELETE FROM audit_entries WHERE seq = 7");
    const r = await verify(dir);
    expect(r.problems[0]).toMatchObject({ seq: 7, kind: "missing" });
  });

  it("names swapped entries", async () => {
    const dir = await filledStore(25);
    tamper(dir, "UPDATE audit_entries SET seq = -1 WHERE seq = 4");
    tamper(dir, "UPDATE audit_entries SET seq = 4 WHERE seq = 5");
    tamper(dir, "UPDATE audit_entries SET seq = 5 WHERE seq = -1");
    const r = await verify(dir);
    expect(r.problems[0]).toMatchObject({ seq: 4, kind: "moved" });
    expect(r.problems.some((p) => p.seq === 5)).toBe(true);
  });

  it("names an inserted entry even when its own hash is valid", async () => {
    const dir = await filledStore(25);
    const store = openSqliteStore({ dir, readonly: true });
    const [at8] = await store.audit.readSealed(8, 1);
    await store.close();
    // Shift 9.. up by one, then forge a well-formed entry 9 that links to entry 8.
    for (let s = 25; s >= 9; s--)
      tamper(dir, "UPDATE audit_entries SET seq = ? WHERE seq = ?", s + 1, s);
    const forged = sealEntry(decisionInput(99), 9, at8?.hash as string).sealed;
    tamper(
      dir,
      "INSERT INTO audit_entries (seq, body, hash) VALUES (9, ?, ?)",
      forged.body,
      forged.hash,
    );
    const r = await verify(dir);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ seq: 10, kind: "moved" });
    expect(r.problems[0]?.message).toMatch(/inserted/);
  });

  it("catches a tail cut below the last checkpoint", async () => {
    const dir = await filledStore(25);
    tamper(dir, "DELETE FROM audit_entries WHERE seq > 17");
    const r = await verify(dir);
    expect(r.problems.map((p) => [p.seq, p.kind])).toEqual([[20, "truncated"]]);
    expect(r.problems[0]?.message).toMatch(/ends at seq 17/);
  });

  it("keeps query columns derived from the hashed entry: they cannot be edited apart", async () => {
    const dir = await filledStore(5);
    expect(() =>
      tamper(dir, "UPDATE audit_entries SET agent = 'someone-else' WHERE seq = 3"),
    ).toThrow(/generated column/);
  });

  it("rejects checkpoints signed with another key when --pubkey is given", async () => {
    const other = signerFromKey(generateKeyPairSync("ed25519").privateKey);
    const dir = await filledStore(25, { signer: other });
    const own = generateKeyPairSync("ed25519").publicKey;
    const r = await verify(dir, own);
    expect(r.ok).toBe(false);
    expect(r.problems.filter((p) => p.kind === "bad-signature").map((p) => p.seq)).toEqual([
      10, 20,
    ]);
    expect((await verify(dir, other.publicKey)).ok).toBe(true);
  });

  it("creates the signing key with mode 0600", async () => {
    const dir = await filledStore(1);
    const { statSync } = await import("node:fs");
    expect(statSync(path.join(dir, "audit-signing-key.pem")).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});

describe("audit export", () => {
  it("carries enough for an outside verifier, which also sees tampering", async () => {
    const dir = await filledStore(25);
    const store = openSqliteStore({ dir, readonly: true });
    const lines: string[] = [];
    for await (const l of exportLines(store.audit, readPublicKey(dir))) lines.push(l);
    await store.close();
    expect(lines).toHaveLength(1 + 25 + 2);
    const header = JSON.parse(lines[0] as string);
    expect(header.publicKey).toBe(publicKeyPem(readPublicKey(dir) as never));
    expect(verifyExport(lines.slice(1), readPublicKey(dir)).ok).toBe(true);
    const edited = lines.map((l) => l.replace('"reason 5"', '"reason 6"'));
    const r = verifyExport(edited.slice(1), readPublicKey(dir));
    expect(r.problems[0]).toMatchObject({ seq: 5, kind: "modified" });
    const file = path.join(dir, "x.jsonl");
    writeFileSync(file, lines.join("\n"));
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(28);
  });
});
