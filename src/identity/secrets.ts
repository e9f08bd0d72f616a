import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Secrets shown once and stored only as scrypt hashes: agents' bootstrap secrets and approvers'
 * secrets. A check always derives a key and compares it in constant time, also when there is
 * no stored hash, so the time taken says nothing about which part was wrong.
 */

/** Bootstrap secrets (agents) and approver secrets start differently: one is never the other. */
export const BOOTSTRAP_PREFIX = "rlb_";
export const APPROVER_PREFIX = "rla_";

const PARAMS = { N: 1 << 14, r: 8, p: 1 } as const;
const KEY_LEN = 32;
const SALT_LEN = 16;

function derive(secret: string, salt: Buffer, o: ScryptOptions & { N: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LEN, { ...o, maxmem: 256 * o.N * (o.r ?? 8) }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** A new random secret: prefix + 256 bits, base64url. */
export function newSecret(prefix: string, tag = ""): string {
  return `${prefix}${tag}${randomBytes(32).toString("base64url")}`;
}

/** `scrypt$N$r$p$salt$hash`, salt and hash base64url. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await derive(secret, salt, PARAMS);
  return [
    "scrypt",
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString("base64url"),
    key.toString("base64url"),
  ].join("$");
}

/** A fixed hash to compare against when there is none, so a missing one takes as long. */
const DUMMY = `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${Buffer.alloc(SALT_LEN).toString("base64url")}$${Buffer.alloc(KEY_LEN).toString("base64url")}`;

/**
 * True iff `secret` matches `stored`. `stored` undefined (no such agent or approver) still
 * costs one scrypt and one constant-time compare, and is false.
 */
export async function verifySecret(secret: string, stored: string | undefined): Promise<boolean> {
  const parsed = parseHash(stored ?? DUMMY) ?? parseHash(DUMMY);
  if (!parsed) return false;
  const key = await derive(secret, parsed.salt, parsed.params);
  const same = key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  return same && stored !== undefined && parsed.fromStored;

  function parseHash(text: string) {
    const parts = text.split("$");
    if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
    const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
    if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20) return undefined;
    return {
      params: { N, r, p },
      salt: Buffer.from(parts[4] as string, "base64url"),
      key: Buffer.from(parts[5] as string, "base64url"),
      fromStored: text === stored,
    };
  }
}
