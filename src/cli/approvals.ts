import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  APPROVAL_STATUSES,
  type ApprovalRequest,
  type ApprovalStatus,
} from "../approvals/rules.js";
import { ApprovalService } from "../approvals/service.js";
import { authenticateApprover } from "../identity/approvers.js";
import { openSqliteStore, type SqliteStateStore } from "../store/sqlite/open.js";
import { resolveStateDir, STATE_DIR_ENV } from "../store/state-dir.js";
import { UsageError } from "./errors.js";

export const APPROVER_SECRET_ENV = "REDLINE_APPROVER_SECRET";

interface Common {
  stateDir?: string;
  json?: boolean;
}

/**
 * `redline approvals list|show|approve|deny`: the human side of a held action, on the state
 * directory the enforcement points share. Voting needs an approver secret (never an agent
 * token); every vote and every refusal is in the audit log.
 */
export function registerApprovalCommands(program: Command, setExit: (code: number) => void): void {
  const approvals = program
    .command("approvals")
    .description("Approval requests of held actions: list, show, approve, deny");
  const common = (c: Command) =>
    c
      .option("--state-dir <dir>", `state directory (default: $${STATE_DIR_ENV}, else ./.redline)`)
      .option("--json", "print JSON");
  const voting = (c: Command) =>
    common(c)
      .option(
        "--secret-file <file>",
        `read the approver secret from FILE (default: $${APPROVER_SECRET_ENV})`,
      )
      .option("-m, --comment <text>", "why (recorded in the audit log)");

  common(
    approvals
      .command("list")
      .description("Requests, newest first (default: the pending ones)")
      .option("--status <status>", `one of ${APPROVAL_STATUSES.join(", ")}, or all`, "pending")
      .option("--agent <id>", "only this agent's"),
  ).action(async (o: Common & { status: string; agent?: string }) =>
    setExit(
      await withStore(o, async (store) => {
        if (o.status !== "all" && !APPROVAL_STATUSES.includes(o.status as ApprovalStatus))
          throw new UsageError(
            `--status ${o.status}: expected one of ${APPROVAL_STATUSES.join(", ")}, or all`,
          );
        const list = await store.approvals.list({
          ...(o.status === "all" ? {} : { status: o.status as ApprovalStatus }),
          ...(o.agent ? { agent: o.agent } : {}),
        });
        if (o.json) process.stdout.write(`${JSON.stringify(list)}\n`);
        else if (list.length === 0)
          process.stdout.write(`no ${o.status === "all" ? "" : `${o.status} `}requests\n`);
        else for (const r of list) process.stdout.write(`${line(r)}\n`);
        return 0;
      }),
    ),
  );

  common(
    approvals
      .command("show")
      .description("One request in full: the action, what the analyzers found, the votes")
      .argument("<id>", "request id (apr_...)"),
  ).action(async (id: string, o: Common) =>
    setExit(
      await withStore(o, async (store) => {
        const r = await store.approvals.get(id);
        if (!r) throw new UsageError(`no approval request '${id}'`);
        process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : `${detail(r)}\n`);
        return 0;
      }),
    ),
  );

  for (const verdict of ["approve", "deny"] as const) {
    voting(
      approvals
        .command(verdict)
        .description(
          verdict === "approve"
            ? "Approve a request (it runs once, when quorum is met)"
            : "Deny a request (any denial vetoes it)",
        )
        .argument("<id>", "request id (apr_...)"),
    ).action(async (id: string, o: Common & { secretFile?: string; comment?: string }) =>
      setExit(
        await withStore(o, async (store) => {
          const auth = await authenticateApprover(
            store.approvers,
            store.audit,
            secret(o.secretFile),
            Date.now(),
          );
          if (!auth.ok) {
            process.stderr.write(`redline: refused: ${auth.refusal.reason}\n`);
            return 1;
          }
          const r = await new ApprovalService(store).vote(
            id,
            auth.approver.id,
            verdict,
            o.comment,
            Date.now(),
          );
          if (!r.ok) {
            process.stderr.write(`redline: refused (${r.refusal.code}): ${r.refusal.reason}\n`);
            return 1;
          }
          process.stdout.write(o.json ? `${JSON.stringify(r.request)}\n` : `${line(r.request)}\n`);
          return 0;
        }),
      ),
    );
  }
}

function secret(file: string | undefined): string {
  if (file) {
    try {
      return readFileSync(file, "utf8").trim();
    } catch (error) {
      throw new UsageError(
        `cannot read --secret-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
  const s = process.env[APPROVER_SECRET_ENV];
  if (!s)
    throw new UsageError(
      `voting needs an approver secret: $${APPROVER_SECRET_ENV} or --secret-file (from redline approvers add)`,
    );
  return s;
}

function line(r: ApprovalRequest): string {
  const a = r.action as {
    kind?: string;
    server?: string;
    tool?: string;
    command?: string;
    statement?: string;
    url?: string;
  };
  const what = a.command ?? a.statement ?? a.url ?? [a.server, a.tool].filter(Boolean).join(" ");
  const votes = r.votes.filter((v) => v.verdict === "approve").length;
  return `${r.id}  ${r.status.padEnd(9)} ${r.agent}  ${a.kind ?? "?"}: ${what}  [${r.categories.join(", ") || r.rules.join(", ")}]  ${votes}/${r.quorum}  expires ${new Date(r.expiresAt).toISOString()}`;
}

function detail(r: ApprovalRequest): string {
  const out = [
    line(r),
    `reason:   ${r.reason}`,
    `action:   ${JSON.stringify(r.action, null, 2).replace(/\n/g, "\n          ")}`,
    `hash:     ${r.actionHash}`,
  ];
  for (const f of r.facts?.findings ?? []) out.push(`finding:  ${f.category}: ${f.reason}`);
  for (const v of r.votes)
    out.push(
      `vote:     ${v.approver} ${v.verdict} at ${new Date(v.at).toISOString()}${v.comment ? `: ${v.comment}` : ""}`,
    );
  if (r.statusReason) out.push(`status:   ${r.statusReason}`);
  return out.join("\n");
}

async function withStore(
  o: Common,
  f: (store: SqliteStateStore) => Promise<number>,
): Promise<number> {
  const dir = resolveStateDir(o.stateDir);
  let store: SqliteStateStore;
  try {
    store = openSqliteStore({ dir });
  } catch (error) {
    throw new UsageError(`cannot open the state directory ${dir}: ${(error as Error).message}`);
  }
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}
