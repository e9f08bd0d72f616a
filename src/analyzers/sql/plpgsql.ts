import { constString } from "./evaluate.js";
import { message, type Scan } from "./scan.js";

/** PL/pgSQL statements that repeat their body: a DELETE/UPDATE inside runs an unknown number of times. */
const LOOPS = new Set([
  "PLpgSQL_stmt_loop",
  "PLpgSQL_stmt_while",
  "PLpgSQL_stmt_fori",
  "PLpgSQL_stmt_fors",
  "PLpgSQL_stmt_forc",
  "PLpgSQL_stmt_foreach_a",
  "PLpgSQL_stmt_dynfors",
]);

/** libpg-query's parse modes for PL/pgSQL expressions (PostgreSQL's RawParseMode). */
const MODE_DEFAULT = 0;
const MODE_EXPR = 2;
const MODE_ASSIGN = [3, 4, 5];

interface PlExpr {
  query?: string;
  parseMode?: number;
}

/**
 * Analyses the PL/pgSQL body of the `CREATE FUNCTION` or `DO` statement being walked. Every
 * SQL statement and expression in it is parsed and walked like top-level SQL. `EXECUTE` of a
 * constant string is analysed as SQL; of anything built at run time it is opaque. A body the
 * PL/pgSQL parser rejects is opaque (it resolves no catalogue, so `%ROWTYPE` field
 * assignments fail too).
 */
export function scanPlpgsql(scan: Scan, what: string): void {
  let tree: unknown;
  try {
    tree = scan.parser.parsePlpgsql(scan.statementText());
  } catch (error) {
    scan.opaque(`cannot parse the PL/pgSQL of ${what}: ${message(error)}`);
    return;
  }
  walkBody(tree, scan, what);
}

function walkBody(node: unknown, scan: Scan, what: string): void {
  if (typeof node !== "object" || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) walkBody(item, scan, what);
    return;
  }
  const record = node as Record<string, unknown>;
  for (const key in record) {
    const child = record[key] as Record<string, unknown> | null;
    if (typeof child !== "object" || child === null) continue;
    if (key === "PLpgSQL_expr") expression(child as PlExpr, scan, what);
    else if (key === "dynquery") dynamic(child, scan, what);
    else if (key === "PLpgSQL_stmt_dynexecute" || key === "PLpgSQL_stmt_dynfors") {
      const { query, ...rest } = child;
      dynamic(query, scan, what);
      inLoop(key, scan, () => walkBody(rest, scan, what));
    } else inLoop(key, scan, () => walkBody(child, scan, what));
  }
}

function inLoop(key: string, scan: Scan, walk: () => void): void {
  if (!LOOPS.has(key)) {
    walk();
    return;
  }
  scan.loops++;
  try {
    walk();
  } finally {
    scan.loops--;
  }
}

/** The SQL text of an expression, as a statement libpg-query's default mode can parse. */
function sqlOf(e: PlExpr): string | undefined {
  const query = e.query ?? "";
  const mode = e.parseMode ?? MODE_DEFAULT;
  if (mode === MODE_DEFAULT) return query;
  if (mode === MODE_EXPR) return `SELECT ${query}`;
  if (MODE_ASSIGN.includes(mode)) {
    const at = query.indexOf(":=");
    const rhs = at >= 0 ? query.slice(at + 2) : query.slice(query.indexOf("=") + 1);
    return `SELECT ${rhs}`;
  }
  return undefined;
}

function expression(e: PlExpr, scan: Scan, what: string): void {
  const sql = sqlOf(e);
  if (sql !== undefined) scan.nested(sql, what);
}

/** EXECUTE <expr>: a constant string is analysed as SQL; anything else is opaque. */
function dynamic(wrapper: unknown, scan: Scan, what: string): void {
  const e = (wrapper as { PLpgSQL_expr?: PlExpr } | undefined)?.PLpgSQL_expr;
  if (e === undefined) return;
  const sql = `SELECT ${e.query ?? ""}`;
  const tree = scan.parse(sql, what);
  const only = tree?.stmts?.length === 1 ? tree.stmts[0]?.stmt : undefined;
  const select = only !== undefined && "SelectStmt" in only ? only.SelectStmt : undefined;
  const target = select?.targetList?.length === 1 ? select.targetList[0] : undefined;
  const text = target && "ResTarget" in target ? constString(target.ResTarget.val) : undefined;
  if (text !== undefined) {
    scan.nested(text, `EXECUTE in ${what}`);
    return;
  }
  scan.opaque(`${what} runs SQL built at run time (EXECUTE)`);
  if (tree !== undefined) scan.nested(sql, what, tree);
}
