import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureStateDir } from "../store/state-dir.js";

/**
 * The Ed25519 keys that sign agent tokens, in `<state dir>/identity-keys/` (mode 0700):
 * `keys.json` lists every key still able to verify (public keys only) and which one signs;
 * the signing key's private half is `<kid>.pem`, mode 0600. Rotation makes a new key current,
 * deletes the old private key at once, and keeps the old public key until every token it can
 * have signed has expired (the overlap), so nothing in flight breaks.
 */

export const KEYS_DIR = "identity-keys";
export const MANIFEST_FILE = "keys.json";
/** What a signing key is for; a key of one usage never verifies a credential of another. */
export const AGENT_KEY_USAGE = "agent-token";

export interface KeyInfo {
  kid: string;
  usage: string;
  /** SPKI PEM. */
  publicKey: string;
  createdAt: number;
  /** When it stopped signing. */
  retiredAt?: number;
  /** Tokens it signed verify until this time (epoch ms); then the key is forgotten. */
  verifiesUntil?: number;
}

interface Manifest {
  version: 1;
  current: string;
  keys: KeyInfo[];
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export class SigningKeys {
  private manifest: Manifest;
  private readonly imported = new Map<string, KeyObject>();
  private signer: SigningKey | undefined;
  private lastReload = 0;

  private constructor(
    readonly dir: string,
    manifest: Manifest,
  ) {
    this.manifest = manifest;
  }

  /** Opens the key directory under `stateDir`, creating the first key if there is none. */
  static open(stateDir: string, now: number): SigningKeys {
    ensureStateDir(stateDir);
    const dir = path.join(stateDir, KEYS_DIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, MANIFEST_FILE);
    if (!existsSync(file)) {
      const key = newKey(dir, now);
      try {
        // wx: another process creating the first key at the same moment wins; we read its file.
        writeFileSync(file, json({ version: 1, current: key.kid, keys: [key] }), {
          mode: 0o600,
          flag: "wx",
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        rmSync(path.join(dir, `${key.kid}.pem`), { force: true });
      }
    }
    return new SigningKeys(dir, readManifest(file));
  }

  /** The key that signs new tokens (private key read once, then cached). */
  current(): SigningKey {
    if (this.signer?.kid !== this.manifest.current) {
      const kid = this.manifest.current;
      this.signer = {
        kid,
        privateKey: createPrivateKey(readFileSync(path.join(this.dir, `${kid}.pem`))),
      };
    }
    return this.signer;
  }

  /**
   * The public key for `kid`, if it may still verify at `now`; imported keys are cached. An
   * unknown kid re-reads keys.json (another process may have rotated), at most once a second.
   */
  publicKey(kid: string, now: number): KeyObject | undefined {
    let info = this.info(kid);
    if (!info && now - this.lastReload >= 1000) {
      this.lastReload = now;
      this.reload();
      info = this.info(kid);
    }
    if (!info || info.usage !== AGENT_KEY_USAGE) return undefined;
    if (info.verifiesUntil !== undefined && now >= info.verifiesUntil) return undefined;
    let key = this.imported.get(kid);
    if (!key) {
      key = createPublicKey(info.publicKey);
      this.imported.set(kid, key);
    }
    return key;
  }

  info(kid: string): KeyInfo | undefined {
    return this.manifest.keys.find((k) => k.kid === kid);
  }

  list(): readonly KeyInfo[] {
    return this.manifest.keys;
  }

  /**
   * A new key signs from now on. The previous one stops signing, its private key is deleted,
   * and its public key verifies for `overlapMs` more (the longest a token can live), then is
   * dropped. Keys whose overlap has ended are dropped too.
   */
  rotate(now: number, overlapMs: number): KeyInfo {
    this.reload();
    const key = newKey(this.dir, now);
    const old = this.manifest.current;
    const keys = this.manifest.keys
      .map((k) => (k.kid === old ? { ...k, retiredAt: now, verifiesUntil: now + overlapMs } : k))
      .filter((k) => k.verifiesUntil === undefined || k.verifiesUntil > now);
    this.write({ version: 1, current: key.kid, keys: [...keys, key] });
    rmSync(path.join(this.dir, `${old}.pem`), { force: true });
    return key;
  }

  reload(): void {
    this.manifest = readManifest(path.join(this.dir, MANIFEST_FILE));
    for (const kid of this.imported.keys()) if (!this.info(kid)) this.imported.delete(kid);
  }

  private write(m: Manifest): void {
    const file = path.join(this.dir, MANIFEST_FILE);
    const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(tmp, json(m), { mode: 0o600 });
    renameSync(tmp, file);
    this.manifest = m;
  }
}

function newKey(dir: string, now: number): KeyInfo {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const kid = `${new Date(now).toISOString().slice(0, 10)}-${randomBytes(6).toString("hex")}`;
  writeFileSync(path.join(dir, `${kid}.pem`), privateKey.export({ type: "pkcs8", format: "pem" }), {
    mode: 0o600,
    flag: "wx",
  });
  return {
    kid,
    usage: AGENT_KEY_USAGE,
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    createdAt: now,
  };
}

function readManifest(file: string): Manifest {
  const m = JSON.parse(readFileSync(file, "utf8")) as Manifest;
  if (m.version !== 1 || !Array.isArray(m.keys) || !m.keys.some((k) => k.kid === m.current))
    throw new Error(`${file} is not a Redline key list (version 1 with its current key)`);
  return m;
}

function json(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
