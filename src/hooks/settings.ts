import type { Result } from "./claude-code.js";

/**
 * Claude Code's settings.json, as `redline hook install` edits it: the hook goes into
 * `hooks.PreToolUse` as `{matcher: "*", hooks: [{type: "command", command, timeout}]}`, every
 * other key and hook is kept as it was, and a second install updates Redline's entry in place
 * instead of adding another. Pure: the command does the reading, backing up and writing.
 */

export interface HookEntry {
  command: string;
  /** Seconds Claude Code gives the hook; past it the call would run, so it exceeds our deadline. */
  timeout: number;
}

export type InstallStatus = "added" | "updated" | "unchanged";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Redline's hook, however it was written: our entry's path or `redline hook claude-code`. */
export function isRedlineHook(command: string): boolean {
  return (
    /hooks\/main\.c?js['"]?\s+claude-code(?:\s|$)/.test(command) ||
    /\bredline(?:\.js)?['"]?\s+hook\s+claude-code(?:\s|$)/.test(command)
  );
}

/** Parses a settings file; an error names the line and column. An empty file is `{}`. */
export function parseSettings(file: string, text: string): Result<Json> {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  if (body.trim() === "") return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    const at = jsonErrorOffset(body) ?? positionIn((error as Error).message) ?? 0;
    const { line, column } = lineColumn(body, at);
    const what =
      at >= body.length ? "unexpected end of file" : `unexpected ${JSON.stringify(body[at])}`;
    return { ok: false, error: `${file}:${line}:${column}: not valid JSON (${what})` };
  }
  if (!isObject(value))
    return {
      ok: false,
      error: `${file}: expected a JSON object at the top, as Claude Code's settings are`,
    };
  return { ok: true, value };
}

/** The settings with Redline's hook in place, and what changed; the input is not modified. */
export function withHook(
  file: string,
  settings: Json,
  entry: HookEntry,
): Result<{ settings: Json; status: InstallStatus }> {
  const out = structuredClone(settings);
  const hooks = out.hooks ?? {};
  if (!isObject(hooks))
    return { ok: false, error: `${file}: "hooks" is not an object; not touching it` };
  const pre = hooks.PreToolUse ?? [];
  if (!Array.isArray(pre))
    return { ok: false, error: `${file}: "hooks.PreToolUse" is not an array; not touching it` };
  const ours = { type: "command", command: entry.command, timeout: entry.timeout };
  let found = false;
  let changed = false;
  for (const group of pre) {
    if (!isObject(group) || !Array.isArray(group.hooks)) continue;
    group.hooks = group.hooks.map((h: unknown) => {
      if (!isObject(h) || typeof h.command !== "string" || !isRedlineHook(h.command)) return h;
      found = true;
      if (h.type === ours.type && h.command === ours.command && h.timeout === ours.timeout)
        return h;
      changed = true;
      return { ...h, ...ours };
    });
  }
  if (!found) pre.push({ matcher: "*", hooks: [ours] });
  hooks.PreToolUse = pre;
  out.hooks = hooks;
  return {
    ok: true,
    value: { settings: out, status: !found ? "added" : changed ? "updated" : "unchanged" },
  };
}

function positionIn(message: string): number | undefined {
  const m = /at position (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++)
    if (text[i] === "\n") {
      line++;
      start = i + 1;
    }
  return { line, column: offset - start + 1 };
}

/**
 * Where JSON text first goes wrong (V8's messages do not always say): a small recursive
 * descent over the grammar, only run on text JSON.parse has already refused.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (!text.startsWith(word, i)) fail(); // at the word's start: `tru` is wrong where it begins
    i += word.length;
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch < " ") fail();
      if (ch === '"') {
        i++;
        return;
      }
      if (ch === "\\") {
        i++;
        const e = text[i];
        if (e === "u") {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!/[0-9a-fA-F]/.test(text[i] ?? "")) fail();
          }
          i++;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === "" || m[0] === "-") fail();
    i += (m as RegExpExecArray)[0].length;
  };
  /** A comma-separated list up to `close`, each item read by `item`. */
  const list = (close: string, item: () => void) => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      if (text[i] !== ",") fail();
      i++;
    }
  };
  const member = () => {
    ws();
    if (text[i] !== '"') fail();
    string();
    ws();
    if (text[i] !== ":") fail();
    i++;
    value();
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") list("}", member);
    else if (ch === "[") list("]", value);
    else if (ch === '"') string();
    else if (ch === "t") literal("true");
    else if (ch === "f") literal("false");
    else if (ch === "n") literal("null");
    else if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) number();
    else fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (at) {
    if (typeof at === "number") return at;
    throw at;
  }
}
