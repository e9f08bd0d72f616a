import { Agents } from "./agents.js";
import { Api } from "./api.js";
import { Approvals } from "./approvals.js";
import { Chain } from "./chain.js";
import { byId, clock, h } from "./dom.js";
import { Feed } from "./feed.js";
import { followEvents } from "./sse.js";

/**
 * The Redline dashboard: sign in with an approver secret (kept in this tab's sessionStorage),
 * then the pending approvals, agents and the kill switch, the chain's verification and the
 * live audit feed, all from the control plane's API and its event stream.
 */

const SECRET_KEY = "redline.approverSecret";

const signIn = byId("sign-in");
const form = /** @type {HTMLFormElement} */ (byId("sign-in-form"));
const input = /** @type {HTMLInputElement} */ (byId("secret"));
const signInError = byId("sign-in-error");
const app = byId("app");
const who = byId("who");
const live = byId("live");
const signOutButton = byId("sign-out");
const notices = byId("notices");

/** @type {{ stop(): void } | undefined} */
let session;

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const secret = input.value.trim();
  if (!/^rla_\S+$/.test(secret)) {
    signInError.textContent = "An approver secret starts with rla_ (from: redline approvers add).";
    return;
  }
  input.value = "";
  void start(secret);
});
signOutButton.addEventListener("click", () => signOut());

const saved = sessionStorage.getItem(SECRET_KEY);
if (saved) void start(saved);
else showSignIn();

function showSignIn(message = "") {
  app.hidden = true;
  signIn.hidden = false;
  signOutButton.hidden = true;
  who.textContent = "";
  setLive("off", "Signed out");
  signInError.textContent = message;
  input.focus();
}

function signOut(message) {
  session?.stop();
  session = undefined;
  sessionStorage.removeItem(SECRET_KEY);
  showSignIn(message);
}

async function start(secret) {
  signInError.textContent = "";
  const abort = new AbortController();
  let checked = false;
  let refused = false;
  const api = new Api(secret, (message) => {
    if (refused || abort.signal.aborted) return; // a session already ended says nothing
    refused = true;
    if (checked) signOut(`Signed out: ${message}`);
    else signOut(`This secret was refused: ${message}`);
  });
  // Checked before anything is shown or kept.
  try {
    await api.get("/v1/agents");
    checked = true;
  } catch (error) {
    if (!refused) showSignIn(`Could not reach the control plane: ${error?.message ?? error}`);
    return;
  }
  sessionStorage.setItem(SECRET_KEY, secret);
  signIn.hidden = true;
  app.hidden = false;
  signOutButton.hidden = false;
  const me = approverId(secret);
  who.textContent = me ? `Signed in as ${me}` : "Signed in";

  const feed = new Feed(api);
  const approvals = new Approvals(api, { me, notify });
  const agents = new Agents(api, {
    notify,
    onAgents: (ids) => {
      for (const id of ids) feed.noteAgent(id);
    },
  });
  const chain = new Chain(api);
  session = {
    stop() {
      abort.abort();
      for (const part of [feed, approvals, agents, chain]) part.stop();
      notices.replaceChildren();
    },
  };

  const loaded = await Promise.allSettled([
    feed.fill(),
    approvals.refresh(),
    agents.refresh(),
    chain.refresh(),
  ]);
  if (abort.signal.aborted) return;
  for (const r of loaded)
    if (r.status === "rejected") notify(`Loading failed: ${r.reason?.message ?? r.reason}`, "bad");

  let reconnected = false;
  void followEvents({
    url: "/v1/events",
    headers: api.headers,
    // The stream resumes right after what the fill showed: nothing falls in between.
    lastEventId: String(feed.lastSeq),
    signal: abort.signal,
    onUnauthorized: (message) => {
      if (!abort.signal.aborted) signOut(`Signed out: ${message}`);
    },
    onState: (state, detail) => {
      if (state === "live") {
        setLive("live", "Live");
        // After a drop: the replay brings every entry, but refetching the lists is cheap.
        if (reconnected) {
          approvals.refreshSoon();
          agents.refreshSoon();
        }
        reconnected = true;
      } else if (state === "reconnecting") setLive("down", "Reconnecting…", detail);
      else setLive("down", "Connecting…");
    },
    onEvent: (event) => {
      let entry;
      try {
        entry = JSON.parse(event.data);
      } catch {
        return;
      }
      feed.add(entry);
      chain.stale();
      const kind = String(entry.kind ?? event.event);
      if (kind.startsWith("approval.")) approvals.refreshSoon();
      if (kind.startsWith("agent.") || kind.startsWith("panic.")) agents.refreshSoon();
    },
  });
}

function setLive(state, text, detail = "") {
  live.className = `live live-${state}`;
  live.textContent = text;
  live.title = detail;
}

/** A line in the notices area (newest first, the last five). */
function notify(text, tone = "") {
  notices.prepend(
    h("li", { class: tone ? `notice ${tone}` : "notice" }, h("time", {}, clock(Date.now())), text),
  );
  while (notices.children.length > 5) notices.lastElementChild?.remove();
}

/**
 * The approver id, for display only: a secret is `rla_<base64url(id)>.<random>`. The server
 * decides who is calling; this only saves the human from wondering which secret they pasted.
 */
function approverId(secret) {
  const m = /^rla_([A-Za-z0-9_-]+)\./.exec(secret);
  if (!m?.[1]) return undefined;
  try {
    const b64 = m[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) =>
      c.charCodeAt(0),
    );
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
