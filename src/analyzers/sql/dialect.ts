import type { CategoryId } from "../../core/catalogue.js";
import { type Facts, FactsBuilder } from "../../core/facts.js";

/**
 * Input PostgreSQL's parser rejects: another dialect (MySQL, SQLite), a psql meta-command, a
 * typo. Its effect cannot be known, so it is opaque, with two refinements:
 * - exactly one read-only introspection command (`DESCRIBE t`, `SHOW CREATE TABLE t`,
 *   `PRAGMA table_info(t)`, `USE db`, psql's `\d t`) is a read, not opaque;
 * - otherwise red-line keywords at the start of each statement add their category beside
 *   opaque (`GRANT` → iam.change, `DROP TABLE` → data.destroy...), so a human sees why.
 * Strings and comments are blanked first: a keyword inside a literal says nothing.
 */
export function unparsable(sql: string, parserMessage: string): Facts {
  const text = blank(sql);
  const introspection = introspect(text.replace(/;\s*$/, "").trim());
  if (introspection !== undefined) return introspection;
  const out = new FactsBuilder().opaque(`cannot parse SQL: ${parserMessage}`);
  for (const statement of text.split(";")) {
    const words = (statement.toUpperCase().match(/[A-Z_]+/g) ?? []).join(" ");
    for (const { pattern, category, what } of HINTS)
      if (pattern.test(words))
        out.add(category, `${what}, in SQL the PostgreSQL parser cannot read`);
  }
  return out.build();
}

/** Red-line keywords, matched against a statement's words in upper case. */
const HINTS: readonly { pattern: RegExp; category: CategoryId; what: string }[] = [
  { pattern: /^(GRANT|REVOKE)\b/, category: "iam.change", what: "GRANT/REVOKE" },
  {
    pattern: /^(CREATE|ALTER|DROP|RENAME) (USER|ROLE|LOGIN)\b/,
    category: "iam.change",
    what: "a user or role change",
  },
  { pattern: /^SET PASSWORD\b/, category: "iam.change", what: "SET PASSWORD" },
  {
    pattern: /^DROP (TABLE|DATABASE|SCHEMA)\b/,
    category: "data.destroy",
    what: "DROP TABLE/DATABASE/SCHEMA",
  },
  { pattern: /^TRUNCATE\b/, category: "data.destroy", what: "TRUNCATE" },
  {
    pattern: /^(DELETE|UPDATE)\b(?!.*\bWHERE\b)/,
    category: "data.destroy",
    what: "DELETE/UPDATE without WHERE",
  },
  { pattern: /^ALTER TABLE\b.*\bDROP\b/, category: "data.destroy", what: "ALTER TABLE ... DROP" },
  {
    pattern: /\bINTO (OUTFILE|DUMPFILE)\b/,
    category: "security.weaken",
    what: "a server file write",
  },
  { pattern: /\b(LOAD_FILE|INFILE)\b/, category: "secret.access", what: "a server file read" },
  { pattern: /\bXP_CMDSHELL\b/, category: "code.remote_exec", what: "xp_cmdshell" },
];

/**
 * String literals become `''` and comments a space, so their words are not read; quoted
 * identifiers stay (`DESCRIBE \`orders\`` names a table).
 */
function blank(sql: string): string {
  return sql.replace(/'(?:[^'\\]|\\.|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g, (m) =>
    m.startsWith("'") ? "''" : " ",
  );
}

const NAME = String.raw`[\w$]+(?:\.[\w$]+)?`;
const READS: readonly RegExp[] = [
  new RegExp(String.raw`^(?:DESCRIBE|DESC|EXPLAIN)\s+(${NAME})(?:\s+[\w$]+)?$`, "i"),
  new RegExp(
    String.raw`^SHOW\s+(?:FULL\s+)?(?:CREATE\s+(?:TABLE|VIEW)\s+(${NAME})|(?:COLUMNS|FIELDS|INDEX|INDEXES|KEYS)\s+(?:FROM|IN)\s+(${NAME})(?:\s+(?:FROM|IN)\s+[\w$]+)?|TABLES|DATABASES|SCHEMAS|TABLE\s+STATUS|PROCESSLIST|VARIABLES|STATUS|WARNINGS|ERRORS|ENGINES|TRIGGERS)(?:\s+(?:LIKE\s+''|FROM\s+[\w$]+))?$`,
    "i",
  ),
  new RegExp(
    String.raw`^PRAGMA\s+(?:table_info|table_xinfo|index_list|index_info|foreign_key_list)\s*\(\s*(${NAME})\s*\)$`,
    "i",
  ),
  /^\\(?:d[tivmsnfuTEx]*\+?|l\+?|conninfo)(?:\s+([\w$.*]+))?$/,
];

/** The facts of one read-only introspection command, or undefined. */
function introspect(statement: string): Facts | undefined {
  const unquoted = statement.replace(/[`"]/g, "");
  if (/^USE\s+[\w$]+$/i.test(unquoted)) return new FactsBuilder().build();
  for (const pattern of READS) {
    const m = pattern.exec(unquoted);
    if (m === null) continue;
    const out = new FactsBuilder().flag("read");
    const table = m.slice(1).find((g) => g !== undefined && !g.includes("*"));
    if (table !== undefined) out.target("tables", table);
    return out.build();
  }
  return undefined;
}
