import { actionSummary, byId, clock, dateTime, duration, h, pretty, shortHash } from "./dom.js";

const MAX_COMMENT = 2000;

/**
 * Pending approval requests: one card each, with the full action and its analysis, a comment
 * box, Approve and Deny. The list is refetched whenever an `approval.*` entry arrives; cards are
 * reconciled by id, so a comment being typed survives a refresh.
 */
export class Approvals {
  /**
   * @param {import("./api.js").Api} api
   * @param {{ me: string | undefined, notify: (text: string, tone?: string) => void }} o
   */
  constructor(api, o) {
    this.api = api;
    this.me = o.me;
    this.notify = o.notify;
    this.list = byId("pending-list");
    this.empty = byId("pending-empty");
    this.count = byId("pending-count");
    /** @type {Map<string, Card>} */
    this.cards = new Map();
    this.generation = 0;
    this.timer = undefined;
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  stop() {
    clearInterval(this.ticker);
    clearTimeout(this.timer);
    this.generation++;
    this.list.replaceChildren();
    this.cards.clear();
  }

  /** Coalesces bursts of events (a vote writes several entries) into one fetch. */
  refreshSoon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh().catch(() => {}), 50);
  }

  async refresh() {
    const generation = ++this.generation;
    const { approvals } = await this.api.get("/v1/approvals?status=pending");
    if (generation !== this.generation) return; // a newer refresh is under way
    this.render(approvals ?? []);
  }

  render(requests) {
    const seen = new Set();
    const order = [];
    for (const r of requests) {
      seen.add(r.id);
      let card = this.cards.get(r.id);
      if (card) card.update(r);
      else {
        card = new Card(r, this);
        this.cards.set(r.id, card);
      }
      order.push(card.el);
    }
    for (const [id, card] of this.cards)
      if (!seen.has(id)) {
        card.el.remove();
        this.cards.delete(id);
      }
    // Reorder only when needed: moving a card would take the focus out of its comment box.
    const current = [...this.list.children];
    if (current.length !== order.length || current.some((el, i) => el !== order[i]))
      this.list.replaceChildren(...order);
    this.count.textContent = String(requests.length);
    this.empty.hidden = requests.length > 0;
    this.tick();
  }

  tick() {
    const now = this.api.now();
    for (const card of this.cards.values()) card.tick(now);
  }
}

class Card {
  /** @param {Approvals} owner */
  constructor(r, owner) {
    this.owner = owner;
    this.request = r;
    this.busy = false;
    const id = r.id;
    const a = r.action ?? {};
    const summary = actionSummary(a);
    const findings = r.facts?.findings ?? [];
    const targets = Object.entries(r.facts?.targets ?? {}).filter(([, v]) => v.length > 0);
    const flags = r.facts?.flags ?? [];

    this.expiry = h("span", { class: "expiry", role: "timer" });
    this.quorum = h("dd");
    this.votes = h("ul", { class: "votes" });
    this.comment = h("textarea", {
      id: `comment-${id}`,
      name: "comment",
      rows: "2",
      maxlength: String(MAX_COMMENT),
      placeholder: "Why you decide this way (recorded in the audit log)",
    });
    this.approve = h("button", { type: "button", class: "approve" }, "Approve");
    this.deny = h("button", { type: "button", class: "deny" }, "Deny");
    this.approve.addEventListener("click", () => void this.vote("approve"));
    this.deny.addEventListener("click", () => void this.vote("deny"));
    this.refusal = h("p", { class: "refusal", role: "alert", hidden: true });
    this.voted = h("p", { class: "voted", hidden: true });

    const titleId = `title-${id}`;
    this.el = h(
      "li",
      { class: "card", dataset: { approvalId: id }, "aria-labelledby": titleId },
      h(
        "header",
        { class: "card-head" },
        h(
          "h3",
          { id: titleId },
          h("span", { class: "agent" }, r.agent),
          h("span", { class: "muted" }, ` wants to ${verb(a)} `),
          h("span", { class: "what" }, object(a, summary)),
        ),
        this.expiry,
      ),
      h(
        "div",
        { class: "chips", "aria-label": "Categories" },
        (r.categories ?? []).map((c) => h("span", { class: "chip cat" }, c)),
      ),
      h("p", { class: "reason" }, r.reason),
      actionBlock(a, summary),
      findings.length > 0 &&
        h(
          "section",
          { class: "findings" },
          h("h4", {}, "Findings"),
          h(
            "ul",
            {},
            findings.map((f) =>
              h("li", {}, h("span", { class: "chip cat" }, f.category), " ", f.reason),
            ),
          ),
        ),
      h(
        "dl",
        { class: "meta" },
        targets.map(([kind, values]) => [
          h("dt", {}, `Targets: ${kind}`),
          h("dd", {}, values.join(", ")),
        ]),
        flags.length > 0 && [h("dt", {}, "Flags"), h("dd", {}, flags.join(", "))],
        h("dt", {}, "Rules"),
        h("dd", {}, (r.rules ?? []).join(", ") || "none"),
        h("dt", {}, "Quorum"),
        this.quorum,
        h("dt", {}, "Requested"),
        h("dd", {}, dateTime(r.createdAt)),
        a.session && [h("dt", {}, "Session"), h("dd", {}, a.session)],
        h("dt", {}, "Request"),
        h("dd", {}, h("code", {}, id)),
        h("dt", {}, "Action hash"),
        h("dd", {}, h("code", { title: r.actionHash }, shortHash(r.actionHash))),
      ),
      this.votes,
      h(
        "div",
        { class: "decide" },
        h("label", { for: this.comment.id }, "Comment"),
        this.comment,
        h("div", { class: "buttons" }, this.approve, this.deny),
        this.voted,
        this.refusal,
      ),
    );
    this.update(r);
  }

  update(r) {
    this.request = r;
    const approvals = (r.votes ?? []).filter((v) => v.verdict === "approve").length;
    this.quorum.textContent = `${approvals} of ${r.quorum} approval${r.quorum === 1 ? "" : "s"}`;
    this.votes.replaceChildren(
      ...(r.votes ?? []).map((v) =>
        h(
          "li",
          {},
          h("strong", {}, v.approver),
          ` ${v.verdict === "approve" ? "approved" : "denied"} at ${clock(v.at)}`,
          v.comment ? [": ", h("q", {}, v.comment)] : "",
        ),
      ),
    );
    const mine = (r.votes ?? []).find((v) => v.approver === this.owner.me);
    this.mine = mine;
    this.voted.hidden = !mine;
    if (mine)
      this.voted.textContent = `You ${mine.verdict === "approve" ? "approved" : "denied"}; waiting for ${r.quorum - approvals} more approval(s).`;
    this.sync();
  }

  tick(now) {
    const left = this.request.expiresAt - now;
    this.expired = left <= 0;
    this.expiry.textContent = this.expired ? "expired" : `expires in ${duration(left)}`;
    this.expiry.classList.toggle("soon", left < 60_000);
    this.sync();
  }

  sync() {
    const off = this.busy || this.expired || Boolean(this.mine);
    this.approve.disabled = off;
    this.deny.disabled = off;
  }

  async vote(verdict) {
    if (this.busy) return;
    this.busy = true;
    this.sync();
    this.refusal.hidden = true;
    const r = this.request;
    const what = `${r.agent}'s ${actionSummary(r.action)?.text || "action"}`;
    const comment = this.comment.value.trim();
    try {
      const res = await this.owner.api.post(
        `/v1/approvals/${encodeURIComponent(r.id)}/${verdict}`,
        comment ? { comment } : {},
      );
      if (res.refused) {
        const text = `Refused (${res.code}): ${res.error}`;
        this.refusal.replaceChildren(h("strong", {}, "Refused"), ` (${res.code}): ${res.error}`);
        this.refusal.hidden = false;
        this.owner.notify(`${what}: ${text}`, "bad");
      } else {
        const votes = (res.votes ?? []).filter((v) => v.verdict === "approve").length;
        const state =
          res.status === "pending"
            ? `${votes} of ${res.quorum} approvals, waiting for more`
            : `the request is ${res.status}`;
        this.owner.notify(
          `You ${verdict === "approve" ? "approved" : "denied"} ${what}: ${state}.`,
          res.status === "granted" ? "good" : res.status === "denied" ? "bad" : "",
        );
        if (res.status === "pending") this.update(res);
      }
    } catch (error) {
      this.refusal.textContent = `Could not vote: ${error instanceof Error ? error.message : error}`;
      this.refusal.hidden = false;
    } finally {
      this.busy = false;
      this.sync();
      this.owner.refreshSoon();
    }
  }
}

function verb(a) {
  if (a.kind === "mcp" || a.kind === "tool") return "call";
  if (a.kind === "http") return "send";
  return "run";
}

/** What the title names: the tool, the request, or the kind of command. */
function object(a, summary) {
  if (a.kind === "mcp" || a.kind === "tool") return summary.text;
  if (a.kind === "http") return `${String(a.method ?? "").toUpperCase()} ${hostOf(a.url)}`;
  if (a.kind === "shell") return "a shell command";
  if (a.kind === "sql") return a.database ? `SQL on ${a.database}` : "a SQL statement";
  return summary?.label ?? "an action";
}

function hostOf(url) {
  try {
    return new URL(String(url)).host;
  } catch {
    return String(url ?? "");
  }
}

/** The action itself: its main line per kind, then every field as pretty JSON. */
function actionBlock(a, summary) {
  const parts = [];
  if (a.kind === "shell") {
    parts.push(h("pre", { class: "primary" }, a.command));
    if (a.cwd) parts.push(h("p", { class: "muted" }, `in ${a.cwd}`));
  } else if (a.kind === "sql") {
    parts.push(h("pre", { class: "primary" }, a.statement));
    if (a.database) parts.push(h("p", { class: "muted" }, `database ${a.database}`));
  } else if (a.kind === "http") {
    parts.push(h("pre", { class: "primary" }, summary.text));
    if (a.body) parts.push(h("pre", { class: "secondary" }, a.body));
  } else if (a.kind === "mcp" || a.kind === "tool") {
    parts.push(h("p", { class: "tool" }, h("code", {}, summary.text)));
    parts.push(
      h("pre", { class: "primary", "aria-label": "Arguments" }, pretty(a.arguments ?? {})),
    );
  }
  return h(
    "section",
    { class: "action" },
    h("h4", {}, summary?.label ?? "Action"),
    parts,
    h("details", {}, h("summary", {}, "Full action (JSON)"), h("pre", {}, pretty(a))),
  );
}
