import { generateKeyPairSync } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { base64url, SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { T0, tempStateDir } from "../audit/test-support/fixtures.js";
import { openSqliteStore, type SqliteStateStore } from "../store/sqlite/open.js";
import { AgentIdentity, IdentityRefused } from "./agents.js";
import { KEYS_DIR, SigningKeys } from "./keys.js";
import { hashSecret, verifySecret } from "./secrets.js";
import { testPolicy } from "./test-support/policy.js";
import {
  AGENT_AUDIENCE,
  AGENT_TOKEN_TYPE,
  AgentTokenVerifier,
  ISSUER,
  MAX_TTL_MS,
  signAgentToken,
  type VerifyResult,
} from "./tokens.js";

const MIN = 60_000;

let dir: string;
let store: SqliteStateStore;
let now: number;
let keys: SigningKeys;
let id: AgentIdentity;

beforeEach(() => {
  dir = tempStateDir();
  store = openSqliteStore({ dir });
  now = T0;
  keys = SigningKeys.open(dir, now);
  id = new AgentIdentity({
    agents: store.agents,
    audit: store.audit,
    keys,
    policy: testPolicy(),
    clock: () => now,
    actor: "alice",
  });
});

afterEach(async () => {
  await store.close();
});

function refusal(r: VerifyResult) {
  if (r.ok) throw new Error(`expected a refusal, got identity of ${r.agent}`);
  return r.refusal;
}

async function refusedEntries() {
  return store.audit.query({ kind: "token.refused" });
}

function decodePart(s: string) {
  return JSON.parse(Buffer.from(s, "base64url").toString());
}

/** A token with the given header and claims, signed by `sign` (or unsigned). */
function rawToken(header: object, payload: object, signature = ""): string {
  const enc = (o: object) => base64url.encode(JSON.stringify(o));
  return `${enc(header)}.${enc(payload)}.${signature}`;
}

function claimsAt(agent: string, at = now, ttlS = 900) {
  const iat = Math.floor(at / 1000);
  return {
    iss: ISSUER,
    aud: AGENT_AUDIENCE,
    sub: agent,
    jti: "j1",
    iat,
    nbf: iat,
    exp: iat + ttlS,
    scope: `agent:${agent}`,
  };
}

describe("agent tokens: issue and verify", () => {
  it("issues an EdDSA JWT bound to one agent, 15 minutes by default, and verifies it", async () => {
    const issued = await id.issue("agent-a");
    const [h, p] = issued.token.split(".").slice(0, 2).map(decodePart);
    expect(h).toEqual({ alg: "EdDSA", typ: AGENT_TOKEN_TYPE, kid: keys.current().kid });
    expect(p).toMatchObject({ iss: "redline", aud: "redline-agent", sub: "agent-a" });
    expect(p.exp - p.iat).toBe(15 * 60);
    expect(p.nbf).toBe(p.iat);
    expect(p.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.scope).toBe(`agent:agent-a policy:${testPolicy().hash}`);
    const r = await id.verify(issued.token, "agent-a");
    expect(r).toMatchObject({ ok: true, agent: "agent-a", identity: { status: "active" } });
    expect((await store.audit.query({ kind: "token.issued" }))[0]).toMatchObject({
      agent: "agent-a",
      data: { jti: p.jti, kid: h.kid, by: "alice" },
    });
    expect(await refusedEntries()).toHaveLength(0);
  });

  it("honours --ttl and refuses a lifetime beyond the maximum", async () => {
    const t = await id.issue("agent-a", 10 * MIN);
    expect(t.claims.exp - t.claims.iat).toBe(600);
    await expect(id.issue("agent-a", MAX_TTL_MS + 1000)).rejects.toThrow(/between 1s and 60m/);
  });

  it("refuses to issue for an agent the policy does not list", async () => {
    await expect(id.issue("ghost")).rejects.toMatchObject({
      refusal: { code: "unknown-agent" },
    });
    expect((await refusedEntries())[0]).toMatchObject({ agent: "ghost" });
  });

  it("refuses a forged signature (same header and claims, another key)", async () => {
    const other = generateKeyPairSync("ed25519").privateKey;
    const forged = await new SignJWT({ scope: "agent:agent-a" })
      .setProtectedHeader({ alg: "EdDSA", typ: AGENT_TOKEN_TYPE, kid: keys.current().kid })
      .setIssuer(ISSUER)
      .setAudience(AGENT_AUDIENCE)
      .setSubject("agent-a")
      .setJti("j")
      .setIssuedAt(now / 1000)
      .setNotBefore(now / 1000)
      .setExpirationTime(now / 1000 + 600)
      .sign(other);
    const forgedRefusal = refusal(await id.verify(forged));
    // The unverified subject is kept apart: the entry is not filed under agent-a.
    expect(forgedRefusal).toMatchObject({ code: "bad-signature", claimed: "agent-a" });
    expect(forgedRefusal.agent).toBeUndefined();
    // An altered payload under a genuine signature is refused the same way.
    const genuine = (await id.issue("agent-b")).token.split(".");
    const altered = rawToken(decodePart(genuine[0] as string), claimsAt("agent-a"), genuine[2]);
    expect(refusal(await id.verify(altered)).code).toBe("bad-signature");
    expect((await refusedEntries()).map((e) => [e.agent, e.data?.code, e.data?.claimed])).toEqual([
      ["unknown", "bad-signature", "agent-a"],
      ["unknown", "bad-signature", "agent-a"],
    ]);
  });

  it("refuses alg none and HS256 signed with the public key as the secret", async () => {
    const none = rawToken(
      { alg: "none", typ: AGENT_TOKEN_TYPE, kid: keys.current().kid },
      claimsAt("agent-a"),
    );
    const r1 = refusal(await id.verify(none));
    expect(r1).toMatchObject({ code: "wrong-algorithm" });
    expect(r1.reason).toMatch(/'none' is not accepted/);

    const info = keys.info(keys.current().kid);
    for (const secret of [
      new TextEncoder().encode(info?.publicKey),
      keys.publicKey(keys.current().kid, now)?.export({ format: "der", type: "spki" }),
    ]) {
      const hs = await new SignJWT({ scope: "agent:agent-a" })
        .setProtectedHeader({ alg: "HS256", typ: AGENT_TOKEN_TYPE, kid: keys.current().kid })
        .setIssuer(ISSUER)
        .setAudience(AGENT_AUDIENCE)
        .setSubject("agent-a")
        .setJti("j")
        .setIssuedAt(now / 1000)
        .setNotBefore(now / 1000)
        .setExpirationTime(now / 1000 + 600)
        .sign(new Uint8Array(secret as Uint8Array));
      expect(refusal(await id.verify(hs))).toMatchObject({ code: "wrong-algorithm" });
    }
    expect((await refusedEntries()).map((e) => e.data?.code)).toEqual([
      "wrong-algorithm",
      "wrong-algorithm",
      "wrong-algorithm",
    ]);
  });

  it("refuses an expired token and one not yet valid", async () => {
    const t = (await id.issue("agent-a")).token;
    now = T0 + 15 * MIN - 1000;
    expect((await id.verify(t)).ok).toBe(true);
    now = T0 + 15 * MIN;
    const r = await id.verify(t);
    expect(refusal(r)).toMatchObject({ code: "expired", agent: "agent-a" });
    expect(r.identity).toMatchObject({ status: "expired" });

    now = T0 + 60 * MIN;
    const future = (await id.issue("agent-a")).token;
    now = T0 + 30 * MIN;
    expect(refusal(await id.verify(future))).toMatchObject({ code: "not-yet-valid" });
    expect((await refusedEntries()).map((e) => e.data?.code)).toEqual(["expired", "not-yet-valid"]);
  });

  it("refuses agent A's token used as agent B", async () => {
    const a = (await id.issue("agent-a")).token;
    const r = refusal(await id.verify(a, "agent-b"));
    expect(r).toMatchObject({ code: "wrong-agent", agent: "agent-a" });
    expect(r.reason).toBe("token of agent 'agent-a' presented as agent 'agent-b'");
    expect((await id.verify(a, "agent-a")).ok).toBe(true);
    expect(await refusedEntries()).toHaveLength(1);
  });

  it("refuses a token whose key id is unknown, or that names none", async () => {
    const elsewhere = SigningKeys.open(tempStateDir(), now);
    const foreign = await signAgentToken(elsewhere, { agent: "agent-a", now });
    expect(refusal(await id.verify(foreign.token))).toMatchObject({
      code: "unknown-key",
      kid: foreign.kid,
    });
    const noKid = rawToken({ alg: "EdDSA", typ: AGENT_TOKEN_TYPE }, claimsAt("agent-a"), "AA");
    expect(refusal(await id.verify(noKid)).reason).toMatch(/names no signing key/);
    expect(await refusedEntries()).toHaveLength(2);
  });

  it("refuses garbage as malformed, and never echoes the token into the log", async () => {
    expect(refusal(await id.verify("not a token")).code).toBe("malformed");
    expect(refusal(await id.verify(`eyJ${"A".repeat(5000)}.x.y`)).reason).toMatch(/longer than/);
    const t = (await id.issue("agent-a")).token;
    await id.verify(t, "agent-b");
    const text = JSON.stringify(await store.audit.query({}));
    expect(text).not.toContain(t.split(".")[2]);
  });

  it("refuses a token for another audience, even signed with Redline's key", async () => {
    const k = keys.current();
    const t = await new SignJWT({ scope: "agent:agent-a" })
      .setProtectedHeader({ alg: "EdDSA", typ: AGENT_TOKEN_TYPE, kid: k.kid })
      .setIssuer(ISSUER)
      .setAudience("redline-approver")
      .setSubject("agent-a")
      .setJti("j")
      .setIssuedAt(now / 1000)
      .setNotBefore(now / 1000)
      .setExpirationTime(now / 1000 + 600)
      .sign(k.privateKey);
    expect(refusal(await id.verify(t)).code).toBe("wrong-audience");
  });
});

describe("revocation: suspend, quarantine, panic", () => {
  it("kills an agent's tokens at suspension; resuming does not revive them", async () => {
    const before = (await id.issue("agent-a")).token;
    const other = (await id.issue("agent-b")).token;
    now += 1000;
    await id.suspend("agent-a", "odd behaviour");
    const r = await id.verify(before);
    expect(refusal(r)).toMatchObject({ code: "suspended" });
    expect(r.identity).toEqual({
      status: "suspended",
      reason: "odd behaviour",
    });
    expect((await id.verify(other)).ok).toBe(true);
    await expect(id.issue("agent-a")).rejects.toBeInstanceOf(IdentityRefused);

    now += 1000;
    await id.resume("agent-a", "checked");
    expect(refusal(await id.verify(before))).toMatchObject({ code: "revoked" });
    now += 1000;
    expect((await id.verify((await id.issue("agent-a")).token)).ok).toBe(true);

    const kinds = (await store.audit.query({ agent: "agent-a" })).map((e) => e.kind);
    expect(kinds).toEqual([
      "token.issued",
      "agent.suspended",
      "token.refused",
      "token.refused",
      "agent.resumed",
      "token.refused",
      "token.issued",
    ]);
  });

  it("a quarantined agent's token is refused as quarantined", async () => {
    const t = (await id.issue("agent-b")).token;
    await id.suspend("agent-b", "burst of denials", "quarantined");
    const r = await id.verify(t);
    expect(refusal(r).code).toBe("quarantined");
    expect(r.identity.status).toBe("quarantined");
    expect((await store.audit.query({ kind: "agent.quarantined" }))[0]?.reason).toBe(
      "burst of denials",
    );
  });

  it("panic suspends every agent; tokens issued before it stay dead after it is cleared", async () => {
    const a = (await id.issue("agent-a")).token;
    const b = (await id.issue("agent-b")).token;
    now += 1000;
    await id.panic("incident 42");
    for (const t of [a, b])
      expect(refusal(await id.verify(t)).reason).toMatch(/panic: incident 42/);
    await expect(id.issue("agent-a")).rejects.toMatchObject({ refusal: { code: "suspended" } });

    now += 1000;
    await id.clearPanic("resolved");
    for (const t of [a, b]) {
      const r = refusal(await id.verify(t));
      expect(r.code).toBe("revoked");
      expect(r.reason).toMatch(/before a panic/);
    }
    now += 1000;
    expect((await id.verify((await id.issue("agent-b")).token)).ok).toBe(true);
    expect((await store.audit.query({ agent: "*" })).map((e) => e.kind)).toEqual([
      "panic.started",
      "panic.cleared",
    ]);
    // 2 refused during the panic + the refused issue + 2 refused after it.
    expect(await refusedEntries()).toHaveLength(5);
  });

  it("reads the agent's state once per verification, so suspension in another process counts", async () => {
    const t = (await id.issue("agent-a")).token;
    const other = openSqliteStore({ dir });
    try {
      expect((await id.verify(t)).ok).toBe(true);
      await other.agents.setStatus("agent-a", "suspended", { by: "bob", at: now });
      expect(refusal(await id.verify(t)).code).toBe("suspended");
    } finally {
      await other.close();
    }
  });
});

describe("signing key rotation", () => {
  it("keeps the previous key verifying through the overlap, then refuses its tokens", async () => {
    const oldKid = keys.current().kid;
    const old = (await id.issue("agent-a", MAX_TTL_MS)).token;
    now += 5 * MIN;
    const next = keys.rotate(now, MAX_TTL_MS);
    expect(keys.current().kid).toBe(next.kid);
    expect(existsSync(path.join(dir, KEYS_DIR, `${oldKid}.pem`))).toBe(false);
    expect(statSync(path.join(dir, KEYS_DIR, `${next.kid}.pem`)).mode & 0o777).toBe(0o600);
    const fresh = await id.issue("agent-a");
    expect(fresh.kid).toBe(next.kid);

    // Another process (a new verifier over the same directory) sees both keys.
    const verifier = new AgentTokenVerifier({
      keys: SigningKeys.open(dir, now),
      agents: store.agents,
      audit: store.audit,
      clock: () => now,
    });
    now += 50 * MIN;
    expect((await verifier.verify(old)).ok).toBe(true);
    expect((await verifier.verify(fresh.token)).ok).toBe(false); // expired after 15 minutes
    now = T0 + 5 * MIN + MAX_TTL_MS;
    const r = refusal(await id.verify(old));
    expect(r).toMatchObject({ code: "unknown-key", kid: oldKid });
    expect(r.reason).toMatch(/rotated out and its overlap ended/);
  });

  it("a verifier learns of a key rotated in by another process", async () => {
    const mine = SigningKeys.open(dir, now);
    mine.rotate(now, MAX_TTL_MS);
    now += 2000;
    const t = await signAgentToken(mine, { agent: "agent-a", now });
    expect((await id.verify(t.token)).ok).toBe(true);
  });
});

describe("bootstrap secrets", () => {
  it("exchanges the secret for a fresh token; a wrong one is refused and audited", async () => {
    const secret = await id.bootstrap("agent-a");
    expect(secret).toMatch(/^rlb_[\w-]{43}$/);
    const raw = store.db.prepare("SELECT bootstrap_hash FROM agent_state").pluck().get();
    expect(raw).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(raw).not.toContain(secret.slice(4));

    const t = await id.exchange("agent-a", `${secret}\n`);
    expect((await id.verify(t.token, "agent-a")).ok).toBe(true);
    await expect(id.exchange("agent-a", `${secret.slice(0, -1)}x`)).rejects.toMatchObject({
      refusal: { code: "bad-secret", agent: "agent-a" },
    });
    await expect(id.exchange("agent-b", secret)).rejects.toMatchObject({
      refusal: { code: "bad-secret" },
    });
    // A new bootstrap replaces the old secret.
    const second = await id.bootstrap("agent-a");
    await expect(id.exchange("agent-a", secret)).rejects.toBeInstanceOf(IdentityRefused);
    expect((await id.exchange("agent-a", second)).claims.sub).toBe("agent-a");
    expect((await refusedEntries()).map((e) => [e.agent, e.data?.code])).toEqual([
      ["agent-a", "bad-secret"],
      ["agent-b", "bad-secret"],
      ["agent-a", "bad-secret"],
    ]);
  });

  it("a suspended agent cannot exchange its secret", async () => {
    const secret = await id.bootstrap("agent-a");
    await id.suspend("agent-a");
    await expect(id.exchange("agent-a", secret)).rejects.toMatchObject({
      refusal: { code: "suspended" },
    });
  });

  it("takes as long for an unknown agent or a missing secret as for a wrong secret", async () => {
    const stored = await hashSecret("rlb_right");
    const time = async (f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      return performance.now() - t;
    };
    const median = async (f: () => Promise<unknown>) => {
      const ts = [await time(f), await time(f), await time(f)].sort((a, b) => a - b);
      return ts[1] as number;
    };
    const wrong = await median(() => verifySecret("rlb_wrong", stored));
    const missing = await median(() => verifySecret("rlb_wrong", undefined));
    const unknownAgent = await median(() => id.exchange("ghost", "rlb_x").catch(() => {}));
    // Without the dummy hash a missing secret would return in microseconds, not ~scrypt time.
    expect(missing).toBeGreaterThan(wrong * 0.3);
    expect(unknownAgent).toBeGreaterThan(wrong * 0.3);
    expect(await verifySecret("rlb_right", stored)).toBe(true);
    expect(await verifySecret("rlb_wrong", stored)).toBe(false);
    expect(await verifySecret("rlb_right", undefined)).toBe(false);
    expect(await verifySecret("rlb_right", "plain-text")).toBe(false);
  });
});

describe("verified-token cache", () => {
  it("skips the signature check for a known token, never the state checks or expiry", async () => {
    const verifier = new AgentTokenVerifier({
      keys,
      agents: store.agents,
      audit: store.audit,
      policy: testPolicy(),
      clock: () => now,
      verifiedCacheSize: 8,
    });
    const t = (await id.issue("agent-a")).token;
    expect((await verifier.verify(t)).ok).toBe(true);
    expect((await verifier.verify(t)).ok).toBe(true);
    // Presented as another agent: refused even from the cache.
    expect(refusal(await verifier.verify(t, "agent-b")).code).toBe("wrong-agent");
    now += 1000;
    await id.suspend("agent-a", "incident");
    expect(refusal(await verifier.verify(t)).code).toBe("suspended");
    await id.resume("agent-a");
    expect(refusal(await verifier.verify(t)).code).toBe("revoked");
    now += 1000; // revocation has one-second granularity
    const fresh = (await id.issue("agent-a")).token;
    expect((await verifier.verify(fresh)).ok).toBe(true);
    now += 15 * MIN;
    expect(refusal(await verifier.verify(fresh)).code).toBe("expired");
  });
});
