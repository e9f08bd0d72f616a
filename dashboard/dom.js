/**
 * DOM building without HTML parsing. Everything the server sends is attacker-influenced (agents
 * write the commands we show), so data only ever becomes text nodes: `Element.append(string)`
 * and `textContent`, never `innerHTML`. Property names below always come from this code.
 */

/**
 * `h("p", { class: "x" }, "text", child)`. Props: `class`, `dataset`, `on<event>` handlers,
 * boolean attributes (`true` sets, `false`/null/undefined skips), anything else as an attribute.
 * @param {string} tag
 * @param {Record<string, unknown>} [props]
 * @param {...(Node | string | number | null | undefined | false | Array<unknown>)} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = String(value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function")
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

/** Appends nodes and strings (as text), skipping empty values; arrays are flattened. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** @returns {HTMLElement} */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: missing #${id}`);
  return el;
}

export function pretty(value) {
  return JSON.stringify(value, null, 2);
}

const pad = (n) => String(n).padStart(2, "0");

/** Local wall-clock time, `15:04:05`, for an epoch-ms number or an ISO string. */
export function clock(t) {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return "";
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local date and time, `2026-12-01 15:04:05`. */
export function dateTime(t) {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(d)}`;
}

/** `1h 02m`, `9m 58s`, `42s`. */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${s}s`;
}

/** `sha256:4d0e17dd0a8f…` */
export function shortHash(hash) {
  const s = String(hash ?? "");
  return s.length > 20 ? `${s.slice(0, 19)}…` : s;
}

/** Cuts long text for one-line summaries (the full text is always one click away). */
export function clip(text, max = 160) {
  const s = String(text ?? "").replace(/\s+/g, " ");
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * What an action does, in one line per kind: the command, the statement, the request, or the
 * tool and its arguments. `null` for anything that is not an action.
 * @returns {{ label: string, text: string } | null}
 */
export function actionSummary(action) {
  if (!action || typeof action !== "object") return null;
  switch (action.kind) {
    case "shell":
      return { label: "Shell command", text: String(action.command ?? "") };
    case "sql":
      return { label: "SQL statement", text: String(action.statement ?? "") };
    case "http":
      return {
        label: "HTTP request",
        text: `${String(action.method ?? "").toUpperCase()} ${String(action.url ?? "")}`,
      };
    case "mcp":
      return {
        label: "MCP tool call",
        text: `${String(action.server ?? "")} › ${String(action.tool ?? "")}`,
      };
    case "tool":
      return { label: "Tool call", text: String(action.tool ?? "") };
    default:
      return { label: `${String(action.kind ?? "unknown")} action`, text: "" };
  }
}
