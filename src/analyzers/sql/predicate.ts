import type { A_Expr, BoolExpr, Node, SubLink } from "libpg-query";
import {
  constString,
  lastString,
  NULL_NODE,
  operator,
  ROW,
  sameExpr,
  type Value,
  value,
} from "./evaluate.js";

/**
 * Does a WHERE clause bound a DELETE/UPDATE? Decided on the AST, by constant folding
 * (evaluate.ts) and by the shape of comparisons, never by matching text:
 * - `always`: true for every row (`1=1`, `NOT false`, `x = x`, `a IS NULL OR a IS NOT NULL`,
 *   `name LIKE '%'`, `... OR 2 > 1`). Rows where a reflexive comparison is NULL are ignored:
 *   the statement still hits (almost) everything.
 * - `never`: true for no row (`false`, `1 = 0`).
 * - `free`: the same for every row (`$1`, `now() > '2020-01-01'`, an uncorrelated subquery):
 *   all rows or none, as dangerous as no WHERE at all. So is `OR` with such a disjunct.
 * - `row`: a real predicate.
 */
export type Truth = "always" | "never" | "free" | "row";

/** Why a DELETE/UPDATE WHERE clause does not bound it, or undefined when it does. */
export function unboundedBy(where: Node | undefined, table: string): string | undefined {
  if (where === undefined) return "without WHERE";
  const t = truth(where, table);
  if (t === "always") return "with an always-true WHERE";
  if (t === "free") return "with a WHERE that does not depend on the row";
  return undefined;
}

/** `table` is the statement's target, for `id IN (SELECT id FROM <table>)`. */
export function truth(n: Node, table = ""): Truth {
  if ("BoolExpr" in n) return boolTruth(n.BoolExpr, table);
  if ("A_Expr" in n) {
    const t = comparisonTruth(n.A_Expr);
    if (t !== undefined) return t;
  }
  if ("NullTest" in n && n.NullTest.nulltesttype === "IS_NOT_NULL" && isIdColumn(n.NullTest.arg))
    return "always";
  if ("SubLink" in n && selfMembership(n.SubLink, table)) return "always";
  if ("BooleanTest" in n) {
    const inner = truth(n.BooleanTest.arg ?? NULL_NODE, table);
    const test = n.BooleanTest.booltesttype ?? "";
    const positive = test === "IS_TRUE" || test === "IS_NOT_FALSE" || test === "IS_NOT_UNKNOWN";
    if (inner === "always") return positive ? "always" : "never";
    if (inner === "never" && (test === "IS_TRUE" || test === "IS_NOT_TRUE"))
      return test === "IS_TRUE" ? "never" : "always";
    return inner === "row" ? "row" : "free"; // FALSE vs NULL is unknown here: assume the worst
  }
  return valueTruth(value(n));
}

function valueTruth(v: Value): Truth {
  if (v === ROW) return "row";
  if (v === true) return "always";
  if (v === false || v === null) return "never";
  return "free"; // FREE, or a non-boolean constant the server would reject anyway
}

function boolTruth(e: BoolExpr, table: string): Truth {
  const args = e.args ?? [];
  if (e.boolop === "NOT_EXPR") {
    const t = truth(args[0] ?? NULL_NODE, table);
    return t === "always" ? "never" : t === "never" ? "always" : t;
  }
  if (e.boolop === "AND_EXPR") {
    const ts = args.map((a) => truth(a, table));
    if (ts.includes("never")) return "never";
    if (ts.every((t) => t === "always")) return "always";
    return ts.includes("row") ? "row" : "free";
  }
  const disjuncts = flattenOr(args);
  const ts = disjuncts.map((d) => truth(d, table));
  if (ts.includes("always")) return "always";
  if (ts.includes("free")) return "free";
  if (ts.every((t) => t === "never")) return "never";
  for (let i = 0; i < disjuncts.length; i++)
    for (let j = i + 1; j < disjuncts.length; j++)
      if (complementary(disjuncts[i] as Node, disjuncts[j] as Node)) return "always";
  return "row";
}

function flattenOr(args: Node[]): Node[] {
  return args.flatMap((a) =>
    "BoolExpr" in a && a.BoolExpr.boolop === "OR_EXPR" ? flattenOr(a.BoolExpr.args ?? []) : [a],
  );
}

const NEGATED_OP: Record<string, string> = {
  "=": "<>",
  "<>": "=",
  "!=": "=",
  "<": ">=",
  ">=": "<",
  ">": "<=",
  "<=": ">",
  "~~": "!~~",
  "!~~": "~~",
  "~~*": "!~~*",
  "!~~*": "~~*",
};

const OPPOSITE_KINDS = new Set([
  "AEXPR_BETWEEN AEXPR_NOT_BETWEEN",
  "AEXPR_NOT_BETWEEN AEXPR_BETWEEN",
  "AEXPR_DISTINCT AEXPR_NOT_DISTINCT",
  "AEXPR_NOT_DISTINCT AEXPR_DISTINCT",
]);

/** `p` and `NOT p`, `x IS NULL` and `x IS NOT NULL`, `a < b` and `a >= b`... */
function complementary(a: Node, b: Node): boolean {
  if ("BoolExpr" in a && a.BoolExpr.boolop === "NOT_EXPR") return sameExpr(a.BoolExpr.args?.[0], b);
  if ("BoolExpr" in b && b.BoolExpr.boolop === "NOT_EXPR") return sameExpr(b.BoolExpr.args?.[0], a);
  if ("NullTest" in a && "NullTest" in b)
    return (
      a.NullTest.nulltesttype !== b.NullTest.nulltesttype &&
      sameExpr(a.NullTest.arg, b.NullTest.arg)
    );
  if (!("A_Expr" in a) || !("A_Expr" in b)) return false;
  const x = a.A_Expr;
  const y = b.A_Expr;
  if (!sameExpr(x.lexpr, y.lexpr) || !sameExpr(x.rexpr, y.rexpr)) return false;
  if (x.kind !== y.kind) return OPPOSITE_KINDS.has(`${x.kind} ${y.kind}`);
  return NEGATED_OP[operator(x)] === operator(y) || (operator(x) === "=" && operator(y) === "!=");
}

const MATCH_ALL_REGEX = new Set(["", ".*", "^", "^.*", ".*$", "^.*$"]);

/** Truths that come from the shape of a comparison, not from constant values. */
function comparisonTruth(e: A_Expr): Truth | undefined {
  const op = operator(e);
  const same = e.lexpr !== undefined && sameExpr(e.lexpr, e.rexpr);
  switch (e.kind) {
    case "AEXPR_OP":
      if (same && (op === "=" || op === "<=" || op === ">=")) return "always";
      if (same && (op === "<>" || op === "!=" || op === "<" || op === ">")) return "never";
      if ((op === "~" || op === "~*") && MATCH_ALL_REGEX.has(constString(e.rexpr) ?? "-"))
        return "always";
      return conventionTruth(e, op);
    case "AEXPR_NOT_DISTINCT":
      return same ? "always" : undefined;
    case "AEXPR_DISTINCT":
      return same ? "never" : undefined;
    case "AEXPR_LIKE":
    case "AEXPR_ILIKE":
      if (!/^%+$/.test(constString(e.rexpr) ?? "")) return undefined;
      return op.startsWith("!") ? "never" : "always";
    default:
      return undefined;
  }
}

const MIRROR: Record<string, string> = { ">": "<", "<": ">", ">=": "<=", "<=": ">=" };

/**
 * Comparisons that match every row by convention, the classic ways past "safe update" checks:
 * `id > 0`, `id >= 1`, `id <> 0`, `id IS NOT NULL` on a column named `id` (keys are
 * positive), and `created_at < now()` (creation times are in the past).
 */
function conventionTruth(e: A_Expr, op: string): Truth | undefined {
  const flipped = !isColumn(e.lexpr) && isColumn(e.rexpr);
  const column = flipped ? e.rexpr : e.lexpr;
  const other = flipped ? e.lexpr : e.rexpr;
  const o = flipped ? (MIRROR[op] ?? op) : op;
  if (isIdColumn(column)) {
    const k = value(other ?? NULL_NODE);
    if (typeof k !== "number") return undefined;
    if ((o === ">" && k <= 0) || (o === ">=" && k <= 1) || ((o === "<>" || o === "!=") && k <= 0))
      return "always";
  }
  if (PAST_COLUMN.test(columnName(column) ?? "") && (o === "<" || o === "<=") && isNow(other))
    return "always";
  return undefined;
}

const PAST_COLUMN = /^(created|inserted|updated|modified)(_?at|_on|_date|_time)?$/i;

function isNow(n: Node | undefined): boolean {
  if (n === undefined) return false;
  if ("SQLValueFunction" in n)
    return /^SVFOP_(CURRENT_TIMESTAMP|LOCALTIMESTAMP|CURRENT_DATE)/.test(
      n.SQLValueFunction.op ?? "",
    );
  if ("FuncCall" in n)
    return ["now", "clock_timestamp", "statement_timestamp", "transaction_timestamp"].includes(
      lastString(n.FuncCall.funcname) ?? "",
    );
  return false;
}

function isColumn(n: Node | undefined): boolean {
  return n !== undefined && "ColumnRef" in n;
}

function columnName(n: Node | undefined): string | undefined {
  return n !== undefined && "ColumnRef" in n ? lastString(n.ColumnRef.fields) : undefined;
}

function isIdColumn(n: Node | undefined): boolean {
  return columnName(n) === "id";
}

/** `id IN (SELECT id FROM same_table)` with no filter: every row is its own member. */
function selfMembership(l: SubLink, table: string): boolean {
  if (l.subLinkType !== "ANY_SUBLINK" || table === "" || l.subselect === undefined) return false;
  if (!("SelectStmt" in l.subselect)) return false;
  const q = l.subselect.SelectStmt;
  if (q.whereClause || q.limitCount || q.havingClause || q.groupClause || q.op !== "SETOP_NONE")
    return false;
  const from = q.fromClause?.length === 1 ? q.fromClause[0] : undefined;
  const only = q.targetList?.length === 1 ? q.targetList[0] : undefined;
  const relname = table.slice(table.lastIndexOf(".") + 1);
  if (from === undefined || !("RangeVar" in from) || from.RangeVar.relname !== relname)
    return false;
  if (only === undefined || !("ResTarget" in only)) return false;
  const name = columnName(only.ResTarget.val);
  return name !== undefined && name === columnName(l.testexpr);
}
