import type { ParseResult, RangeVar, RawStmt, RoleSpec } from "libpg-query";
import type { CategoryId } from "../../core/catalogue.js";
import { type Facts, FactsBuilder, type TargetKind } from "../../core/facts.js";
import { type AnalysisContext, MAX_DEPTH } from "../types.js";
import { mayReach } from "./hosts.js";
import { relationName } from "./names.js";

/** The two libpg-query entry points the analyzer needs, loaded once. */
export interface Parser {
  parse(sql: string): ParseResult;
  /** PL/pgSQL bodies of the `CREATE FUNCTION` / `DO` statements in `sql`. */
  parsePlpgsql(sql: string): unknown;
}

// biome-ignore lint/suspicious/noExplicitAny: visitors are typed per node kind where registered.
export type Visitor = (node: any, scan: Scan) => void;

/**
 * Relations whose rows are credentials: reading them is `secret.access`. PostgreSQL's may be
 * unqualified; other systems' (the same text may reach MySQL or SQL Server) are qualified.
 */
const CREDENTIAL_RELATIONS = new Set([
  "pg_authid",
  "pg_shadow",
  "pg_user_mapping",
  "pg_user_mappings",
  "pg_catalog.pg_authid",
  "pg_catalog.pg_shadow",
  "pg_catalog.pg_user_mapping",
  "pg_catalog.pg_user_mappings",
  "information_schema.user_mapping_options",
  "mysql.user",
  "mysql.global_priv",
  "sys.sql_logins",
  "sys.syslogins",
  "master.dbo.syslogins",
]);

/** Fields that hold a bare (unwrapped) RangeVar in libpg-query's AST. */
const RELATION_FIELDS = new Set([
  "relation",
  "view",
  "sequence",
  "typevar",
  "rel",
  "table",
  "pktable",
  "identitySequence",
  "constrrel",
  "name",
]);

/** Fields that hold a bare RoleSpec. */
const ROLE_FIELDS = new Set([
  "authrole",
  "grantor",
  "newowner",
  "newrole",
  "owner",
  "role",
  "user",
]);

/**
 * The state of one analysis: facts so far, and what earlier statements of the same input told
 * us (CTE names, temporary tables, prepared statements). Walks the AST once; visitors for the
 * node kinds that matter are looked up by key as the walk meets them.
 */
export class Scan {
  private sink = new FactsBuilder();
  /** Unqualified relations read in FROM: kept unless they turn out to be CTE names. */
  private readonly fromNames = new Set<string>();
  readonly cteNames = new Set<string>();
  readonly temporary = new Set<string>();
  readonly prepared = new Set<string>();
  /** Depth of PL/pgSQL loops around the statement being walked. */
  loops = 0;
  private depth: number;
  private context: string | undefined;
  private raw: RawStmt | undefined;
  private text = "";

  constructor(
    readonly parser: Parser,
    private readonly visitors: ReadonlyMap<string, Visitor>,
    private readonly ctx: AnalysisContext,
  ) {
    this.depth = ctx.depth;
  }

  add(category: CategoryId, reason: string): void {
    this.sink.add(category, this.context ? `${reason} (in ${this.context})` : reason);
  }

  opaque(reason: string): void {
    this.add("opaque", reason);
  }

  flag(flag: "read" | "write" | "ddl" | "unbounded" | "multi-statement"): void {
    this.sink.flag(flag);
  }

  target(kind: TargetKind, value: string): void {
    if (value !== "") this.sink.target(kind, value);
  }

  /**
   * A connection out of the database to `hosts`: `network.egress` unless every host is known
   * and allowed (egress allowlist, internal hosts, loopback).
   */
  egress(hosts: readonly string[], reason: string): void {
    for (const host of hosts) this.target("hosts", host);
    if (hosts.length === 0 || !hosts.every((h) => mayReach(h, this.ctx)))
      this.add("network.egress", reason);
  }

  /** A relation the statement writes, or reads when `read`; returns its name. */
  relation(rv: RangeVar, read = false): string {
    const name = relationName(rv);
    this.target("tables", name);
    if (read) this.checkCredentials(name);
    return name;
  }

  /** A role named in the statement, as a `postgres:role/<name>` resource. */
  role(spec: RoleSpec | string): void {
    const name = typeof spec === "string" ? spec : spec.rolename;
    if (name !== undefined) this.target("resources", `postgres:role/${name}`);
  }

  /** A relation in FROM/USING/JOIN: unqualified names may be CTEs, resolved at the end. */
  private fromRelation(rv: RangeVar): void {
    const name = relationName(rv);
    if (rv.schemaname === undefined) this.fromNames.add(name);
    else this.target("tables", name);
    this.checkCredentials(name);
  }

  private checkCredentials(name: string): void {
    if (CREDENTIAL_RELATIONS.has(name.toLowerCase()))
      this.add("secret.access", `reads ${name}, which holds credentials`);
  }

  /** Walks any AST value, handing known node kinds to their visitors. */
  walk(node: unknown): void {
    if (typeof node !== "object" || node === null) return;
    if (Array.isArray(node)) {
      for (const item of node) this.walk(item);
      return;
    }
    const record = node as Record<string, unknown>;
    for (const key in record) {
      const child = record[key];
      if (typeof child !== "object" || child === null) continue;
      const visit = this.visitors.get(key);
      if (visit !== undefined) visit(child, this);
      else if (key === "RangeVar") this.fromRelation(child as RangeVar);
      else if (key === "RoleSpec" || (ROLE_FIELDS.has(key) && "roletype" in child))
        this.role(child as RoleSpec);
      else if (RELATION_FIELDS.has(key) && "relname" in child) this.relation(child as RangeVar);
      else if (isStatementKey(key)) this.opaque(`unrecognised SQL statement kind ${key}`);
      else this.walk(child);
    }
  }

  /** Walks a node without crediting its effects: EXPLAIN without ANALYZE runs nothing. */
  planOnly(node: unknown): void {
    const real = this.sink;
    this.sink = new FactsBuilder();
    try {
      this.walk(node);
    } finally {
      const planned = this.sink.build();
      this.sink = real;
      for (const kind of ["tables", "paths", "hosts", "resources"] as const)
        for (const value of planned.targets[kind]) real.target(kind, value);
    }
  }

  /** Walks every statement of `sql`, the top-level input or SQL found inside it. */
  statements(sql: string, tree: ParseResult): void {
    const saved = [this.raw, this.text] as const;
    this.text = sql;
    for (const raw of tree.stmts ?? []) {
      this.raw = raw;
      this.walk(raw.stmt);
    }
    [this.raw, this.text] = saved;
  }

  /**
   * Parses and walks SQL found inside the input (a function body, a constant EXECUTE...);
   * `parsed` when the caller has parsed it already.
   */
  nested(sql: string, context: string, parsed?: ParseResult): void {
    if (this.depth >= MAX_DEPTH) {
      this.opaque(`SQL nested more than ${MAX_DEPTH} levels deep`);
      return;
    }
    const tree = parsed ?? this.parse(sql, context);
    if (tree === undefined) return;
    this.depth++;
    try {
      this.within(context, () => this.statements(sql, tree));
    } finally {
      this.depth--;
    }
  }

  /** Runs `fn` with findings' reasons saying where they come from: "(in function f)". */
  within(context: string, fn: () => void): void {
    const saved = this.context;
    this.context = saved ? `${context}, in ${saved}` : context;
    try {
      fn();
    } finally {
      this.context = saved;
    }
  }

  /** Parses SQL found inside the input; a failure is opaque, with the parser's message. */
  parse(sql: string, context: string): ParseResult | undefined {
    if (sql.trim() === "") return { stmts: [] };
    try {
      return this.parser.parse(sql);
    } catch (error) {
      this.opaque(`cannot parse the SQL in ${context}: ${message(error)}`);
      return undefined;
    }
  }

  /** The source text of the top-level statement being walked (for the PL/pgSQL parser). */
  statementText(): string {
    const start = this.raw?.stmt_location ?? 0;
    const length = this.raw?.stmt_len || undefined;
    // Locations are UTF-8 byte offsets: the same as string indexes only for ASCII text.
    if (Buffer.byteLength(this.text, "utf8") === this.text.length)
      return this.text.slice(start, length === undefined ? undefined : start + length);
    const bytes = Buffer.from(this.text, "utf8");
    return bytes
      .subarray(start, length === undefined ? undefined : start + length)
      .toString("utf8");
  }

  finish(): Facts {
    for (const name of this.fromNames) if (!this.cteNames.has(name)) this.target("tables", name);
    return this.sink.build();
  }
}

function isStatementKey(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 65 && first <= 90 && key.endsWith("Stmt");
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
