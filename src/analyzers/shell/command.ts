import { resolvePath } from "../paths/index.js";
import type { AnalysisContext } from "../types.js";
import { hasOpt, optValues, parseArgs, readOption } from "./args.js";
import { type Call, shown } from "./call.js";
import { HANDLERS } from "./handlers/index.js";
import {
  COMMANDS,
  type CommandSpec,
  ENVIRONMENT_RULES,
  NAME_PATTERNS,
  type WrapperSpec,
} from "./kb/index.js";
import {
  dynamicWord,
  fork,
  literalWord,
  NONE,
  type Scope,
  type Stream,
  type Word,
} from "./model.js";
import { applyRules } from "./rules.js";
import type { Run } from "./run.js";

const environmentRules = ENVIRONMENT_RULES.map(
  (r) => [r, r.value === undefined ? undefined : new RegExp(r.value, "i")] as const,
);
const namePatterns = NAME_PATTERNS.map((p) => ({ re: new RegExp(p.pattern, "i"), as: p.as }));
const anyNamePattern = new RegExp(NAME_PATTERNS.map((p) => `(?:${p.pattern})`).join("|"), "i");

/** `/usr/bin/RM.exe` → `rm`; `python3.12` → `python`. */
export function commandName(raw: string): string {
  let name = raw.slice(Math.max(raw.lastIndexOf("/"), raw.lastIndexOf("\\")) + 1).toLowerCase();
  if (name.endsWith(".exe") && !COMMANDS.has(name)) name = name.slice(0, -4);
  if (COMMANDS.has(name) || !anyNamePattern.test(name)) return name;
  for (const p of namePatterns) if (p.re.test(name)) return p.as;
  return name;
}

/** Analyses one simple command's argv and returns what it prints when piped. */
export function execute(run: Run, words: Word[], scope: Scope, stdin: Stream): Stream {
  const first = words[0];
  if (!first) return NONE;
  if (!first.literal || first.expanded) {
    // The command itself is decided at run time: whatever we know about it, its effect is not.
    run.out.opaque(`command name built at run time: ${shown([first], 1)}`);
    if (first.feed === "download")
      run.out.add("code.remote_exec", "runs a command name fetched from the network");
    if (first.feed === "decode")
      run.out.add("code.remote_exec", "runs a decoded payload as a command");
    if (!first.literal) return { kind: "dynamic", from: first.value };
  }
  if (first.value.includes("/")) {
    const abs = run.resolve(first, scope);
    if (abs && scope.downloads.has(abs))
      run.out.add("code.remote_exec", `runs ${first.value}, downloaded earlier`);
  }
  const name = commandName(first.value);
  if (name === "cd" || name === "pushd" || name === "popd" || name === "chdir") {
    changeDirectory(run, name === "popd" ? [literalWord("-")] : words.slice(1), scope);
    return NONE;
  }
  const spec = COMMANDS.get(name);
  if (!spec) return { kind: "dynamic", from: name };
  const argv = words.slice(1);
  const bundle = argv[0];
  if (spec.dashlessFirst && bundle?.literal && /^[A-Za-z]+$/.test(bundle.value))
    argv[0] = { ...bundle, value: `-${bundle.value}` };
  if (spec.wrapper) {
    const wrapped = unwrap(run, name, spec.wrapper, argv, scope, stdin);
    if (wrapped) return wrapped;
  }
  const call: Call = {
    run,
    name,
    words: argv,
    args: parseArgs(argv, spec),
    spec,
    scope,
    stdin,
    sub: 0,
  };
  applyRules(call, (handler, c) => HANDLERS[handler](c));
  const printed = spec.handler ? HANDLERS[spec.handler](call) : undefined;
  const read = spec.reads ? reads(call, spec.reads) : undefined;
  if (spec.writesTo && (!spec.writesTo.when || hasOpt(call.args, spec.writesTo.when)))
    for (const dir of optValues(call.args, spec.writesTo.options))
      run.path(dir, "write", scope, { verb: `${name} writes into` });
  return printed ?? output(spec, call, read);
}

/** `cd DIR` changes the working directory for the commands after it; an unknown DIR makes it unknown. */
function changeDirectory(run: Run, words: Word[], scope: Scope): void {
  const target = words.find((w) => !w.value.startsWith("-") || w.value === "-");
  if (!target) scope.cwd = run.ctx.home;
  else if (!target.literal || target.value === "-") scope.cwd = undefined;
  else {
    const abs = resolvePath(target.value, run.at(scope));
    scope.cwd = abs.startsWith("/(") ? undefined : abs;
  }
}

/** The files a reading command's operands name: reading a credential is secret.access. */
function reads(call: Call, how: NonNullable<CommandSpec["reads"]>): Word[] {
  const skip = how.unlessOptions && hasOpt(call.args, how.unlessOptions) ? 0 : (how.skip ?? 0);
  const files = call.args.operands.slice(skip);
  for (const w of files)
    if (w.value !== "-") call.run.path(w, "read", call.scope, { verb: `${call.name} reads` });
  return files;
}

function output(spec: CommandSpec, call: Call, files: Word[] | undefined): Stream {
  switch (spec.output) {
    case "passthrough": {
      const file = files?.find((w) => w.value !== "-");
      if (!file) return call.stdin;
      const path = call.run.resolve(file, call.scope);
      return path ? { kind: "file", path } : { kind: "dynamic", from: call.name };
    }
    case "transform":
      return transformed(call.stdin, call.name);
    case "decode":
      return decoded(call.stdin);
    case "download":
      return { kind: "download", url: undefined };
    default:
      return { kind: "dynamic", from: call.name };
  }
}

/** What a filter prints: downloads and payloads stay what they are; known text becomes unknown. */
function transformed(input: Stream, name: string): Stream {
  if (input.kind === "download" || input.kind === "decode") return input;
  return { kind: "dynamic", from: name };
}

/** What a decoder prints: a download stays a download; anything else is a decoded payload. */
export function decoded(input: Stream): Stream {
  return input.kind === "download" ? input : { kind: "decode", text: undefined };
}

/** Environment variables set for a command or a script: some turn security checks off. */
export function environment(run: Run, name: string, value: Word | undefined): void {
  for (const [rule, re] of environmentRules) {
    if (rule.name !== name) continue;
    if (value === undefined) {
      if (re === undefined) run.out.add(rule.category, rule.reason);
      continue;
    }
    if (re?.test(value.value) && value.literal)
      run.out.add(rule.category, rule.reason.replace("{value}", value.value || "''"));
  }
}

/**
 * Sees through a wrapper (`sudo -u x`, `timeout 5`, `env A=b`, `xargs -I{}`) to the command it
 * runs. Undefined when this use of the command wraps nothing (`npm install`).
 */
function unwrap(
  run: Run,
  name: string,
  w: WrapperSpec,
  words: Word[],
  scope: Scope,
  stdin: Stream,
): Stream | undefined {
  let leading = w.leading ?? 0;
  let needsSub = w.after !== undefined || w.only !== undefined;
  let inner = scope;
  let query = false;
  let argv = false;
  let replace: string | undefined;
  const shellStrings: Word[] = [];
  const valueOptions = [
    ...(w.valueOptions ?? []),
    ...(w.shellOption ?? []),
    ...(w.cwdOptions ?? []),
  ];
  let i = 0;
  for (; i < words.length; i++) {
    const word = words[i] as Word;
    const s = word.value;
    if (word.literal && s === "--") {
      i++;
      break;
    }
    if (word.literal && s.startsWith("-")) {
      const { opts, used } = readOption(words, i, valueOptions);
      i += used - 1;
      for (const o of opts) {
        if (w.queryOptions?.includes(o.name)) query = true;
        if (w.argvOptions?.includes(o.name)) argv = true;
        if (w.shellOption?.includes(o.name) && o.value) shellStrings.push(o.value);
        if (w.replaceOptions?.includes(o.name)) replace = o.value?.value ?? "{}";
        if (w.cwdOptions?.includes(o.name) && o.value) {
          inner = fork(scope);
          inner.cwd = run.resolve(o.value, scope);
        }
      }
      continue;
    }
    if (w.assignments && word.literal && /^[A-Za-z_][A-Za-z0-9_]*=/.test(s)) {
      const eq = s.indexOf("=");
      environment(run, s.slice(0, eq), literalWord(s.slice(eq + 1)));
      continue;
    }
    if (needsSub) {
      const lower = s.toLowerCase();
      if (w.after?.includes(lower)) {
        needsSub = false;
        continue;
      }
      if (w.only?.includes(lower)) {
        needsSub = false;
        break;
      }
      return undefined;
    }
    if (leading > 0) {
      leading--;
      continue;
    }
    break;
  }
  if (needsSub) return undefined;
  if (w.flag) run.out.flag(w.flag);
  for (const text of shellStrings) runString(run, text, inner, `${name} -c`);
  if (query) return NONE;
  const rest = words.slice(i);
  if (rest.length === 0) {
    if (w.bare && shellStrings.length === 0) run.out.add(w.bare.category, w.bare.reason);
    return w.stdinArgs ? NONE : shellStrings.length ? { kind: "dynamic", from: name } : NONE;
  }
  if (w.joined && !argv) {
    runString(run, joined(rest), inner, name);
    return { kind: "dynamic", from: name };
  }
  if (w.stdinArgs) return run.command(withInput(rest, stdin, replace), inner, NONE);
  return run.command(rest, inner, stdin);
}

/** Words joined back into the string a shell would run (`watch`, `ssh host cmd`). */
export function joined(words: readonly Word[]): Word {
  const text = words.map((w) => w.value).join(" ");
  return {
    ...literalWord(text),
    literal: words.every((w) => w.literal),
    feed: words.find((w) => w.feed)?.feed,
  };
}

/** A shell string that will run: re-parsed when literal, otherwise opaque. */
export function runString(
  run: Run,
  text: Word,
  scope: Scope,
  via: string,
  ctx?: AnalysisContext,
): void {
  if (text.feed === "download")
    run.out.add("code.remote_exec", `${via} runs a script fetched from the network`);
  if (text.feed === "decode") run.out.add("code.remote_exec", `${via} runs a decoded payload`);
  if (text.literal) run.shell(text.value, scope, via, ctx);
  else if (text.feed !== "download")
    run.out.opaque(`${via} runs a string built at run time: ${shown([text], 1)}`);
}

/** xargs: the input lines become arguments, in place of the replace token or at the end. */
function withInput(words: Word[], stdin: Stream, replace: string | undefined): Word[] {
  const input = inputWords(stdin);
  if (replace === undefined) return [...words, ...input];
  const token = replace;
  return words.flatMap((w) =>
    w.value.includes(token) ? input.map((x) => substitute(w, token, x)) : [w],
  );
}

/** `prefix{}suffix` with one input in place of `{}`. */
function substitute(w: Word, token: string, x: Word): Word {
  if (w.value === token) return x;
  const value = w.value.split(token).join(x.value);
  if (w.literal && x.literal) return { ...literalWord(value), glob: x.glob };
  return dynamicWord(value, w.value.slice(0, w.value.indexOf(token)) + x.prefix);
}

function inputWords(stdin: Stream): Word[] {
  switch (stdin.kind) {
    case "text": {
      const items = stdin.text.split(/\s+/).filter(Boolean);
      if (items.length > 0 && items.length <= 32) return items.map(literalWord);
      return [dynamicWord("(input)")];
    }
    case "paths": // what find printed: an entry under its root, or everything in it
      return stdin.filtered
        ? [literalWord(`${stdin.under}/{}`)]
        : [{ ...literalWord(`${stdin.under}/*`), glob: true }];
    default:
      return [dynamicWord("(input)")];
  }
}
