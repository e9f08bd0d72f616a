import type { KeyObject } from "node:crypto";
import { canonicalJson } from "../core/canonical.js";
import type { AuditLog } from "../store/ports.js";
import { type Checkpoint, openEntry, type SealedEntry } from "./entry.js";
import { publicKeyPem } from "./keys.js";
import { ChainVerifier, type VerifyReport } from "./verify.js";

/**
 * JSON Lines export, self-describing enough for a verifier that has never seen Redline:
 * a header, every entry (with its hash) in seq order, then every signed checkpoint.
 */
export const EXPORT_FORMAT = "redline-audit-export/1";

export async function* exportLines(
  log: AuditLog,
  publicKey: KeyObject | undefined,
): AsyncGenerator<string> {
  yield JSON.stringify({
    format: EXPORT_FORMAT,
    chain:
      "hash = hex(SHA-256(prevHash + canonical(entry without hash))), RFC 8785 canonical JSON; the first prevHash is 64 zeros",
    checkpoint: 'signature = base64(Ed25519(canonical({"hash","seq","time"})))',
    publicKey: publicKey ? publicKeyPem(publicKey) : null,
  });
  for await (const chunk of log.scanSealed(1))
    for (const row of chunk) yield JSON.stringify({ entry: openEntry(row) });
  for (const cp of await log.checkpoints()) yield JSON.stringify({ checkpoint: cp });
}

/** Verifies an export as an outside verifier would, entry text rebuilt from the JSON. */
export function verifyExport(
  lines: Iterable<string>,
  publicKey: KeyObject | undefined,
): VerifyReport {
  const rows: SealedEntry[] = [];
  const checkpoints: Checkpoint[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    const item = JSON.parse(line) as { entry?: Record<string, unknown>; checkpoint?: Checkpoint };
    if (item.entry) {
      const { hash, ...rest } = item.entry;
      rows.push({ seq: Number(rest.seq), body: canonicalJson(rest), hash: String(hash) });
    } else if (item.checkpoint) checkpoints.push(item.checkpoint);
  }
  const v = new ChainVerifier(checkpoints, publicKey);
  for (const row of rows) v.push(row);
  return v.finish();
}
