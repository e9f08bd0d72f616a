import { canonicalJson, sha256Hex } from "../core/canonical.js";
import type { CategoryId } from "../core/catalogue.js";
import type { Facts } from "../core/facts.js";
import type { Effect, Mode } from "../core/policy/schema.js";

/**
 * Audit entries: what was decided and what followed. Pure: the caller passes the time in, the
 * store assigns `seq` and `prevHash` when it commits, `sealEntry` computes the hash.
 */

/** What can be recorded. A decision first; the rest say what happened to the action after. */
export const ENTRY_KINDS = [
  "decision",
  "released",
  "completed",
  "failed",
  "approval.requested",
  "approval.granted",
  "approval.denied",
  "approval.expired",
  "approval.voted",
  "approval.refused",
  "approval.used",
  "approval.cancelled",
  "agent.suspended",
  "agent.resumed",
  "agent.quarantined",
  "agent.bootstrap",
  "panic.started",
  "panic.cleared",
  "token.issued",
  "token.refused",
  "approver.added",
  "approver.removed",
  "approver.refused",
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** The hash that links the first entry: nothing came before it. */
export const GENESIS_HASH = "0".repeat(64);

/** What a caller hands to `AuditLog.append`; everything except ordering and hashes. */
export interface AuditInput {
  kind: EntryKind;
  /** Epoch milliseconds, from the caller's clock: pure code never reads the time. */
  at: number;
  agent: string;
  session?: string;
  /** `sha256:<hex>` of the unredacted action: what approvals bind to. */
  actionHash?: string;
  /** The canonical action with secrets redacted (see redact.ts). */
  action?: Record<string, unknown>;
  facts?: Facts;
  decision?: Effect;
  categories?: CategoryId[];
  rules?: string[];
  reason?: string;
  policyHash?: string;
  mode?: Mode;
  /** Kind-specific details: exit status, approver, approval id, error text... */
  data?: Record<string, unknown>;
}

/** A committed entry: `hash = SHA-256(prevHash ‖ canonical(entry without hash))`. */
export interface AuditEntry extends Omit<AuditInput, "at"> {
  seq: number;
  /** ISO 8601 UTC with milliseconds, so that string order is time order. */
  time: string;
  prevHash: string;
  hash: string;
}

/** An entry as stored: its canonical text (everything but the hash) and its hash. */
export interface SealedEntry {
  seq: number;
  body: string;
  hash: string;
}

/** Seals an input as entry `seq` after `prevHash`. Optional fields left undefined are omitted. */
export function sealEntry(
  input: AuditInput,
  seq: number,
  prevHash: string,
): { entry: AuditEntry; sealed: SealedEntry } {
  // Built field by field: rest and spread copies cost more than the hashing (hot path).
  const entry: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    const value = input[key as keyof AuditInput];
    if (key !== "at" && value !== undefined) entry[key] = value;
  }
  entry.seq = seq;
  entry.time = new Date(input.at).toISOString();
  entry.prevHash = prevHash;
  const body = canonicalJson(entry);
  const hash = chainHash(prevHash, body);
  entry.hash = hash;
  return { entry: entry as unknown as AuditEntry, sealed: { seq, body, hash } };
}

/** The chain step: SHA-256 over the previous hash followed by the canonical entry text. */
export function chainHash(prevHash: string, body: string): string {
  return sha256Hex(prevHash + body);
}

/** Parses a stored entry back into its object form. */
export function openEntry(sealed: SealedEntry): AuditEntry {
  return { ...(JSON.parse(sealed.body) as Omit<AuditEntry, "hash">), hash: sealed.hash };
}

/** A signed statement that the chain ended at `seq` with `hash` at `time`. */
export interface Checkpoint {
  seq: number;
  hash: string;
  time: string;
  /** Ed25519 over canonical({seq, hash, time}), base64. */
  signature: string;
}

/** The bytes a checkpoint signature covers. */
export function checkpointPayload(cp: Pick<Checkpoint, "seq" | "hash" | "time">): string {
  return canonicalJson({ hash: cp.hash, seq: cp.seq, time: cp.time });
}
