import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Checkpoint, checkpointPayload } from "./entry.js";

/** The checkpoint signing key, in the state directory, readable by its owner only. */
export const PRIVATE_KEY_FILE = "audit-signing-key.pem";

export interface CheckpointSigner {
  sign(cp: Omit<Checkpoint, "signature">): Checkpoint;
  readonly publicKey: KeyObject;
}

export function signerFromKey(privateKey: KeyObject): CheckpointSigner {
  return {
    publicKey: createPublicKey(privateKey),
    sign: (cp) => ({
      ...cp,
      signature: sign(null, Buffer.from(checkpointPayload(cp)), privateKey).toString("base64"),
    }),
  };
}

/** Loads the Ed25519 key from the state directory, creating it (mode 0600) on first use. */
export function loadOrCreateSigner(stateDir: string): CheckpointSigner {
  const file = path.join(stateDir, PRIVATE_KEY_FILE);
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" });
    // wx: never overwrite a key another process created meanwhile.
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return signerFromKey(createPrivateKey(readFileSync(file)));
}

/** The public key of the state directory's signing key, or undefined if there is none yet. */
export function readPublicKey(stateDir: string): KeyObject | undefined {
  const file = path.join(stateDir, PRIVATE_KEY_FILE);
  if (!existsSync(file)) return undefined;
  return createPublicKey(createPrivateKey(readFileSync(file)));
}

export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: "spki", format: "pem" }).toString();
}

export function verifyCheckpoint(cp: Checkpoint, publicKey: KeyObject): boolean {
  try {
    return verify(
      null,
      Buffer.from(checkpointPayload(cp)),
      publicKey,
      Buffer.from(cp.signature, "base64"),
    );
  } catch {
    return false;
  }
}
