import type { Database } from "better-sqlite3";
import { StoreError } from "../errors.js";

/**
 * Versioned schema. `PRAGMA user_version` holds the version a file is at; each migration moves
 * it up by one inside a transaction. Never edit a shipped migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the hash-chained audit log and its signed checkpoints. The searchable columns are
  // generated from the hashed entry text, so they cannot be edited to hide an entry from a
  // query without changing the entry itself (which verify catches).
  `CREATE TABLE audit_entries (
     seq INTEGER PRIMARY KEY,
     body TEXT NOT NULL,
     hash TEXT NOT NULL,
     time TEXT GENERATED ALWAYS AS (body ->> '$.time') VIRTUAL,
     kind TEXT GENERATED ALWAYS AS (body ->> '$.kind') VIRTUAL,
     agent TEXT GENERATED ALWAYS AS (body ->> '$.agent') VIRTUAL,
     session TEXT GENERATED ALWAYS AS (body ->> '$.session') VIRTUAL,
     decision TEXT GENERATED ALWAYS AS (body ->> '$.decision') VIRTUAL
   );
   CREATE TABLE audit_checkpoints (
     seq INTEGER PRIMARY KEY,
     hash TEXT NOT NULL,
     time TEXT NOT NULL,
     signature TEXT NOT NULL
   );`,
  // 2: query indexes, append-only guards, counters and session facts.
  `CREATE INDEX audit_by_agent ON audit_entries (agent, time);
   CREATE INDEX audit_by_time ON audit_entries (time);
   CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_entries
     BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
   CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_entries
     BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
   CREATE TABLE counters (key TEXT NOT NULL, at INTEGER NOT NULL, amount REAL NOT NULL);
   CREATE INDEX counters_by_key ON counters (key, at);
   CREATE TABLE session_facts (
     session TEXT NOT NULL,
     fact TEXT NOT NULL,
     at INTEGER NOT NULL,
     PRIMARY KEY (session, fact)
   ) WITHOUT ROWID;`,
  // 3: identity: agents' runtime state and bootstrap secret hashes, the global panic (one
  // row), and approvers (humans), kept in their own table with their own secret hashes.
  `CREATE TABLE agent_state (
     agent TEXT PRIMARY KEY,
     status TEXT NOT NULL DEFAULT 'active'
       CHECK (status IN ('active', 'suspended', 'quarantined')),
     changed_by TEXT,
     reason TEXT,
     changed_at INTEGER,
     revoked_before INTEGER,
     bootstrap_hash TEXT,
     bootstrap_at INTEGER
   ) WITHOUT ROWID;
   CREATE TABLE panic_state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     active INTEGER NOT NULL,
     changed_by TEXT NOT NULL,
     reason TEXT,
     changed_at INTEGER NOT NULL,
     revoked_before INTEGER
   );
   CREATE TABLE approvers (
     id TEXT PRIMARY KEY,
     name TEXT,
     secret_hash TEXT NOT NULL,
     created_by TEXT NOT NULL,
     reason TEXT,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // 4: approval requests. The request (votes included) is one JSON document, rewritten whole
  // inside a write transaction; the columns queries use are generated from it, so they cannot
  // drift from what the rules decided.
  `CREATE TABLE approval_requests (
     id TEXT PRIMARY KEY,
     body TEXT NOT NULL CHECK (json_valid(body) AND body ->> '$.id' = id),
     status TEXT GENERATED ALWAYS AS (body ->> '$.status') VIRTUAL
       CHECK (status IN ('pending', 'granted', 'denied', 'expired', 'used', 'cancelled')),
     agent TEXT GENERATED ALWAYS AS (body ->> '$.agent') VIRTUAL NOT NULL,
     action_hash TEXT GENERATED ALWAYS AS (body ->> '$.actionHash') VIRTUAL NOT NULL,
     created_at INTEGER GENERATED ALWAYS AS (body ->> '$.createdAt') VIRTUAL NOT NULL,
     expires_at INTEGER GENERATED ALWAYS AS (body ->> '$.expiresAt') VIRTUAL NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX approvals_by_status ON approval_requests (status, expires_at);
   CREATE INDEX approvals_by_action ON approval_requests (agent, action_hash, status);
   CREATE INDEX approvals_by_created ON approval_requests (created_at);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/** Refuses a file written by a newer Redline: reading it could misread what it proves. */
export function assertKnownVersion(db: Database, file: string): number {
  const v = schemaVersion(db);
  if (v > SCHEMA_VERSION) {
    throw new StoreError(
      "schema",
      `${file} has schema version ${v}, newer than this Redline knows (${SCHEMA_VERSION}): upgrade Redline to use it`,
    );
  }
  return v;
}

/**
 * Brings the file up to `target` (default: the latest). Returns the versions applied. Each
 * step re-reads the version under the write lock: two processes opening a new file at once
 * must not both run a migration.
 */
export function migrate(db: Database, file: string, target = SCHEMA_VERSION): number[] {
  const applied: number[] = [];
  for (let v = assertKnownVersion(db, file) + 1; v <= target; v++) {
    db.transaction(() => {
      if (assertKnownVersion(db, file) >= v) return;
      db.exec(MIGRATIONS[v - 1] as string);
      db.pragma(`user_version = ${v}`);
      applied.push(v);
    }).immediate();
  }
  return applied;
}
