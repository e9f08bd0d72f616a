import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sign, verifySignature } from "./signature.js";

const NOW = Date.parse("2026-11-26T00:00:00Z");
const TS = NOW / 1000;
const BODY = '{"type":"agent.quarantined"}';

describe("webhook signatures", () => {
  it("is HMAC-SHA256 over timestamp.body, hex, prefixed sha256=", () => {
    const mac = createHmac("sha256", "k").update(`${TS}.${BODY}`).digest("hex");
    expect(sign("k", TS, BODY)).toBe(`sha256=${mac}`);
  });

  it("verifies, and refuses a tampered body, another secret or timestamp, a bad header", () => {
    const sig = sign("k", TS, BODY);
    expect(verifySignature("k", String(TS), BODY, sig, { now: NOW })).toEqual({ ok: true });
    expect(verifySignature("k", TS, `${BODY} `, sig, { now: NOW })).toEqual({
      ok: false,
      reason: "the signature does not match",
    });
    expect(verifySignature("k2", TS, BODY, sig, { now: NOW }).ok).toBe(false);
    expect(verifySignature("k", TS + 1, BODY, sig, { now: NOW }).ok).toBe(false);
    expect(verifySignature("k", TS, BODY, undefined, { now: NOW })).toMatchObject({ ok: false });
    expect(verifySignature("k", TS, BODY, sig.slice(0, -2), { now: NOW })).toMatchObject({
      ok: false,
      reason: "X-Redline-Signature is missing or not sha256=<hex>",
    });
    expect(verifySignature("k", "soon", BODY, sig, { now: NOW })).toMatchObject({ ok: false });
  });

  it("refuses a timestamp outside the tolerance, either way", () => {
    const old = TS - 301;
    expect(verifySignature("k", old, BODY, sign("k", old, BODY), { now: NOW })).toEqual({
      ok: false,
      reason: "X-Redline-Timestamp is more than 300s from now",
    });
    const ahead = TS + 30;
    const sig = sign("k", ahead, BODY);
    expect(verifySignature("k", ahead, BODY, sig, { now: NOW, toleranceSec: 10 }).ok).toBe(false);
    expect(verifySignature("k", ahead, BODY, sig, { now: NOW, toleranceSec: 60 }).ok).toBe(true);
  });
});
