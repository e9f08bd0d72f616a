import { actionSummary, byId, clip, clock, dateTime, h, pretty } from "./dom.js";

const KEEP = 500;

const GROUPS = [
  ["approval.*", "Approvals (all)"],
  ["agent.*", "Agents (all)"],
  ["panic.*", "Kill switch (all)"],
  ["token.*", "Tokens (all)"],
  ["approver.*", "Approvers (all)"],
];

/**
 * The live audit feed: newest on top, the last 500 entries, filtered in the browser by kind,
 * agent and decision. Filled from GET /v1/audit, then fed by the event stream.
 */
export class Feed {
  /** @param {import("./api.js").Api} api */
  constructor(api) {
    this.api = api;
    /** Newest first. */
    this.entries = [];
    this.lastSeq = 0;
    this.rows = byId("feed-rows");
    this.shown = byId("feed-count");
    this.kind = /** @type {HTMLSelectElement} */ (byId("filter-kind"));
    this.agent = /** @type {HTMLSelectElement} */ (byId("filter-agent"));
    this.decision = /** @type {HTMLSelectElement} */ (byId("filter-decision"));
    this.agents = new Set();
    /** Action hash → the action, from entries that carry it, for those that only name the hash. */
    this.actions = new Map();
    this.onFilter = () => this.render();
    for (const el of [this.kind, this.agent, this.decision])
      el.addEventListener("change", this.onFilter);
  }

  stop() {
    for (const el of [this.kind, this.agent, this.decision])
      el.removeEventListener("change", this.onFilter);
    this.entries = [];
    this.rows.replaceChildren();
  }

  /** The kind filter's choices: every entry kind, as the server's OpenAPI document lists them. */
  async fillKinds() {
    if (this.kind.options.length > 1) return;
    const doc = await this.api.get("/openapi.json");
    const kinds = doc?.components?.schemas?.AuditEntry?.properties?.kind?.enum ?? [];
    if (this.kind.options.length > 1) return;
    this.kind.append(
      h(
        "optgroup",
        { label: "Groups" },
        GROUPS.map(([v, l]) => h("option", { value: v }, l)),
      ),
      h(
        "optgroup",
        { label: "Kinds" },
        kinds.map((k) => h("option", { value: k }, k)),
      ),
    );
  }

  async fill() {
    const [{ entries }] = await Promise.all([
      this.api.get("/v1/audit?limit=100"),
      this.fillKinds(),
    ]);
    const sorted = [...(entries ?? [])].sort((a, b) => b.seq - a.seq);
    this.entries = sorted;
    this.lastSeq = sorted[0]?.seq ?? 0;
    for (const e of [...sorted].reverse()) this.note(e);
    this.render();
  }

  /** One entry from the stream; anything at or below the last seq is a replay already shown. */
  add(e) {
    if (typeof e.seq !== "number" || e.seq <= this.lastSeq) return;
    this.lastSeq = e.seq;
    this.entries.unshift(e);
    if (this.entries.length > KEEP) this.entries.length = KEEP;
    this.note(e);
    if (this.matches(e)) {
      this.rows.prepend(this.row(e, true));
      while (this.rows.children.length > KEEP) this.rows.lastElementChild?.remove();
    }
    this.count();
  }

  note(e) {
    this.noteAgent(e.agent);
    if (e.action && e.actionHash) {
      this.actions.set(e.actionHash, e.action);
      if (this.actions.size > KEEP) this.actions.delete(this.actions.keys().next().value);
    }
  }

  /** Agents named by the policy (from GET /v1/agents) and by the log fill the agent filter. */
  noteAgent(agent) {
    if (!agent || agent === "-" || this.agents.has(agent)) return;
    this.agents.add(agent);
    const options = [...this.agents].sort().map((a) => h("option", { value: a }, a));
    const keep = this.agent.value;
    this.agent.replaceChildren(h("option", { value: "" }, "All agents"), ...options);
    this.agent.value = keep;
  }

  matches(e) {
    const kind = this.kind.value;
    if (kind) {
      if (kind.endsWith(".*")) {
        if (!e.kind.startsWith(kind.slice(0, -1))) return false;
      } else if (e.kind !== kind) return false;
    }
    if (this.agent.value && e.agent !== this.agent.value) return false;
    if (this.decision.value && e.decision !== this.decision.value) return false;
    return true;
  }

  render() {
    this.rows.replaceChildren(
      ...this.entries.filter((e) => this.matches(e)).map((e) => this.row(e)),
    );
    this.count();
  }

  count() {
    const n = this.rows.children.length;
    this.shown.textContent =
      n === this.entries.length
        ? `${n} entries`
        : `${n} of ${this.entries.length} entries match the filters`;
  }

  row(e, fresh = false) {
    return h(
      "tr",
      { class: fresh ? "fresh" : undefined, dataset: { seq: String(e.seq), kind: e.kind } },
      h("td", { class: "num" }, String(e.seq)),
      h(
        "td",
        { class: "time" },
        h("time", { datetime: e.time, title: dateTime(e.time) }, clock(e.time)),
      ),
      h("td", {}, h("span", { class: `kind k-${kindClass(e.kind)}` }, e.kind)),
      h(
        "td",
        { class: e.agent === "-" || e.agent === "*" ? "agent-cell muted" : "agent-cell" },
        e.agent === "-" ? "—" : e.agent === "*" ? "every agent" : e.agent,
      ),
      h(
        "td",
        { class: "detail" },
        e.decision && h("span", { class: `decision d-${e.decision}` }, e.decision),
        e.decision && " ",
        h("span", { class: "summary" }, summarize(e, e.action ?? this.actions.get(e.actionHash))),
        h("details", {}, h("summary", {}, "Entry"), h("pre", {}, pretty(e))),
      ),
    );
  }
}

function kindClass(kind) {
  if (kind === "decision") return "decision";
  if (kind === "approval.granted" || kind === "approval.used" || kind === "completed")
    return "good";
  if (kind.startsWith("approval.")) return "approval";
  if (kind.startsWith("panic.") || kind.startsWith("agent.") || kind === "failed") return "alarm";
  if (kind.endsWith(".refused")) return "alarm";
  return "plain";
}

/** One line: what the action was, then the reason and the entry's own details. */
function summarize(e, action) {
  const parts = [];
  const s = actionSummary(action);
  if (s) {
    let text = s.text;
    if (action.kind === "mcp" || action.kind === "tool")
      text += ` ${JSON.stringify(action.arguments ?? {})}`;
    parts.push(text);
  }
  if (e.categories?.length) parts.push(`[${e.categories.join(", ")}]`);
  const d = e.data ?? {};
  if (d.approval) parts.push(`request ${d.approval}`);
  if (typeof d.decisionSeq === "number") parts.push(`(decision ${d.decisionSeq})`);
  // In approval entries the approver is who acted; elsewhere (approver.added) who it is about.
  if (d.approver)
    parts.push(e.kind.startsWith("approval.") ? `by ${d.approver}` : `approver ${d.approver}`);
  if (d.by && !(e.kind.startsWith("approval.") && d.approver)) parts.push(`by ${d.by}`);
  if (d.code) parts.push(`code ${d.code}`);
  if (d.comment) parts.push(`“${d.comment}”`);
  if (d.error)
    parts.push(`error: ${typeof d.error === "string" ? d.error : JSON.stringify(d.error)}`);
  if (e.reason && e.kind !== "approval.requested") parts.push(`— ${e.reason}`);
  return clip(parts.join(" "), 240);
}
