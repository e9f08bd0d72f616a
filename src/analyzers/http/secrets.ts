import { compileGlobs, type GlobSet } from "../../core/policy/glob.js";
import type { ParsedRequest } from "./request.js";
import {
  AUTH_HEADERS,
  AUTH_PARAMS,
  ENV_DUMP_MIN,
  ENV_LINE,
  ENV_SECRET_NAME,
  PASSWORD_FIELD,
  PLACEHOLDER_VALUE,
  SECRET_PATTERNS,
  type SecretPattern,
} from "./secret-patterns.js";

/** Finds credentials in what a request sends, without ever repeating them. */

/** At most this many characters of a request are scanned; the rest is flagged `truncated`. */
export const SCAN_LIMIT = 256 * 1024;
const MAX_HITS_PER_PATTERN = 5;

export interface SecretHit {
  /** `GitHub token ghp_…abcd`: a label and, at most, a prefix and the last four characters. */
  what: string;
  where: string;
}

/**
 * Where a text comes from decides what it may carry: a credential in a header, the query, the
 * path or an auth parameter may be the request's own (sent to its own service); in an
 * authorization header, only a credential of a known service to another host is a leak.
 */
type Position = "body" | "header" | "auth-header" | "query" | "path" | "auth-param";

interface Source {
  text: string;
  where: string;
  position: Position;
}

interface Compiled {
  pattern: SecretPattern;
  regex: RegExp;
  placeholder: RegExp | undefined;
  prose: RegExp | undefined;
  native: GlobSet | undefined;
}

const COMPILED: readonly Compiled[] = SECRET_PATTERNS.map((pattern) => ({
  pattern,
  regex: new RegExp(pattern.pattern, pattern.ignoreCase ? "gi" : "g"),
  placeholder: pattern.placeholder === undefined ? undefined : new RegExp(pattern.placeholder, "i"),
  prose: pattern.prose === undefined ? undefined : new RegExp(pattern.prose),
  native: pattern.nativeHosts && compileGlobs(pattern.nativeHosts, { nocase: true }),
}));

/** `internal`: the request stays inside the organisation, where a password is a login. */
export function findSecrets(
  req: ParsedRequest,
  internal: boolean,
): { hits: SecretHit[]; truncated: boolean } {
  const budget = { left: SCAN_LIMIT, truncated: false };
  const sources: Source[] = [];
  const hits: SecretHit[] = [];
  // Plain body text is scanned as one text, not field by field: one pass per pattern.
  const joined = new Map<string, string[]>();
  const add = (text: string, where: string, position: Position) => {
    if (text === "") return;
    if (text.length > budget.left) {
      budget.truncated = true;
      text = text.slice(0, budget.left);
    }
    budget.left -= text.length;
    if (text === "") return;
    if (position === "body") append(joined, where, text);
    else sources.push({ text, where, position });
    // Base64 is how a payload is smuggled past a filter: decode it once and look again.
    const decoded = position === "auth-header" ? undefined : decodeBase64(text);
    if (decoded !== undefined && decoded.length <= budget.left) {
      budget.left -= decoded.length;
      append(joined, `${where} (base64)`, decoded);
    }
  };
  const field = (key: string, value: string, where: string, position: Position) => {
    if (!internal && PASSWORD_FIELD.test(key) && !PLACEHOLDER_VALUE.test(value))
      hits.push({ what: `password field ${key}`, where });
    add(value, where, position);
  };

  add(safeDecode(req.path), "URL path", "path");
  for (const [key, value] of req.queryParams)
    field(key, value, "URL query", AUTH_PARAMS.has(key.toLowerCase()) ? "auth-param" : "query");
  for (const [name, value] of req.headers)
    add(value, `header ${name}`, AUTH_HEADERS.has(name) ? "auth-header" : "header");
  if (req.json !== undefined) walkJson(req.json, field);
  else if (req.form)
    for (const [key, value] of req.form)
      field(key, value, "request body", AUTH_PARAMS.has(key.toLowerCase()) ? "auth-param" : "body");
  else add(req.body, "request body", "body");
  for (const [where, parts] of joined)
    sources.push({ text: parts.join("\n"), where, position: "body" });

  for (const source of sources) hits.push(...scan(source, req.host, internal));
  return { hits: dedupe(hits), truncated: budget.truncated };
}

/** Every scalar of a JSON body, however deep (no recursion); top-level auth parameters keep their position. */
function walkJson(
  root: unknown,
  field: (key: string, value: string, where: string, position: Position) => void,
): void {
  const stack: { value: unknown; key: string; depth: number }[] = [
    { value: root, key: "", depth: 0 },
  ];
  while (stack.length > 0) {
    const { value, key, depth } = stack.pop() as (typeof stack)[number];
    if (typeof value === "string" || typeof value === "number") {
      const auth = depth === 1 && AUTH_PARAMS.has(key.toLowerCase());
      field(key, String(value), "request body", auth ? "auth-param" : "body");
    } else if (value !== null && typeof value === "object") {
      const entries = Array.isArray(value)
        ? value.map((v) => ["", v] as const)
        : Object.entries(value);
      for (const [k, v] of entries) stack.push({ value: v, key: k, depth: depth + 1 });
    }
  }
}

function scan(source: Source, host: string, internal: boolean): SecretHit[] {
  const hits: SecretHit[] = [];
  const anchors = new Map<string, number[]>();
  const envDump =
    source.position === "body" || source.position === "query"
      ? findEnvDump(source.text)
      : undefined;
  if (envDump) hits.push({ what: envDump, where: source.where });
  for (const c of COMPILED) {
    const { pattern } = c;
    // An authorization header is the request's own credential unless it belongs to another service.
    if (source.position === "auth-header" && !c.native) continue;
    if (internal && pattern.login) continue;
    const exempt = source.position !== "body" && c.native?.test(host) === true;
    const positions: number[] = [];
    for (const m of matches(c, source.text, anchors)) {
      if (c.placeholder?.test(m.groups?.value ?? "") || c.prose?.test(m[0])) continue;
      if (pattern.mixedCase && !isMixed(m[0])) continue;
      positions.push(m.index);
      if (!exempt) hits.push({ what: describe(pattern, m), where: source.where });
    }
    anchors.set(pattern.id, positions);
  }
  return hits;
}

/** Matches of a pattern, only in windows around its anchor pattern's matches when it has one. */
function matches(c: Compiled, text: string, anchors: Map<string, number[]>): RegExpExecArray[] {
  const near = c.pattern.near;
  if (!near) return execAll(c.regex, text, 0);
  const out: RegExpExecArray[] = [];
  for (const at of anchors.get(near.id) ?? []) {
    const from = Math.max(0, at - near.window);
    out.push(...execAll(c.regex, text.slice(from, at + near.window), from));
    if (out.length >= MAX_HITS_PER_PATTERN) break;
  }
  return out;
}

function execAll(regex: RegExp, text: string, offset: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  regex.lastIndex = 0;
  for (
    let m = regex.exec(text);
    m !== null && out.length < MAX_HITS_PER_PATTERN;
    m = regex.exec(text)
  ) {
    if (m[0] === "") regex.lastIndex++;
    m.index += offset;
    out.push(m);
  }
  return out;
}

function append(map: Map<string, string[]>, key: string, text: string): void {
  const list = map.get(key);
  if (list) list.push(text);
  else map.set(key, [text]);
}

function isMixed(text: string): boolean {
  return /[a-z]/.test(text) && /[A-Z]/.test(text) && /[0-9]/.test(text);
}

/** Never the secret: a label, a field name, or a prefix and the last four characters. */
function describe(pattern: SecretPattern, m: RegExpExecArray): string {
  const show = pattern.show;
  if (show === "key") return `${pattern.label} ${m.groups?.key ?? ""}`.trim();
  if (show === undefined) return pattern.label;
  const text = m[0];
  const tail = text.length >= show.prefix + 8 ? text.slice(-4) : "";
  return `${pattern.label} ${text.slice(0, show.prefix)}…${tail}`;
}

/** `.env`-style text with several secret-looking names (the names are shown, not the values). */
function findEnvDump(text: string): string | undefined {
  if (!text.includes("=")) return undefined;
  const names: string[] = [];
  ENV_LINE.lastIndex = 0;
  for (let m = ENV_LINE.exec(text); m !== null; m = ENV_LINE.exec(text)) {
    const [, name, value] = m;
    if (name && value && ENV_SECRET_NAME.test(name) && !PLACEHOLDER_VALUE.test(value.trim()))
      names.push(name);
  }
  if (names.length < ENV_DUMP_MIN) return undefined;
  const shown = names.slice(0, 3).join(", ");
  return `environment file with secrets (${shown}${names.length > 3 ? ", …" : ""})`;
}

const BASE64 = /^[A-Za-z0-9+/_-]{24,}={0,2}$/;

/** Decoded text when the value is base64 of mostly printable text. */
function decodeBase64(value: string): string | undefined {
  if (value.length < 24 || !BASE64.test(value)) return undefined;
  const text = Buffer.from(
    value,
    value.includes("-") || value.includes("_") ? "base64url" : "base64",
  ).toString("utf8");
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) printable++;
  }
  return text.length > 0 && printable / text.length >= 0.9 ? text : undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function dedupe(hits: SecretHit[]): SecretHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const key = `${h.what}\u0000${h.where}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
