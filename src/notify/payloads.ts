import { DEFAULT_REDACTION, redactAction, redactString } from "../audit/redact.js";
import type { CategoryId } from "../core/catalogue.js";
import { deliveryId, type NotifyEvent, type NotifyEventType } from "./events.js";

/**
 * The bodies webhooks receive. Only fields that were redacted when recorded go in: the
 * request's action and reason, the findings' reasons, the entry's reason. They get a second pass
 * with the default rules anyway, because a payload leaves the machine (Slack, a chat log), and
 * an event built by hand must not be the way a secret gets there.
 */

export interface JsonPayload {
  type: NotifyEventType;
  /** `<audit seq>.<type>`: stable, for deduplication. */
  id: string;
  /** The audit entry's time, ISO 8601 UTC. */
  time: string;
  agent: string;
  approval?: {
    id: string;
    /** Redacted. */
    action: Record<string, unknown>;
    categories: CategoryId[];
    rules: string[];
    reason: string;
    quorum: number;
    /** ISO 8601 UTC. */
    expiresAt: string;
    url?: string;
  };
  quarantine?: { reason: string; url?: string };
}

export function jsonPayload(event: NotifyEvent): JsonPayload {
  const { entry } = event;
  const base = { type: event.type, id: deliveryId(event), time: entry.time, agent: entry.agent };
  const url = linkUrl(event.dashboardUrl);
  if (event.type === "agent.quarantined")
    return { ...base, quarantine: { reason: clean(entry.reason ?? ""), ...(url && { url }) } };
  const r = event.request;
  return {
    ...base,
    approval: {
      id: r.id,
      action: redactAction(r.action, DEFAULT_REDACTION),
      categories: [...r.categories],
      rules: [...r.rules],
      reason: clean(r.reason),
      quorum: r.quorum,
      expiresAt: new Date(r.expiresAt).toISOString(),
      ...(url && { url }),
    },
  };
}

/** Slack's incoming-webhook format (also read by Mattermost, Rocket.Chat and others). */
export interface SlackPayload {
  /** The fallback: notifications and clients that do not render blocks show this. */
  text: string;
  blocks: SlackBlock[];
}

export type SlackBlock =
  | { type: "section"; text: { type: "mrkdwn"; text: string } }
  | {
      type: "actions";
      elements: { type: "button"; text: { type: "plain_text"; text: string }; url: string }[];
    };

/** Slack rejects a section over 3000 characters; the action is cut well before that. */
const SECTION_MAX = 3000;
const SUMMARY_MAX = 1200;
const FINDINGS_MAX = 5;

export function slackPayload(event: NotifyEvent): SlackPayload {
  const { entry } = event;
  const agent = mrkdwn(entry.agent);
  let text: string;
  let lines: string[];
  if (event.type === "agent.quarantined") {
    const reason = mrkdwn(clean(entry.reason ?? ""));
    text = `Redline quarantined agent ${agent}: ${reason}`;
    lines = [
      `:no_entry: *Agent quarantined:* \`${agent}\``,
      `*Reason:* ${reason}`,
      "Every action of this agent is denied until a human resumes it.",
    ];
  } else {
    const r = event.request;
    const summary = summarizeAction(redactAction(r.action, DEFAULT_REDACTION));
    const reason = mrkdwn(clean(r.reason));
    text = `Redline: approval requested for ${agent} (${summary.label.toLowerCase()}): ${reason}`;
    lines = [
      `:raised_hand: *Approval requested* for agent \`${agent}\``,
      `*${summary.label}*`,
      codeBlock(summary.text),
      `*Categories:* ${r.categories.length > 0 ? r.categories.map(mrkdwn).join(", ") : "none"}`,
      `*Reason:* ${reason}`,
      ...findingLines(r.facts?.findings ?? []),
      `*Needs:* ${r.quorum} approval${r.quorum === 1 ? "" : "s"} · *Expires:* ${new Date(r.expiresAt).toISOString()}`,
      `*Approval id:* \`${mrkdwn(r.id)}\``,
    ];
  }
  const blocks: SlackBlock[] = [
    { type: "section", text: { type: "mrkdwn", text: truncate(lines.join("\n"), SECTION_MAX) } },
  ];
  const url = linkUrl(event.dashboardUrl);
  if (url)
    blocks.push({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "Open in Redline" }, url }],
    });
  return { text: truncate(text, SECTION_MAX), blocks };
}

/** What the action would do, in one line a human can judge: the command, SQL, request or tool. */
export function summarizeAction(action: Record<string, unknown>): { label: string; text: string } {
  const s = (k: string) => (typeof action[k] === "string" ? (action[k] as string) : "");
  switch (action.kind) {
    case "shell":
      return { label: "Command", text: s("command") };
    case "sql":
      return {
        label: "SQL",
        text: s("database") ? `-- on ${s("database")}\n${s("statement")}` : s("statement"),
      };
    case "http":
      return { label: "Request", text: `${s("method").toUpperCase()} ${s("url")}` };
    case "mcp":
      return { label: "MCP tool", text: `${s("server")} → ${s("tool")}` };
    case "tool":
      return { label: "Tool", text: s("tool") };
    default:
      return { label: "Action", text: typeof action.kind === "string" ? action.kind : "unknown" };
  }
}

function findingLines(findings: { reason: string }[]): string[] {
  const reasons = [...new Set(findings.map((f) => clean(f.reason)))];
  if (reasons.length === 0) return [];
  const shown = reasons.slice(0, FINDINGS_MAX).map((r) => `• ${mrkdwn(r)}`);
  if (reasons.length > FINDINGS_MAX) shown.push(`• and ${reasons.length - FINDINGS_MAX} more`);
  return ["*Findings:*", ...shown];
}

function clean(s: string): string {
  return redactString(s, DEFAULT_REDACTION);
}

/** Slack's three control characters; everything else in mrkdwn is literal enough. */
function mrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A fenced block the action cannot close early: a zero-width space breaks any ``` inside. */
function codeBlock(s: string): string {
  return `\`\`\`\n${truncate(mrkdwn(s).replace(/```/g, "`\u200b``"), SUMMARY_MAX)}\n\`\`\``;
}

/** Cuts escaped mrkdwn, never inside an entity (`&amp;` half cut would show as text). */
function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const more = ` … (${s.length - max} more characters)`;
  return s.slice(0, max - more.length).replace(/&[a-z]*$/, "") + more;
}

/** Only an http(s) URL becomes a link: Slack rejects anything else, and so should a receiver. */
function linkUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : undefined;
  } catch {
    return undefined;
  }
}
