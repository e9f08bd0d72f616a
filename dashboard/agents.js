import { byId, dateTime, h } from "./dom.js";

/**
 * Agents with their runtime state, Suspend / Resume, and the kill switch (confirmed in a
 * dialog first). The reason field is shared: it goes into the audit entry of each change.
 */
export class Agents {
  /**
   * @param {import("./api.js").Api} api
   * @param {{ notify: (text: string, tone?: string) => void, onAgents: (ids: string[]) => void }} o
   */
  constructor(api, o) {
    this.api = api;
    this.notify = o.notify;
    this.onAgents = o.onAgents;
    this.rows = byId("agent-rows");
    this.reason = /** @type {HTMLInputElement} */ (byId("agent-reason"));
    this.banner = byId("panic-banner");
    this.panicButton = /** @type {HTMLButtonElement} */ (byId("panic"));
    this.clearButton = /** @type {HTMLButtonElement} */ (byId("panic-clear"));
    this.dialog = /** @type {HTMLDialogElement} */ (byId("panic-dialog"));
    this.timer = undefined;
    this.generation = 0;
    this.openDialog = () => {
      this.dialog.returnValue = ""; // Esc must not repeat the last choice
      this.dialog.showModal();
    };
    this.onClose = () => {
      if (this.dialog.returnValue === "panic") void this.panic();
    };
    this.onClear = () => void this.change("/v1/panic/clear", "The panic is cleared.");
    this.panicButton.addEventListener("click", this.openDialog);
    this.dialog.addEventListener("close", this.onClose);
    this.clearButton.addEventListener("click", this.onClear);
    this.poll = setInterval(() => void this.refresh().catch(() => {}), 30_000);
  }

  stop() {
    clearInterval(this.poll);
    clearTimeout(this.timer);
    this.generation++;
    this.panicButton.removeEventListener("click", this.openDialog);
    this.dialog.removeEventListener("close", this.onClose);
    this.clearButton.removeEventListener("click", this.onClear);
    this.rows.replaceChildren();
  }

  refreshSoon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh().catch(() => {}), 50);
  }

  async refresh() {
    const generation = ++this.generation;
    const { agents, panic } = await this.api.get("/v1/agents");
    if (generation !== this.generation) return;
    this.render(agents ?? [], panic ?? { active: false });
  }

  render(agents, panic) {
    this.onAgents(agents.map((a) => a.agent));
    this.banner.hidden = !panic.active;
    if (panic.active)
      this.banner.replaceChildren(
        h("strong", {}, "Panic: every agent is suspended and every token revoked."),
        panic.change
          ? ` Since ${dateTime(panic.change.at)} by ${panic.change.by}${panic.change.reason ? `: ${panic.change.reason}` : ""}.`
          : "",
      );
    this.panicButton.hidden = panic.active;
    this.clearButton.hidden = !panic.active;
    this.rows.replaceChildren(
      ...agents.map((a) => {
        const active = a.status === "active";
        const button = h(
          "button",
          {
            type: "button",
            class: active ? "suspend" : "resume",
            "aria-label": `${active ? "Suspend" : "Resume"} ${a.agent}`,
          },
          active ? "Suspend" : "Resume",
        );
        button.addEventListener("click", () => {
          const verb = active ? "suspend" : "resume";
          void this.change(
            `/v1/agents/${encodeURIComponent(a.agent)}/${verb}`,
            `${a.agent} is ${active ? "suspended; its tokens are revoked" : "resumed"}.`,
          );
        });
        return h(
          "tr",
          { dataset: { agent: a.agent } },
          h(
            "th",
            { scope: "row" },
            a.agent,
            (a.owner || a.environment) &&
              h("span", { class: "sub" }, [a.owner, a.environment].filter(Boolean).join(" · ")),
            a.inPolicy === false && h("span", { class: "sub" }, "no longer in the policy"),
          ),
          h(
            "td",
            {},
            h("span", { class: `status s-${a.status}` }, panic.active ? "panic" : a.status),
            a.change &&
              h(
                "span",
                { class: "sub" },
                `${dateTime(a.change.at)} by ${a.change.by}${a.change.reason ? `: ${a.change.reason}` : ""}`,
              ),
          ),
          h("td", { class: "act" }, button),
        );
      }),
    );
  }

  async panic() {
    await this.change("/v1/panic", "Panic: every agent is suspended, every token revoked.");
  }

  async change(path, done) {
    const reason = this.reason.value.trim();
    try {
      await this.api.post(path, reason ? { reason } : {});
      this.notify(done, "good");
      this.reason.value = "";
    } catch (error) {
      this.notify(`Failed: ${error instanceof Error ? error.message : error}`, "bad");
    } finally {
      await this.refresh().catch(() => {});
    }
  }
}
