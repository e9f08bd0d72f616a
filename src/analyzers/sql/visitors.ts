import type { CommonTableExpr } from "libpg-query";
import {
  visitAlterEventTrigger,
  visitAlterFunction,
  visitAlterRoleSet,
  visitAlterSystem,
  visitCreateRole,
  visitGrantRole,
  visitPolicy,
  visitSet,
} from "./access.js";
import {
  type Class,
  type NodeKind,
  type NodeOf,
  STATEMENT_CLASSES,
  type StatementKind,
} from "./classes.js";
import { visitCreateExtension, visitCreateFunction, visitCreateLanguage, visitDo } from "./code.js";
import {
  visitAlterDatabaseSet,
  visitAlterTable,
  visitCreate,
  visitCreateForeignTable,
  visitCreateTableAs,
  visitDatabase,
  visitDrop,
  visitDropdb,
  visitForeignServer,
  visitRename,
  visitSubscription,
} from "./ddl.js";
import {
  visitCopy,
  visitDelete,
  visitExecute,
  visitExplain,
  visitInsert,
  visitMerge,
  visitPrepare,
  visitRule,
  visitSelect,
  visitTruncate,
  visitUpdate,
} from "./dml.js";
import { visitFuncCall } from "./functions.js";
import type { Scan, Visitor } from "./scan.js";

type Handlers = { [K in NodeKind]?: (node: NodeOf<K>, scan: Scan) => void };

/** Statement kinds whose details matter; the rest are fully described by their class. */
const HANDLERS: Handlers = {
  SelectStmt: visitSelect,
  InsertStmt: visitInsert,
  UpdateStmt: visitUpdate,
  DeleteStmt: visitDelete,
  MergeStmt: visitMerge,
  TruncateStmt: visitTruncate,
  CopyStmt: visitCopy,
  ExplainStmt: visitExplain,
  PrepareStmt: visitPrepare,
  RuleStmt: visitRule,
  ExecuteStmt: visitExecute,
  DropStmt: visitDrop,
  DropdbStmt: visitDropdb,
  CreatedbStmt: visitDatabase,
  AlterDatabaseStmt: visitDatabase,
  AlterDatabaseSetStmt: visitAlterDatabaseSet,
  CreateStmt: visitCreate,
  CreateTableAsStmt: visitCreateTableAs,
  AlterTableStmt: visitAlterTable,
  RenameStmt: visitRename,
  CreateForeignTableStmt: visitCreateForeignTable,
  CreateForeignServerStmt: visitForeignServer,
  AlterForeignServerStmt: visitForeignServer,
  CreateSubscriptionStmt: visitSubscription,
  AlterSubscriptionStmt: visitSubscription,
  VariableSetStmt: visitSet,
  AlterSystemStmt: visitAlterSystem,
  AlterRoleSetStmt: visitAlterRoleSet,
  CreateRoleStmt: visitCreateRole,
  GrantRoleStmt: visitGrantRole,
  AlterEventTrigStmt: visitAlterEventTrigger,
  AlterFunctionStmt: visitAlterFunction,
  CreatePolicyStmt: visitPolicy,
  AlterPolicyStmt: visitPolicy,
  CreateFunctionStmt: visitCreateFunction,
  DoStmt: visitDo,
  CreatePLangStmt: visitCreateLanguage,
  CreateExtensionStmt: visitCreateExtension,
  // Expressions and clauses.
  FuncCall: visitFuncCall,
  CommonTableExpr: (cte: CommonTableExpr, scan: Scan) => {
    if (cte.ctename !== undefined) scan.cteNames.add(cte.ctename);
    scan.walk(cte);
  },
};

function applyClass(kind: string, c: Class, scan: Scan, handled: boolean): void {
  const [base, category, reason] = typeof c === "string" ? [c] : c;
  if (base === "read" || base === "write" || base === "ddl") scan.flag(base);
  if (category !== undefined && reason !== undefined) scan.add(category, reason);
  else if (base === "opaque" && !handled) scan.opaque(`${kind}: its effect is not visible`);
}

/** One visitor per node kind: the class's flags and red line, then the handler or a plain walk. */
export function buildVisitors(): ReadonlyMap<string, Visitor> {
  const visitors = new Map<string, Visitor>();
  for (const [kind, c] of Object.entries(STATEMENT_CLASSES) as [StatementKind, Class][]) {
    const handler = HANDLERS[kind] as Visitor | undefined;
    visitors.set(kind, (node, scan) => {
      applyClass(kind, c, scan, handler !== undefined);
      if (handler) handler(node, scan);
      else scan.walk(node);
    });
  }
  for (const [kind, handler] of Object.entries(HANDLERS))
    if (!visitors.has(kind)) visitors.set(kind, handler as Visitor);
  return visitors;
}
