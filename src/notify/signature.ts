import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signatures: `X-Redline-Signature: sha256=<hex HMAC-SHA256(secret, ts + "." + body)>`
 * with `X-Redline-Timestamp: <unix seconds>`. The timestamp is inside the MAC so a captured
 * delivery cannot be replayed later than the receiver's tolerance.
 */

export const SIGNATURE_HEADER = "X-Redline-Signature";
export const TIMESTAMP_HEADER = "X-Redline-Timestamp";
export const EVENT_HEADER = "X-Redline-Event";
export const DELIVERY_HEADER = "X-Redline-Delivery";

export function sign(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * For receivers (and tests): checks the signature header against the raw body as received.
 * `now` is epoch ms (defaults to the clock); `toleranceSec` bounds the timestamp's age either
 * way (default 300). The MAC is compared in constant time.
 */
export function verifySignature(
  secret: string,
  timestamp: string | number | undefined,
  body: string,
  header: string | undefined,
  options: { toleranceSec?: number; now?: number } = {},
): VerifyResult {
  const ts = typeof timestamp === "number" ? String(timestamp) : (timestamp ?? "");
  if (!/^\d{1,12}$/.test(ts))
    return { ok: false, reason: `${TIMESTAMP_HEADER} is missing or not unix seconds` };
  const tolerance = options.toleranceSec ?? 300;
  const now = (options.now ?? Date.now()) / 1000;
  if (Math.abs(now - Number(ts)) > tolerance)
    return { ok: false, reason: `${TIMESTAMP_HEADER} is more than ${tolerance}s from now` };
  if (header === undefined || !/^sha256=[0-9a-f]{64}$/i.test(header))
    return { ok: false, reason: `${SIGNATURE_HEADER} is missing or not sha256=<hex>` };
  const expected = Buffer.from(sign(secret, ts, body).slice(7), "hex");
  const given = Buffer.from(header.slice(7), "hex");
  // Both are 32 bytes here (the header was checked), so timingSafeEqual cannot throw.
  if (!timingSafeEqual(expected, given))
    return { ok: false, reason: "the signature does not match" };
  return { ok: true };
}
