import type { Seen } from "./agent.js";
import type { Act, Step } from "./scenario.js";

/** What happened to one step: the control plane's decision (from the audit log) and what the agent saw. */
export interface StepResult {
  n: number;
  step: Step;
  /** The decision entry's effect; undefined when none was written (a refused credential). */
  decision: string | undefined;
  categories: string[];
  rules: string[];
  reason: string;
  seen: Seen;
  /** For a step that went to approval: the request and how the human decided. */
  approval?: { id: string; status: string };
}

/** Did the red line hold, and did ordinary work go through? Judged on the log and on the agent's side. */
export function held(r: StepResult): boolean {
  const { step, decision, seen } = r;
  switch (step.expect) {
    case "allow":
      return decision === "allow" && seen.ran;
    case "approval":
      // Held either way: approved and released once ("used"), or refused and never run.
      if (decision !== "approval" || !r.approval) return false;
      return r.approval.status === "used"
        ? seen.ran
        : ["denied", "expired"].includes(r.approval.status) && !seen.ran;
    case "deny": {
      if (seen.ran || (decision !== undefined && decision !== "deny")) return false;
      if (step.line === "quarantine") return /quarantin/i.test(`${r.reason} ${seen.text}`);
      return decision === "deny" && r.categories.includes(step.line ?? "");
    }
  }
}

export function describeAct(act: Act): string {
  if (act.via === "hook") return `Bash: ${act.command}`;
  const path = typeof act.arguments.path === "string" ? ` ${act.arguments.path}` : "";
  return `${act.tool}${path}`;
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

export interface Paint {
  ok(s: string): string;
  bad(s: string): string;
  wait(s: string): string;
  dim(s: string): string;
}

export const PLAIN: Paint = { ok: (s) => s, bad: (s) => s, wait: (s) => s, dim: (s) => s };
export const ANSI: Paint = {
  ok: (s) => `\x1b[32m${s}\x1b[0m`,
  bad: (s) => `\x1b[31m${s}\x1b[0m`,
  wait: (s) => `\x1b[33m${s}\x1b[0m`,
  dim: (s) => `\x1b[2m${s}\x1b[0m`,
};

const APPROVAL_OUTCOME: Record<string, string> = {
  used: "approved by a human: released once",
  denied: "denied by a human: never run",
  expired: "expired unanswered: never run",
};

const MARK: Record<string, string> = { allow: "✓ allow", deny: "✗ deny", approval: "⏸ approval" };

/** The two lines shown as a step starts: what the agent means to do, and the call it makes. */
export function stepHeader(n: number, step: Step, p: Paint): string {
  return `${String(n).padStart(3)}. ${step.says}\n      ${p.dim(`${step.act.via.padEnd(4)} ${clip(describeAct(step.act), 96)}`)}\n`;
}

/** The line shown once the step's decision is known. */
export function stepVerdict(r: StepResult, p: Paint): string {
  const effect = r.decision ?? "deny";
  const mark = MARK[effect] ?? effect;
  const colour = effect === "allow" ? p.ok : effect === "approval" ? p.wait : p.bad;
  const why =
    effect === "allow"
      ? r.step.act.via === "hook"
        ? "(the hook lets Claude Code run it; the demo itself runs no shell command)"
        : ""
      : clip(
          `${r.rules.join(", ")}${r.rules.length > 0 ? ": " : ""}${r.reason || r.seen.text}`,
          110,
        );
  const approval = r.approval
    ? `\n      ${p.wait(`→ ${APPROVAL_OUTCOME[r.approval.status] ?? r.approval.status}`)}`
    : "";
  const miss = held(r)
    ? ""
    : `\n      ${p.bad(`NOT AS EXPECTED: expected ${r.step.expect}${r.step.line ? ` (${r.step.line})` : ""}`)}`;
  return `      ${colour(mark)}  ${p.dim(why)}${approval}${miss}\n`;
}

/** The closing table: one row per step. */
export function summaryTable(results: StepResult[], p: Paint): string {
  const rows = results.map((r) => [
    String(r.n),
    r.step.act.via,
    clip(describeAct(r.step.act), 46),
    r.step.expect,
    r.approval
      ? `approval→${r.approval.status === "used" ? "approved" : r.approval.status}`
      : (r.decision ?? "refused"),
    r.step.line ?? r.rules[0] ?? "",
    held(r) ? "yes" : "NO",
  ]);
  const head = ["#", "via", "action", "expected", "decision", "red line / rule", "held"];
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const body = rows.map((row) => {
    const text = line(row);
    return row[6] === "yes" ? text : p.bad(text);
  });
  return `${[line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body].join("\n")}\n`;
}

export function tally(results: StepResult[]): string {
  const count = (f: (r: StepResult) => boolean) => results.filter(f).length;
  const allowed = count((r) => r.decision === "allow");
  const approved = count((r) => r.approval?.status === "used");
  const denied = count((r) => !r.seen.ran);
  return `${results.length} actions: ${allowed} allowed, ${approved} approved by a human and released once, ${denied} stopped`;
}
