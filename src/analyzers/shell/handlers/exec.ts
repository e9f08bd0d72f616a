import { hasOpt, parseArgs } from "../args.js";
import { type Call, type Handler, shown } from "../call.js";
import { joined, runString } from "../command.js";
import { analyzeCode } from "../interpreters/index.js";
import { COMMANDS, type Lang } from "../kb/index.js";
import { NONE, type Stream, type Word } from "../model.js";
import { ansiC } from "../words.js";

/**
 * What a shell or interpreter does with a script arriving on stdin: known text is analysed,
 * a download is download-and-execute, a decoded payload is that and opaque unless its text is
 * known, and text produced at run time is opaque.
 */
function fromStdin(call: Call, analyze: (text: string) => void): void {
  const { run, stdin, name } = call;
  switch (stdin.kind) {
    case "text":
      analyze(stdin.text);
      return;
    case "download":
      run.out.add("code.remote_exec", `${shownStream(stdin)} piped into ${name}`);
      return;
    case "decode":
      // Obfuscated on purpose: opaque even when we can decode it, and analysed when we can.
      run.out.add("code.remote_exec", `a decoded payload piped into ${name}`);
      run.out.opaque(`${name} runs a payload decoded at run time`);
      if (stdin.text !== undefined) analyze(stdin.text);
      return;
    case "file":
      if (call.scope.downloads.has(stdin.path))
        run.out.add("code.remote_exec", `${name} runs ${stdin.path}, downloaded earlier`);
      return;
    case "dynamic":
    case "paths":
      run.out.opaque(
        `${name} runs commands piped from ${stdin.kind === "dynamic" ? stdin.from : "find"}`,
      );
      return;
    default:
      run.out.flag("interactive");
  }
}

function shownStream(s: Stream): string {
  return s.kind === "download" && s.url ? `a download from ${s.url}` : "a download";
}

/** A script named on the command line: downloaded, a process substitution, or a local file. */
function script(call: Call, file: Word): void {
  const { run, name } = call;
  if (file.procsub) {
    if (file.feed === "download")
      run.out.add("code.remote_exec", `${name} runs a script fetched from the network`);
    else if (file.feed === "decode")
      run.out.add("code.remote_exec", `${name} runs a decoded payload`);
    run.out.opaque(`${name} runs the output of a command: ${shown([file], 1)}`);
    return;
  }
  if (/^https?:\/\//i.test(file.value)) {
    run.out.add("code.remote_exec", `${name} runs ${file.value}`);
    return;
  }
  const abs = run.resolve(file, call.scope);
  if (abs && call.scope.downloads.has(abs))
    run.out.add("code.remote_exec", `${name} runs ${file.value}, downloaded earlier`);
}

/** bash/sh/zsh: `-c STRING` is re-parsed; a script file or stdin is what runs otherwise. */
export const shell: Handler = (call) => {
  const { args, run, scope } = call;
  const command = args.opts.find(
    (o) => o.name === "-c" || o.name === "--command" || o.name === "-C",
  );
  if (command) {
    const text = command.value ?? args.operands[0];
    if (text) runString(run, text, scope, `${call.name} -c`);
    return { kind: "dynamic", from: call.name };
  }
  const file = args.operands[0];
  if (file && file.value !== "-" && !hasOpt(args, "-s")) {
    script(call, file);
    return { kind: "dynamic", from: call.name };
  }
  fromStdin(call, (text) => run.shell(text, scope, `${call.name} reading stdin`));
  return { kind: "dynamic", from: call.name };
};

/** eval ARGS: the words joined are a shell string. */
export const evalHandler: Handler = (call) => {
  if (call.words.length) runString(call.run, joined(call.words), call.scope, "eval");
  return { kind: "dynamic", from: "eval" };
};

/**
 * trap 'CMD' SIGNAL, alias NAME='CMD': strings that run later in this shell, analysed now
 * (a trap on EXIT runs as soon as the script ends).
 */
export const later: Handler = (call) => {
  const { run, scope, words, name } = call;
  if (name === "trap") {
    const first = words[0];
    if (first && words.length > 1 && !first.value.startsWith("-"))
      runString(run, first, scope, "trap");
    return NONE;
  }
  for (const w of words) {
    const eq = w.value.indexOf("=");
    if (eq > 0)
      runString(
        run,
        { ...w, value: w.value.slice(eq + 1) },
        scope,
        `alias ${w.value.slice(0, eq)}`,
      );
  }
  return NONE;
};

/** source FILE / . FILE: runs a file in this shell; `source <(...)` runs a command's output. */
export const source: Handler = (call) => {
  const file = call.args.operands[0];
  if (file) script(call, file);
  return NONE;
};

/** python -c, node -e, perl -e, ruby -e, php -r, deno eval; or a script; or code on stdin. */
export const interpreter: Handler = (call) => {
  const { run, scope, spec, words } = call;
  const how = spec.interpreter;
  if (!how) return undefined;
  const via = `${call.name} ${how.code.length ? `-${how.code[0]}` : (how.codeSub ?? "")}`.trim();
  const code = codeArgument(words, how.code, spec.valueOptions ?? []);
  if (code) {
    if (code.literal) analyzeCode(run, how.lang, code.value, scope, via);
    else runDynamicCode(call, code, via);
    return { kind: "dynamic", from: call.name };
  }
  const args = call.args;
  if (how.codeSub && args.operands[0]?.value === how.codeSub) {
    const text = args.operands[1];
    if (text?.literal) analyzeCode(run, how.lang, text.value, scope, via);
    else if (text) runDynamicCode(call, text, via);
    return { kind: "dynamic", from: call.name };
  }
  const operands = how.codeSub
    ? args.operands.filter((w) => !/^(run|x)$/.test(w.value))
    : args.operands;
  const file = operands[0];
  if (file && file.value !== "-") {
    const known = COMMANDS.get(file.value.slice(file.value.lastIndexOf("/") + 1).toLowerCase());
    if (known?.rules) run.command(call.words.slice(call.words.indexOf(file)), scope, NONE);
    else script(call, file);
    return { kind: "dynamic", from: call.name };
  }
  if (hasOpt(args, ["-m"])) return { kind: "dynamic", from: call.name };
  fromStdin(call, (text) =>
    analyzeCode(run, how.lang as Lang, text, scope, `${call.name} reading stdin`),
  );
  return { kind: "dynamic", from: call.name };
};

function runDynamicCode(call: Call, code: Word, via: string): void {
  if (code.feed === "download")
    call.run.out.add("code.remote_exec", `${via} runs code fetched from the network`);
  if (code.feed === "decode") call.run.out.add("code.remote_exec", `${via} runs a decoded payload`);
  call.run.out.opaque(`${via} runs code built at run time`);
}

/** The code of `-c CODE`, `-ne CODE`, `-cCODE`, `--eval=CODE`, or undefined. */
function codeArgument(
  words: Word[],
  code: readonly string[],
  valueOptions: readonly string[],
): Word | undefined {
  const letters = code.filter((c) => c.length === 1);
  const long = code.filter((c) => c.startsWith("--"));
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as Word;
    const s = w.value;
    if (!w.literal || !s.startsWith("-") || s === "-" || s === "--") return undefined;
    if (s.startsWith("--")) {
      const eq = s.indexOf("=");
      const name = eq > 0 ? s.slice(0, eq) : s;
      if (long.includes(name)) return eq > 0 ? { ...w, value: s.slice(eq + 1) } : words[i + 1];
      if (eq < 0 && valueOptions.includes(s)) i++;
      continue;
    }
    for (let j = 1; j < s.length; j++) {
      const letter = s[j] as string;
      if (letters.includes(letter))
        return j + 1 < s.length ? { ...w, value: s.slice(j + 1) } : words[i + 1];
      if (valueOptions.includes(`-${letter}`)) {
        if (j + 1 === s.length) i++;
        break;
      }
    }
  }
  return undefined;
}

/** PowerShell: -Command runs the rest; -EncodedCommand is base64 UTF-16 and decoded here. */
export const powershell: Handler = (call) => {
  const { run, words } = call;
  for (let i = 0; i < words.length; i++) {
    const s = (words[i] as Word).value;
    if (/^[-/]e(c|nc|ncodedcommand|ncoded)?$/i.test(s)) {
      const payload = words[i + 1];
      const text = payload?.literal
        ? Buffer.from(payload.value, "base64").toString("utf16le")
        : undefined;
      if (text && printable(text)) powershellText(call, text);
      else run.out.opaque("powershell runs an encoded command that does not decode");
      return { kind: "dynamic", from: call.name };
    }
    if (/^[-/]c(o(m(m(a(nd?)?)?)?)?)?$/i.test(s)) {
      // PowerShell, not bash, reads this text: `$true` is its variable, not one of ours.
      powershellText(
        call,
        words
          .slice(i + 1)
          .map((w) => w.raw.replace(/^(["'])([\s\S]*)\1$/, "$2"))
          .join(" "),
      );
      return { kind: "dynamic", from: call.name };
    }
    if (/^[-/]f(ile)?$/i.test(s)) return { kind: "dynamic", from: call.name };
  }
  return { kind: "dynamic", from: call.name };
};

function powershellText(call: Call, text: string): void {
  const { run } = call;
  const downloads =
    /\b(DownloadString|DownloadFile|DownloadData|Invoke-WebRequest|Invoke-RestMethod|iwr|irm|wget|curl|Start-BitsTransfer)\b/i.test(
      text,
    );
  const evaluates = /\b(iex|Invoke-Expression|ScriptBlock\]::Create|&\s*\(\[scriptblock\])/i.test(
    text,
  );
  if (downloads && evaluates)
    run.out.add("code.remote_exec", `${call.name} runs a script fetched from the network`);
  else if (evaluates) run.out.opaque(`${call.name} evaluates a string built at run time`);
  run.shell(text, call.scope, call.name);
}

/** cmd /c STRING. */
export const cmd: Handler = (call) => {
  const at = call.words.findIndex((w) => /^\/[ck]$/i.test(w.value));
  if (at >= 0) runString(call.run, joined(call.words.slice(at + 1)), call.scope, "cmd /c");
  return { kind: "dynamic", from: "cmd" };
};

/**
 * `docker exec C CMD`, `docker run IMAGE CMD`, `kubectl exec POD -- CMD`: the command runs in
 * a container, so it is analysed with the container's (unknown) working directory.
 */
export const containerExec: Handler = (call) => {
  const { run, spec, args } = call;
  const from = call.sub > 0 ? (args.at[call.sub - 1] as number) + 1 : 0;
  let command: Word[];
  if (args.dashdash >= from) command = call.words.slice(args.dashdash + 1);
  else {
    const after = call.words.slice(from);
    const inner = parseArgs(after, spec, 1);
    command = inner.at.length ? after.slice((inner.at[0] as number) + 1) : [];
  }
  run.out.flag("container");
  if (command.length === 0) return NONE;
  // The container runs the argv itself (no shell): analysed directly, with its own paths.
  run.commandElsewhere(command);
  return { kind: "dynamic", from: call.name };
};

const SECRET_VARIABLE =
  /\$\{?[A-Za-z0-9_]*(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIAL)[A-Za-z0-9_]*/i;

/** echo/printf: their text feeds pipes (`echo 'rm -rf /' | sh`); printing a secret variable reads it. */
export const echo: Handler = (call) => {
  const { words, run } = call;
  const leaked = words.find((w) => !w.literal && SECRET_VARIABLE.test(w.value));
  if (leaked && run.stdoutShown)
    run.out.add("secret.access", `${call.name} prints ${leaked.value.match(SECRET_VARIABLE)?.[0]}`);
  if (words.some((w) => !w.literal)) {
    const feed = words.find((w) => w.feed)?.feed;
    return feed === "download"
      ? { kind: "download", url: undefined }
      : feed === "decode"
        ? { kind: "decode", text: undefined }
        : { kind: "dynamic", from: call.name };
  }
  if (call.name === "printf") return { kind: "text", text: printf(words.map((w) => w.value)) };
  let i = 0;
  let escapes = false;
  for (; i < words.length && /^-[neE]+$/.test((words[i] as Word).value); i++)
    if ((words[i] as Word).value.includes("e")) escapes = true;
  const text = words
    .slice(i)
    .map((w) => w.value)
    .join(" ");
  return { kind: "text", text: escapes ? ansiC(text) : text };
};

/** printf FORMAT ARGS: %s and friends take the arguments in turn; the format repeats. */
function printf(args: string[]): string {
  const [format = "", ...rest] = args[0] === "-v" ? args.slice(2) : args;
  let out = "";
  let k = 0;
  do {
    out += ansiC(format).replace(
      /%(%|[-+ 0#]*\d*(?:\.\d+)?[sbdiouxXcfeEgGq])/g,
      (_, spec: string) => {
        if (spec === "%") return "%";
        const v = rest[k++] ?? "";
        return spec.endsWith("b") ? ansiC(v) : v;
      },
    );
  } while (k < rest.length && /%[^%]/.test(format));
  return out;
}

/** base64 -d, xxd -r, openssl enc -d, gpg -d, gzip -d: decoders; literal input is decoded here. */
export const decoder: Handler = (call) => {
  const { args, stdin, name } = call;
  const decoding =
    name === "xxd"
      ? hasOpt(args, ["-r", "-revert"])
      : hasOpt(args, ["-d", "--decode", "-D", "--decrypt", "--decompress"]) ||
        (name === "openssl" && hasOpt(args, "-d"));
  if (!decoding) return { kind: "dynamic", from: name };
  if (stdin.kind === "download") return stdin;
  const hasFile = args.operands.some(
    (w) => w.value !== "-" && !(name === "openssl" && /^(enc|base64|aes|des)/.test(w.value)),
  );
  if (hasFile || stdin.kind !== "text") return { kind: "decode", text: undefined };
  return { kind: "decode", text: decode(name, stdin.text, hasOpt(args, ["-p", "-ps", "-plain"])) };
};

function decode(name: string, text: string, plainHex: boolean): string | undefined {
  const clean = text.replace(/\s+/g, "");
  if (
    (name === "base64" || (name === "openssl" && /^[A-Za-z0-9+/=]+$/.test(clean))) &&
    /^[A-Za-z0-9+/=_-]+$/.test(clean)
  ) {
    const out = Buffer.from(clean, "base64").toString("utf8");
    return printable(out) ? out : undefined;
  }
  if (name === "xxd" && plainHex && /^([0-9a-f]{2})+$/i.test(clean))
    return Buffer.from(clean, "hex").toString("utf8");
  return undefined;
}

/** Text a shell could be handed: tabs, newlines and printable ASCII. */
function printable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 9 && c !== 10 && c !== 13 && (c < 32 || c > 126)) return false;
  }
  return true;
}

/** kill: PID 1 is init; -1 signals every process the user may signal. */
export const kill: Handler = (call) => {
  const words = call.words.map((w) => w.value);
  let i = 0;
  if (words[0] === "-s" || words[0] === "-n") i = 2;
  else if (words[0]?.startsWith("-") && words[0] !== "--" && words.length > 1) i = 1;
  if (words[i] === "--") i++;
  const targets = words.slice(i);
  if (targets.includes("1"))
    call.run.out.add("system.destroy", "kill of PID 1 (init) takes the host down");
  if (targets.includes("-1")) call.run.out.add("system.destroy", "kill -1 signals every process");
  return NONE;
};
