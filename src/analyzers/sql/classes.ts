import type { Node } from "libpg-query";
import type { CategoryId } from "../../core/catalogue.js";

type KeysOfUnion<T> = T extends unknown ? keyof T : never;
/** Every node kind of libpg-query's AST (`SelectStmt`, `A_Const`, ...). */
export type NodeKind = KeysOfUnion<Node>;
/** The body of a node of kind K. */
export type NodeOf<K extends NodeKind> = Extract<Node, Record<K, unknown>>[K];
/** Every statement kind the parser can produce. */
export type StatementKind = Exclude<Extract<NodeKind, `${string}Stmt`>, "RawStmt">;

/**
 * - `read`: reads or shows data, changes nothing (flag `read`).
 * - `session`: transaction control and session state; no flag, no red line.
 * - `write`: ordinary data writes and maintenance (flag `write`).
 * - `ddl`: ordinary schema changes (flag `ddl`).
 * - `opaque`: the effect is not visible in the statement.
 * A tuple adds a red line, with its reason, that every statement of that kind crosses.
 * Handlers (dml.ts, ddl.ts, access.ts, code.ts) add what depends on the details: an unbounded
 * DELETE, a DROP TABLE, a dangerous extension, a setting that silences the audit log...
 */
export type Base = "read" | "session" | "write" | "ddl" | "opaque";
export type Class = Base | readonly [Base, CategoryId, string];

/**
 * The base classification of every statement kind. `satisfies` makes the compiler reject a
 * libpg-query upgrade that adds a kind until it is classified here; at run time a statement
 * kind missing from this table is opaque.
 */
export const STATEMENT_CLASSES = {
  // Read-only. SELECT ... INTO and SELECT ... FOR UPDATE are refined to writes; EXPLAIN
  // ANALYZE runs its statement, plain EXPLAIN does not.
  SelectStmt: "read",
  SetOperationStmt: "read",
  ExplainStmt: "read",
  VariableShowStmt: "read",
  DeclareCursorStmt: "read",
  FetchStmt: "read",
  ReturnStmt: "read", // the body of a SQL-standard function
  CopyStmt: "read", // COPY FROM is a write; PROGRAM and server files are red lines
  // Session and transaction state. SET is refined for settings that matter (settings.ts).
  TransactionStmt: "session",
  VariableSetStmt: "session",
  DiscardStmt: "session",
  ListenStmt: "session",
  UnlistenStmt: "session",
  DeallocateStmt: "session",
  ClosePortalStmt: "session",
  ConstraintsSetStmt: "session",
  PrepareStmt: "session", // its statement is analysed as if it ran
  // Ordinary writes. UPDATE/DELETE/MERGE become data.destroy when unbounded.
  InsertStmt: "write",
  UpdateStmt: "write",
  DeleteStmt: "write",
  MergeStmt: "write",
  LockStmt: "write",
  NotifyStmt: "write",
  RefreshMatViewStmt: "write",
  VacuumStmt: "write", // VACUUM FULL rewrites, it does not lose rows
  ClusterStmt: "write",
  ReindexStmt: "write",
  CheckPointStmt: "write",
  TruncateStmt: "write", // data.destroy unless every table is scratch (names.ts)
  // Ordinary schema changes. DROP, ALTER TABLE, RENAME are refined by their details.
  CreateStmt: "ddl",
  CreateTableAsStmt: "ddl",
  IndexStmt: "ddl",
  ViewStmt: "ddl",
  CreateSeqStmt: "ddl",
  AlterSeqStmt: "ddl",
  CreateSchemaStmt: "ddl",
  AlterTableStmt: "ddl",
  AlterTableMoveAllStmt: "ddl",
  ReplicaIdentityStmt: "ddl",
  RenameStmt: "ddl",
  AlterObjectSchemaStmt: "ddl",
  AlterObjectDependsStmt: "ddl",
  DropStmt: "ddl",
  CommentStmt: "ddl",
  CreateEnumStmt: "ddl",
  AlterEnumStmt: "ddl",
  CompositeTypeStmt: "ddl",
  CreateDomainStmt: "ddl",
  AlterDomainStmt: "ddl",
  CreateRangeStmt: "ddl",
  AlterTypeStmt: "ddl",
  DefineStmt: "ddl",
  CreateFunctionStmt: "ddl", // its body is analysed as if it ran
  AlterFunctionStmt: "ddl",
  CreateTrigStmt: "ddl",
  RuleStmt: "ddl", // its actions are analysed as if they ran
  CreateCastStmt: "ddl",
  CreateConversionStmt: "ddl",
  CreateTransformStmt: "ddl",
  CreateOpClassStmt: "ddl",
  CreateOpFamilyStmt: "ddl",
  AlterOpFamilyStmt: "ddl",
  AlterOperatorStmt: "ddl",
  AlterCollationStmt: "ddl",
  CreateStatsStmt: "ddl",
  AlterStatsStmt: "ddl",
  AlterTSConfigurationStmt: "ddl",
  AlterTSDictionaryStmt: "ddl",
  CreateAmStmt: "ddl",
  CreateExtensionStmt: "ddl", // some extensions are red lines (code.ts)
  AlterExtensionStmt: "ddl",
  AlterExtensionContentsStmt: "ddl",
  CreatePLangStmt: "ddl", // untrusted languages are code.remote_exec
  CreatedbStmt: "ddl",
  AlterDatabaseStmt: "ddl",
  AlterDatabaseRefreshCollStmt: "ddl",
  AlterDatabaseSetStmt: "ddl",
  DropdbStmt: "ddl", // data.destroy, with the database's name
  CreateTableSpaceStmt: ["ddl", "security.weaken", "CREATE TABLESPACE writes to a server path"],
  AlterTableSpaceOptionsStmt: "ddl",
  DropTableSpaceStmt: "ddl", // only an empty tablespace can be dropped
  CreatePublicationStmt: "ddl",
  AlterPublicationStmt: "ddl",
  AlterSubscriptionStmt: "ddl", // a new CONNECTION is judged like CREATE SUBSCRIPTION
  DropSubscriptionStmt: "ddl",
  CreateFdwStmt: "ddl",
  AlterFdwStmt: "ddl",
  CreateForeignTableStmt: "ddl", // file_fdw filename/program options are red lines
  CreateForeignServerStmt: "ddl", // network.egress when its host may not be reached (hosts.ts)
  AlterForeignServerStmt: "ddl", // likewise
  CreateSubscriptionStmt: "ddl", // likewise
  AlterEventTrigStmt: "ddl", // disabling one is security.weaken
  // Red lines, whatever the details.
  GrantStmt: ["ddl", "iam.change", "GRANT/REVOKE changes privileges"],
  GrantRoleStmt: ["ddl", "iam.change", "GRANT/REVOKE changes role membership"],
  AlterDefaultPrivilegesStmt: [
    "ddl",
    "iam.change",
    "ALTER DEFAULT PRIVILEGES changes future grants",
  ],
  CreateRoleStmt: ["ddl", "iam.change", "CREATE ROLE/USER"],
  AlterRoleStmt: ["ddl", "iam.change", "ALTER ROLE/USER"],
  AlterRoleSetStmt: ["ddl", "iam.change", "ALTER ROLE ... SET"],
  DropRoleStmt: ["ddl", "iam.change", "DROP ROLE/USER"],
  AlterOwnerStmt: ["ddl", "iam.change", "ALTER ... OWNER TO changes an owner"],
  ReassignOwnedStmt: ["ddl", "iam.change", "REASSIGN OWNED changes owners"],
  DropOwnedStmt: ["ddl", "data.destroy", "DROP OWNED drops every object a role owns"],
  CreatePolicyStmt: ["ddl", "iam.change", "CREATE POLICY changes row-level access"],
  AlterPolicyStmt: ["ddl", "iam.change", "ALTER POLICY changes row-level access"],
  CreateUserMappingStmt: [
    "ddl",
    "iam.change",
    "CREATE USER MAPPING stores credentials for another server",
  ],
  AlterUserMappingStmt: [
    "ddl",
    "iam.change",
    "ALTER USER MAPPING changes credentials for another server",
  ],
  DropUserMappingStmt: [
    "ddl",
    "iam.change",
    "DROP USER MAPPING drops credentials for another server",
  ],
  SecLabelStmt: ["ddl", "iam.change", "SECURITY LABEL changes mandatory access control"],
  AlterSystemStmt: ["ddl", "security.weaken", "ALTER SYSTEM changes the server configuration"],
  CreateEventTrigStmt: ["ddl", "security.weaken", "CREATE EVENT TRIGGER runs code on every DDL"],
  ImportForeignSchemaStmt: [
    "ddl",
    "network.egress",
    "IMPORT FOREIGN SCHEMA reads tables from another server",
  ],
  LoadStmt: ["session", "code.remote_exec", "LOAD loads a shared library into the server"],
  // Effect not visible here: a procedure, a prepared statement from elsewhere, a PL/pgSQL
  // assignment outside PL/pgSQL. DO is analysed through its body (code.ts).
  CallStmt: ["write", "opaque", "CALL runs a procedure whose effect is not visible"],
  ExecuteStmt: "opaque", // unless PREPAREd earlier in the same input
  DoStmt: "write",
  PLAssignStmt: ["write", "opaque", "PL/pgSQL assignment outside a PL/pgSQL body"],
} as const satisfies Record<StatementKind, Class>;
