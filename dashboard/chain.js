import { byId, clock, h } from "./dom.js";

const EVERY_MS = 30_000;
/** New entries trigger a check, at most this often (the server walks the whole chain). */
const MIN_GAP_MS = 15_000;

/**
 * The audit chain's verification (GET /v1/audit/verify): every 30 s, soon after new entries
 * (throttled), and on demand.
 */
export class Chain {
  /** @param {import("./api.js").Api} api */
  constructor(api) {
    this.api = api;
    this.badge = byId("chain-badge");
    this.summary = byId("chain-summary");
    this.details = byId("chain-details");
    this.button = /** @type {HTMLButtonElement} */ (byId("verify"));
    this.onClick = () => void this.refresh();
    this.button.addEventListener("click", this.onClick);
    this.timer = setInterval(() => void this.refresh(), EVERY_MS);
    this.busy = false;
    this.lastAt = 0;
    this.soon = undefined;
  }

  /** The log grew: check again soon, but not more often than every 15 s. */
  stale() {
    if (this.soon) return;
    const wait = Math.max(2000, MIN_GAP_MS - (Date.now() - this.lastAt));
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.refresh();
    }, wait);
  }

  stop() {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.button.removeEventListener("click", this.onClick);
  }

  async refresh() {
    if (this.busy) return;
    this.busy = true;
    this.button.disabled = true;
    this.button.textContent = "Verifying…";
    try {
      this.render(await this.api.get("/v1/audit/verify"));
    } catch (error) {
      this.show("unknown", "Chain: unknown", `Could not verify: ${error?.message ?? error}`);
      this.details.replaceChildren();
    } finally {
      this.busy = false;
      this.lastAt = Date.now();
      this.button.disabled = false;
      this.button.textContent = "Verify now";
    }
  }

  render(r) {
    const at = clock(Date.now());
    if (r.ok)
      this.show(
        "ok",
        "Chain verified",
        `${r.entries} entries intact through seq ${r.head?.seq ?? r.entries}; the last signed checkpoint is at seq ${r.lastCheckpoint}. Checked ${at}.`,
      );
    else
      this.show(
        "bad",
        "Chain BROKEN",
        `${r.problems.length} problem(s) in ${r.entries} entries. Checked ${at}.`,
      );
    this.details.replaceChildren(
      ...(r.problems ?? []).map((p) =>
        h("li", { class: "problem" }, h("strong", {}, `seq ${p.seq} ${p.kind}`), `: ${p.message}`),
      ),
      ...(r.warnings ?? []).map((w) => h("li", { class: "warning" }, w)),
    );
  }

  show(tone, badge, summary) {
    this.badge.className = `badge chain-${tone}`;
    this.badge.textContent = badge;
    this.summary.textContent = summary;
  }
}
