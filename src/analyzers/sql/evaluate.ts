import type { A_Const, A_Expr, BoolExpr, Node } from "libpg-query";

/** A value that varies from row to row (it reads a column). */
export const ROW: unique symbol = Symbol("row");
/** A value that is the same for every row but unknown here (`$1`, `now()`). */
export const FREE: unique symbol = Symbol("free");
export type Scalar = boolean | number | string | null;
export type Value = Scalar | typeof ROW | typeof FREE;

export const NULL_NODE: Node = { A_Const: { isnull: true } };

/**
 * Constant folding of an expression with SQL's three-valued logic: the value when it is made
 * of constants, else ROW or FREE. Anything not understood is ROW if it mentions a column, FREE
 * if not: a function of constants is the same for every row.
 */
export function value(n: Node): Value {
  if ("A_Const" in n) return constant(n.A_Const);
  if ("ColumnRef" in n || "CurrentOfExpr" in n) return ROW;
  if ("ParamRef" in n) return FREE;
  if ("TypeCast" in n) {
    const v = value(n.TypeCast.arg ?? NULL_NODE);
    const type = lastString(n.TypeCast.typeName?.names);
    return isScalar(v) ? cast(v, type) : v;
  }
  if ("A_Expr" in n) return exprValue(n.A_Expr);
  if ("BoolExpr" in n) return boolValue(n.BoolExpr);
  if ("NullTest" in n) {
    const v = value(n.NullTest.arg ?? NULL_NODE);
    return isScalar(v) ? (v === null) === (n.NullTest.nulltesttype === "IS_NULL") : v;
  }
  if ("BooleanTest" in n) {
    const v = value(n.BooleanTest.arg ?? NULL_NODE);
    if (!isScalar(v)) return v;
    const test = n.BooleanTest.booltesttype ?? "";
    const is = test.includes("TRUE")
      ? v === true
      : test.includes("FALSE")
        ? v === false
        : v === null;
    return test.includes("_NOT_") ? !is : is;
  }
  return mentionsColumn(n) ? ROW : FREE;
}

function isScalar(v: Value): v is Scalar {
  return v !== ROW && v !== FREE;
}

/**
 * A string expression made only of constants (`'DROP TABLE ' || 'x'`), evaluated; also the
 * `String` node of an option's value.
 */
export function constString(n: Node | undefined): string | undefined {
  if (n !== undefined && "String" in n) return n.String.sval ?? "";
  const v = n === undefined ? undefined : value(n);
  return typeof v === "string" ? v : undefined;
}

/** Whether an expression reads a column anywhere (subqueries included). */
export function mentionsColumn(n: unknown): boolean {
  if (typeof n !== "object" || n === null) return false;
  if (Array.isArray(n)) return n.some(mentionsColumn);
  for (const k in n) {
    if (k === "ColumnRef") return true;
    if (mentionsColumn((n as Record<string, unknown>)[k])) return true;
  }
  return false;
}

/** Structural equality of two expressions, ignoring source positions. */
export function sameExpr(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const kx = Object.keys(x).filter((k) => k !== "location");
  const ky = Object.keys(y).filter((k) => k !== "location");
  return kx.length === ky.length && kx.every((k) => sameExpr(x[k], y[k]));
}

export function operator(e: A_Expr): string {
  return lastString(e.name) ?? "";
}

export function lastString(names: Node[] | undefined): string | undefined {
  const last = names?.[names.length - 1];
  return last !== undefined && "String" in last ? last.String.sval : undefined;
}

function constant(c: A_Const): Value {
  if (c.isnull) return null;
  if (c.ival) return c.ival.ival ?? 0;
  if (c.fval) return Number(c.fval.fval);
  if (c.boolval) return c.boolval.boolval ?? false;
  if (c.sval) return c.sval.sval ?? "";
  return FREE;
}

function boolValue(e: BoolExpr): Value {
  const vs = (e.args ?? []).map(value);
  if (e.boolop === "NOT_EXPR") {
    const v = vs[0] ?? null;
    return typeof v === "boolean" ? !v : v;
  }
  const and = e.boolop === "AND_EXPR";
  if (vs.includes(!and)) return !and; // AND with a false, OR with a true
  if (vs.includes(ROW)) return ROW;
  if (vs.includes(FREE)) return FREE;
  return vs.includes(null) ? null : and;
}

const TRUE_WORDS = new Set(["t", "true", "y", "yes", "on", "1"]);
const FALSE_WORDS = new Set(["f", "false", "n", "no", "off", "0"]);

function boolWord(s: string): Value {
  const w = s.trim().toLowerCase();
  return TRUE_WORDS.has(w) ? true : FALSE_WORDS.has(w) ? false : FREE;
}

function cast(v: Scalar, type: string | undefined): Value {
  if (v === null) return null;
  switch (type) {
    case "bool":
    case "boolean":
      if (typeof v === "boolean") return v;
      return typeof v === "number" ? v !== 0 : boolWord(v);
    case "int2":
    case "int4":
    case "int8":
    case "integer":
    case "numeric":
    case "float4":
    case "float8":
      return typeof v === "boolean" ? Number(v) : Number.isNaN(Number(v)) ? FREE : Number(v);
    case "text":
    case "varchar":
    case "bpchar":
    case "name":
      return String(v);
    default:
      return FREE;
  }
}

function exprValue(e: A_Expr): Value {
  const l = e.lexpr === undefined ? undefined : value(e.lexpr);
  const rs = listItems(e.rexpr).map(value);
  const all = l === undefined ? rs : [l, ...rs];
  if (all.includes(ROW)) return ROW;
  if (all.includes(FREE)) return FREE;
  const left = (l ?? null) as Scalar;
  const [r = null, r2 = null] = rs as Scalar[];
  const op = operator(e);
  switch (e.kind) {
    case "AEXPR_OP":
      return l === undefined ? unary(op, r) : binary(op, left, r);
    case "AEXPR_DISTINCT":
    case "AEXPR_NOT_DISTINCT": {
      const same = left === null || r === null ? left === r : binary("=", left, r) === true;
      return e.kind === "AEXPR_NOT_DISTINCT" ? same : !same;
    }
    case "AEXPR_IN": {
      const hit = (rs as Scalar[]).some((x) => binary("=", left, x) === true);
      return op === "<>" ? !hit : hit;
    }
    case "AEXPR_BETWEEN":
    case "AEXPR_NOT_BETWEEN": {
      const inside = binary(">=", left, r) === true && binary("<=", left, r2) === true;
      return e.kind === "AEXPR_BETWEEN" ? inside : !inside;
    }
    default:
      return FREE;
  }
}

function listItems(n: Node | undefined): Node[] {
  if (n === undefined) return [];
  return "List" in n ? (n.List.items ?? []) : [n];
}

function unary(op: string, v: Scalar): Value {
  if (typeof v !== "number") return v === null ? null : FREE;
  return op === "-" ? -v : op === "+" ? v : FREE;
}

function binary(op: string, l: Scalar, r: Scalar): Value {
  if (l === null || r === null) return null;
  if (op === "||") return String(l) + String(r);
  const [a, b] = coerce(l, r);
  if (a === FREE || b === FREE || a === null || b === null) return FREE;
  switch (op) {
    case "=":
      return a === b;
    case "<>":
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case ">":
      return a > b;
    case "<=":
      return a <= b;
    case ">=":
      return a >= b;
  }
  if (typeof a !== "number" || typeof b !== "number") return FREE;
  if (op === "+") return a + b;
  if (op === "-") return a - b;
  if (op === "*") return a * b;
  if (op === "/" && b !== 0)
    return Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b;
  if (op === "%" && b !== 0) return a % b;
  return FREE;
}

/** Literals meet as PostgreSQL's `unknown` type does: `'1' = 1` compares numbers. */
function coerce(l: Scalar, r: Scalar): [Scalar | typeof FREE, Scalar | typeof FREE] {
  if (typeof l === typeof r) return [l, r];
  const as = (s: Scalar, like: Scalar): Scalar | typeof FREE => {
    if (typeof s !== "string") return FREE;
    if (typeof like === "number") return Number.isNaN(Number(s)) ? FREE : Number(s);
    if (typeof like === "boolean") {
      const b = boolWord(s);
      return b === FREE ? FREE : (b as boolean);
    }
    return FREE;
  };
  return typeof l === "string" ? [as(l, r), r] : [l, as(r, l)];
}
