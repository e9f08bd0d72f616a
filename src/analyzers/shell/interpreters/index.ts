import { runString } from "../command.js";
import type { Lang } from "../kb/index.js";
import { dynamicWord, literalWord, NONE, type Scope, type Word } from "../model.js";
import { hostOf, type Run } from "../run.js";
import { type CodeCall, LANGUAGES } from "./languages.js";

/**
 * Interpreter one-liners (`python -c`, `node -e`, `perl -e`, `ruby -e`, `php -r`). There is no
 * parser for these languages here, so calls are found by pattern (languages.ts) and their
 * first arguments read as literals where they are literals. Code built at run time and then
 * executed or evaluated is opaque.
 */
export function analyzeCode(
  run: Run,
  lang: Lang,
  code: string,
  scope: Scope,
  via: string,
  depth = 0,
): void {
  const spec = LANGUAGES[lang];
  const hosts = new Set<string>();
  for (const m of code.matchAll(/\bhttps?:\/\/[^\s'"`)\]}>,;]+/g)) {
    const h = hostOf(m[0]);
    if (h) hosts.add(h);
  }
  for (const h of hosts) run.out.target("hosts", h);
  // Backticks run commands in Perl, Ruby and PHP.
  if (!code.includes("`") && !re(`\\b(?:${spec.keywords})\\b`).test(code)) return;
  const network = spec.network.some((p) => re(p).test(code));
  let evaluatesDynamic = false;
  for (const c of spec.calls) {
    if (c.requires && !re(c.requires).test(code)) continue;
    for (const m of code.matchAll(re(c.call, "g"))) {
      const args = callArgs(code, (m.index ?? 0) + m[0].length, lang, /(?:qx|%x)\s*$/.test(m[0]));
      if (c.effect === "eval") {
        const a = args[0];
        if (a?.kind === "string") {
          if (depth < 4) analyzeCode(run, lang, a.value, scope, via, depth + 1);
        } else if (a) {
          evaluatesDynamic = true;
          run.out.opaque(`${via} evaluates code built at run time`);
        }
        continue;
      }
      effect(run, c, args, scope, via, spec.recursiveOption);
    }
  }
  if (lang === "perl" || lang === "ruby" || lang === "php")
    for (const m of code.matchAll(/`([^`]*)`/g)) {
      const body = m[1] as string;
      if (interpolates(body, lang)) run.out.opaque(`${via} runs a command built at run time`);
      else runString(run, literalWord(body), scope, via);
    }
  if (network) run.out.flag("network");
  if (network && spec.sends.some((p) => re(p).test(code))) {
    if (hosts.size === 0) run.egress(undefined, `${via} sends data`);
    for (const h of hosts) run.egress(h, `${via} sends data`);
  }
  if (network && spec.socketShell.some((p) => re(p).test(code)))
    run.out.add("code.remote_exec", `${via} wires a shell to a network socket (reverse shell)`);
  if (network && evaluatesDynamic)
    run.out.add("code.remote_exec", `${via} evaluates code it fetched from the network`);
  if (spec.forkBomb.some((p) => re(p).test(code)))
    run.out.add("system.destroy", `${via} is a fork bomb`);
}

function effect(
  run: Run,
  c: CodeCall,
  args: Arg[],
  scope: Scope,
  via: string,
  recursiveOption?: string,
): void {
  const a = args[0];
  if (!a) return;
  switch (c.effect) {
    case "shell":
      if (a.kind === "list") run.command(a.items.map(asWord), scope, NONE);
      else if (a.kind === "string")
        runString(run, literalWord(a.value.replace(/^\s*\|\s*|\s*\|\s*$/g, "")), scope, via);
      else run.out.opaque(`${via} runs a command built at run time`);
      return;
    case "program": {
      const list =
        args.find((x): x is Extract<Arg, { kind: "list" }> => x.kind === "list") ?? listInside(a);
      const program = a.kind === "string" ? [literalWord(a.value)] : [];
      const argv = list ? list.items.map(asWord) : [];
      const words =
        program.length && argv[0]?.value !== program[0]?.value
          ? [...program, ...argv]
          : argv.length
            ? argv
            : program;
      if (words.length === 0 || !words[0]?.literal)
        run.out.opaque(`${via} runs a program chosen at run time`);
      else run.command(words, scope, NONE);
      return;
    }
    case "delete":
    case "delete-recursive": {
      const recursive =
        c.effect === "delete-recursive" ||
        (recursiveOption !== undefined &&
          args.slice(1).some((x) => x.kind === "other" && re(recursiveOption).test(x.text)));
      run.path(pathWord(a), "delete", scope, {
        recursive,
        verb: recursive ? `${via} recursively deletes` : `${via} deletes`,
      });
      return;
    }
    case "read":
      run.path(pathWord(a), "read", scope, { verb: `${via} reads` });
      return;
    case "write":
      run.path(pathWord(a), "overwrite", scope, { verb: `${via} writes` });
      return;
    case "open": {
      const mode = args
        .slice(1)
        .find((x) => x.kind === "string" || (x.kind === "other" && /mode\s*=/.test(x.text)));
      const m = mode
        ? mode.kind === "string"
          ? mode.value
          : (/['"]([^'"]*)['"]/.exec(mode.kind === "other" ? mode.text : "")?.[1] ?? "")
        : "";
      const op = /[wx]/.test(m) ? "overwrite" : /[a+]/.test(m) ? "write" : "read";
      run.path(pathWord(a), op, scope, { verb: op === "read" ? `${via} reads` : `${via} writes` });
      return;
    }
  }
}

/** A path argument: a literal, `os.path.expanduser("~/x")`, or something only known at run time. */
function pathWord(a: Arg): Word {
  if (a.kind === "string") return literalWord(a.value);
  if (a.kind === "other") {
    const m =
      /^(?:os\.path\.expanduser|File\.expand_path|path\.resolve|Path)\s*\(\s*(['"])([^'"]*)\1\s*\)/.exec(
        a.text,
      );
    if (m) return literalWord(m[2] as string);
  }
  return dynamicWord(a.kind === "other" ? a.text : "(list)");
}

function asWord(a: Arg): Word {
  return a.kind === "string"
    ? literalWord(a.value)
    : dynamicWord(a.kind === "other" ? a.text : "(list)");
}

function listInside(a: Arg): Extract<Arg, { kind: "list" }> | undefined {
  if (a.kind !== "other") return undefined;
  const at = a.text.indexOf("[");
  if (at < 0) return undefined;
  const [inner] = callArgs(a.text, at, "node");
  return inner?.kind === "list" ? inner : undefined;
}

type Arg =
  | { kind: "string"; value: string }
  | { kind: "list"; items: Arg[] }
  | { kind: "other"; text: string };

const CLOSERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/**
 * The first few arguments of a call whose name ends at `at`: after `(` (or without parentheses,
 * as Perl and Ruby allow), or the quoted body of `qx{...}` / `%x(...)`.
 */
function callArgs(code: string, at: number, lang: Lang, quoteLike = false): Arg[] {
  let i = skipSpace(code, at);
  if (quoteLike) {
    const close = CLOSERS[code[i] as string] ?? (code[i] as string);
    const end = code.indexOf(close, i + 1);
    const body = code.slice(i + 1, end < 0 ? code.length : end);
    return [
      interpolates(body, lang) ? { kind: "other", text: body } : { kind: "string", value: body },
    ];
  }
  if (code[i] === "(" && !code.slice(at - 1, at).includes("(")) i = skipSpace(code, i + 1);
  const args: Arg[] = [];
  while (i < code.length && args.length < 4) {
    const [arg, next] = expression(code, i, lang);
    args.push(arg);
    i = skipSpace(code, next);
    if (code[i] !== ",") break;
    i = skipSpace(code, i + 1);
  }
  return args;
}

function skipSpace(code: string, i: number): number {
  while (i < code.length && /\s/.test(code[i] as string)) i++;
  return i;
}

/** One argument expression starting at `i`: a literal string, a list of them, or other code. */
function expression(code: string, i: number, lang: Lang): [Arg, number] {
  const str = stringAt(code, i, lang);
  if (str) {
    const after = skipSpace(code, str.end);
    if (after >= code.length || /[,)\];\n}]/.test(code[after] as string)) return [str.arg, str.end];
  }
  if (code[i] === "[") {
    const items: Arg[] = [];
    let j = skipSpace(code, i + 1);
    while (j < code.length && code[j] !== "]") {
      const [item, next] = expression(code, j, lang);
      items.push(item);
      j = skipSpace(code, next);
      if (code[j] === ",") j = skipSpace(code, j + 1);
      else if (code[j] !== "]") break;
    }
    if (code[j] === "]") {
      const after = skipSpace(code, j + 1);
      if (after >= code.length || /[,)\];\n}]/.test(code[after] as string))
        return [{ kind: "list", items }, j + 1];
    }
  }
  return other(code, i);
}

/** Code up to the next top-level `,` or closing bracket. */
function other(code: string, i: number): [Arg, number] {
  let depth = 0;
  let j = i;
  for (; j < code.length; j++) {
    const ch = code[j] as string;
    if (ch === "'" || ch === '"' || ch === "`") {
      const end = code.indexOf(ch, j + 1);
      j = end < 0 ? code.length : end;
      continue;
    }
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") {
      if (depth === 0) break;
      depth--;
    } else if ((ch === "," || ch === ";" || ch === "\n") && depth === 0) break;
  }
  return [{ kind: "other", text: code.slice(i, j).trim() }, j];
}

/** A string literal at `i` (with Python prefixes and triple quotes, JS template literals). */
function stringAt(code: string, i: number, lang: Lang): { arg: Arg; end: number } | undefined {
  if (lang === "perl") {
    const q = /^(qq|q)\s*([{([</|!])/.exec(code.slice(i, i + 4));
    if (q) {
      const open = q[2] as string;
      const close = CLOSERS[open] ?? (open === "<" ? ">" : open);
      const start = i + q[0].length;
      const end = code.indexOf(close, start);
      if (end < 0) return undefined;
      const body = code.slice(start, end);
      const dynamic = q[1] === "qq" && interpolates(body, lang);
      return {
        arg: dynamic
          ? { kind: "other", text: code.slice(i, end + 1) }
          : { kind: "string", value: body },
        end: end + 1,
      };
    }
  }
  let j = i;
  let raw = false;
  let formatted = false;
  if (lang === "python") {
    const p = /^[rRbBuUfF]{1,2}(?=['"])/.exec(code.slice(i, i + 3));
    if (p) {
      raw = /r/i.test(p[0]);
      formatted = /f/i.test(p[0]);
      j += p[0].length;
    }
  }
  const q = code[j];
  if (q !== "'" && q !== '"' && q !== "`") return undefined;
  const triple = lang === "python" && code.startsWith(q.repeat(3), j);
  const delim = triple ? q.repeat(3) : q;
  let k = j + delim.length;
  let body = "";
  while (k < code.length && !code.startsWith(delim, k)) {
    if (code[k] === "\\" && !raw && k + 1 < code.length) {
      body += unescapeChar(code[k + 1] as string);
      k += 2;
      continue;
    }
    body += code[k];
    k++;
  }
  if (k >= code.length) return undefined;
  const end = k + delim.length;
  const dynamic =
    (formatted && /\{[^}]*\}/.test(body)) ||
    (q === "`" && lang === "node" && body.includes("${")) ||
    (q !== "'" && interpolates(body, lang));
  return {
    arg: dynamic ? { kind: "other", text: code.slice(i, end) } : { kind: "string", value: body },
    end,
  };
}

/** Double-quoted strings in Perl, Ruby and PHP interpolate variables. */
function interpolates(body: string, lang: Lang): boolean {
  if (lang === "perl" || lang === "php") return /[$@][\w{]/.test(body);
  if (lang === "ruby") return body.includes("#{");
  return false;
}

function unescapeChar(c: string): string {
  switch (c) {
    case "n":
      return "\n";
    case "t":
      return "\t";
    case "r":
      return "\r";
    case "0":
      return "\0";
    default:
      return c;
  }
}

const cache = new Map<string, RegExp>();
function re(source: string, flags = ""): RegExp {
  const key = `${flags}/${source}`;
  let r = cache.get(key);
  if (!r) {
    r = new RegExp(source, flags);
    cache.set(key, r);
  }
  if (flags.includes("g")) r.lastIndex = 0;
  return r;
}
