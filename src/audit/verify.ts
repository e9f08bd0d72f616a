import type { KeyObject } from "node:crypto";
import type { AuditLog, ChainHead } from "../store/ports.js";
import { type Checkpoint, chainHash, GENESIS_HASH, type SealedEntry } from "./entry.js";
import { verifyCheckpoint } from "./keys.js";

export type ProblemKind =
  | "modified"
  | "unlinked"
  | "missing"
  | "moved"
  | "bad-signature"
  | "checkpoint-mismatch"
  | "truncated";

/** One thing wrong with the log, at the entry (seq) where it shows. */
export interface Problem {
  seq: number;
  kind: ProblemKind;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  head: ChainHead;
  checkpoints: number;
  /** The highest checkpoint whose signature (when a key was given) and hash both hold. */
  lastCheckpoint: number;
  problems: Problem[];
  /** Limits of what was proven, not breaks: e.g. entries after the last checkpoint. */
  warnings: string[];
}

const MAX_PROBLEMS = 100;

/**
 * Walks the chain entry by entry. After a break it re-anchors on the stored hash, so that one
 * edited entry is reported once and the rest of the log is still checked.
 */
export class ChainVerifier {
  private prevHash = GENESIS_HASH;
  private expectedSeq = 1;
  private entries = 0;
  private lastValidCheckpoint = 0;
  readonly problems: Problem[] = [];
  private readonly bySeq = new Map<number, Checkpoint>();
  private readonly badSignature = new Set<number>();

  constructor(
    private readonly checkpoints: readonly Checkpoint[],
    private readonly publicKey: KeyObject | undefined,
  ) {
    for (const cp of checkpoints) {
      this.bySeq.set(cp.seq, cp);
      if (publicKey && !verifyCheckpoint(cp, publicKey)) {
        this.badSignature.add(cp.seq);
        this.report(
          cp.seq,
          "bad-signature",
          `checkpoint at seq ${cp.seq} (${cp.time}): signature does not verify with the given public key`,
        );
      }
    }
  }

  push(row: SealedEntry): void {
    this.entries++;
    let afterGap = false;
    if (row.seq !== this.expectedSeq) {
      afterGap = true;
      const range =
        row.seq - 1 > this.expectedSeq
          ? `${this.expectedSeq}–${row.seq - 1}`
          : `${this.expectedSeq}`;
      this.report(this.expectedSeq, "missing", `entry ${range} missing: deleted from the log`);
    }
    if (chainHash(this.prevHash, row.body) !== row.hash) this.diagnose(row, afterGap);
    const cp = this.bySeq.get(row.seq);
    if (cp) {
      if (cp.hash !== row.hash)
        this.report(
          row.seq,
          "checkpoint-mismatch",
          `entry ${row.seq}: its hash differs from the one signed in the checkpoint at ${cp.time}`,
        );
      else if (!this.badSignature.has(cp.seq) && this.problems.length === 0)
        this.lastValidCheckpoint = cp.seq;
    }
    this.prevHash = row.hash;
    this.expectedSeq = row.seq + 1;
  }

  /** Says why an entry's hash does not follow from the one before it. */
  private diagnose(row: SealedEntry, afterGap: boolean): void {
    let claimed: { seq?: unknown; prevHash?: unknown } | undefined;
    try {
      claimed = JSON.parse(row.body);
    } catch {
      claimed = undefined;
    }
    if (!claimed || typeof claimed.prevHash !== "string") {
      this.report(row.seq, "modified", `entry ${row.seq}: content is not a valid entry`);
    } else if (chainHash(claimed.prevHash, row.body) !== row.hash) {
      this.report(
        row.seq,
        "modified",
        `entry ${row.seq}: content does not match its hash (edited)`,
      );
    } else if (claimed.seq !== row.seq) {
      this.report(
        row.seq,
        "moved",
        `entry stored at seq ${row.seq} is entry ${String(claimed.seq)}: entries were reordered, inserted or deleted`,
      );
    } else if (!afterGap) {
      this.report(
        row.seq,
        "unlinked",
        `entry ${row.seq}: does not link to entry ${row.seq - 1} (that entry was replaced, or one was inserted or deleted)`,
      );
    }
  }

  private report(seq: number, kind: ProblemKind, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ seq, kind, message });
  }

  finish(): VerifyReport {
    const last = this.expectedSeq - 1;
    const warnings: string[] = [];
    for (const cp of this.checkpoints) {
      if (cp.seq > last)
        this.report(
          cp.seq,
          "truncated",
          `log ends at seq ${last} but the checkpoint signed at ${cp.time} covers seq ${cp.seq}: the tail was cut`,
        );
    }
    if (!this.publicKey && this.checkpoints.length > 0)
      warnings.push("no public key: checkpoint signatures were not checked");
    if (last > this.lastValidCheckpoint)
      warnings.push(
        `${last - this.lastValidCheckpoint} entries after seq ${this.lastValidCheckpoint} are not covered by a valid signed checkpoint`,
      );
    return {
      ok: this.problems.length === 0,
      entries: this.entries,
      head: { seq: last, hash: this.prevHash },
      checkpoints: this.checkpoints.length,
      lastCheckpoint: this.lastValidCheckpoint,
      problems: this.problems.sort((a, b) => a.seq - b.seq),
      warnings,
    };
  }
}

/** Verifies a whole stored log: the chain and its signed checkpoints. */
export async function verifyAuditLog(
  log: AuditLog,
  publicKey: KeyObject | undefined,
): Promise<VerifyReport> {
  const v = new ChainVerifier(await log.checkpoints(), publicKey);
  for await (const chunk of log.scanSealed(1)) for (const row of chunk) v.push(row);
  return v.finish();
}
