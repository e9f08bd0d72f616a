import { classifyPath } from "../../paths/index.js";
import { hasOpt, optValue } from "../args.js";
import type { Call, Handler } from "../call.js";
import { literalWord, NONE, type Word } from "../model.js";

const RECURSIVE = ["-r", "-R", "--recursive"];

export const rm: Handler = (call) => {
  const { args, run, scope } = call;
  if (call.words.some((w) => /^\/[sq]$/i.test(w.value))) return windowsDelete(call);
  const recursive = hasOpt(args, RECURSIVE);
  if (hasOpt(args, ["-f", "--force"])) run.out.flag("force");
  if (hasOpt(args, "--no-preserve-root")) run.out.flag("no-preserve-root");
  const verb = recursive ? `recursive ${call.name} of` : `${call.name} of`;
  for (const w of args.operands) run.path(w, "delete", scope, { recursive, verb });
  return NONE;
};

export const rmdir: Handler = rm;

/** rimraf, del-cli: always recursive. */
export const rimraf: Handler = (call) => {
  for (const w of call.args.operands)
    call.run.path(w, "delete", call.scope, { recursive: true, verb: `${call.name} of` });
  return NONE;
};

/** shred overwrites contents in place (and with -u removes the file): destruction either way. */
export const shred: Handler = (call) => {
  for (const w of call.args.operands) call.run.path(w, "delete", call.scope, { verb: "shred of" });
  return NONE;
};

export const truncate: Handler = (call) => {
  const size = optValue(call.args, ["-s", "--size"])?.value ?? "";
  const op = size.startsWith("+") ? "write" : "overwrite";
  for (const w of call.args.operands) call.run.path(w, op, call.scope, { verb: "truncate of" });
  return NONE;
};

/** dd if=... of=...: writing to a block device destroys a filesystem. */
export const dd: Handler = (call) => {
  for (const w of call.words) {
    const m = /^(if|of)=(.*)$/.exec(w.value);
    if (!m) continue;
    const value: Word = { ...w, value: m[2] as string, prefix: w.prefix.slice(3) };
    if (m[1] === "of") call.run.path(value, "overwrite", call.scope, { verb: "dd onto" });
    else call.run.path(value, "read", call.scope, { verb: "dd reads" });
  }
  return NONE;
};

/** `cp SRC... DST` / `cp -t DST SRC...`: sources are read, the destination is written. */
export const cp: Handler = (call) => {
  const { sources, target } = transfer(call);
  for (const w of sources) call.run.path(w, "read", call.scope, { verb: `${call.name} reads` });
  if (target)
    call.run.path(target, sources.length === 1 ? "overwrite" : "write", call.scope, {
      verb: `${call.name} onto`,
    });
  return NONE;
};

/**
 * `mv SRC... DST`: onto /dev/null the sources are gone; moving a protected directory away is
 * as good as deleting it; otherwise the source's location changes (a write) and the target
 * may be overwritten.
 */
export const mv: Handler = (call) => {
  const { run, scope } = call;
  const { sources, target } = transfer(call);
  const discards = target?.value === "/dev/null";
  if (discards)
    for (const w of sources) run.out.add("data.destroy", `mv onto /dev/null discards ${w.value}`);
  for (const w of sources) {
    const abs = run.resolve(w, scope);
    const away =
      abs !== undefined &&
      classifyPath(abs, run.at(scope)).protected !== undefined &&
      !sameParent(abs, target, call);
    if (discards || away)
      run.path(w, "delete", scope, {
        recursive: true,
        verb: discards ? "mv to /dev/null of" : "mv away of",
      });
    else run.path(w, "write", scope, { verb: "mv of" });
  }
  if (target && !discards)
    run.path(target, sources.length === 1 ? "overwrite" : "write", scope, { verb: "mv onto" });
  return NONE;
};

function sameParent(abs: string, target: Word | undefined, call: Call): boolean {
  const to = target && call.run.resolve(target, call.scope);
  if (!to) return false;
  return to.slice(0, to.lastIndexOf("/")) === abs.slice(0, abs.lastIndexOf("/"));
}

function transfer(call: Call): { sources: Word[]; target: Word | undefined } {
  const t = optValue(call.args, ["-t", "--target-directory"]);
  const ops = call.args.operands;
  if (t) return { sources: ops, target: t };
  if (ops.length < 2) return { sources: ops, target: undefined };
  return { sources: ops.slice(0, -1), target: ops[ops.length - 1] };
}

export const tee: Handler = (call) => {
  const op = hasOpt(call.args, ["-a", "--append"]) ? "write" : "overwrite";
  for (const w of call.args.operands) call.run.path(w, op, call.scope, { verb: "tee onto" });
  return call.stdin;
};

/** touch, mkdir: each operand is created or changed. */
export const write: Handler = (call) => {
  for (const w of call.args.operands)
    call.run.path(w, "write", call.scope, { verb: `${call.name} of` });
  return NONE;
};

/** `ln [-s] TARGET [LINK]`: the link is what gets written (`ln -sf /dev/null ~/.bash_history`). */
export const ln: Handler = (call) => {
  const ops = call.args.operands;
  const dir = optValue(call.args, ["-t", "--target-directory"]);
  const force = hasOpt(call.args, ["-f", "--force"]);
  const links = dir
    ? [dir]
    : ops.length >= 2
      ? [ops[ops.length - 1] as Word]
      : ops.map((w) => literalWord(w.value.slice(w.value.lastIndexOf("/") + 1)));
  for (const w of links)
    call.run.path(w, force ? "overwrite" : "write", call.scope, { verb: "ln onto" });
  return NONE;
};

/** sed reads its files; with -i it rewrites them. */
export const sed: Handler = (call) => {
  const { args } = call;
  const script = hasOpt(args, ["-e", "--expression", "-f", "--file"]) ? 0 : 1;
  const inPlace = hasOpt(args, ["-i", "--in-place"]);
  for (const w of args.operands.slice(script))
    call.run.path(w, inPlace ? "write" : "read", call.scope, {
      verb: inPlace ? "sed -i of" : "sed reads",
    });
  return { kind: "dynamic", from: "sed" };
};

/** Modes that add nothing for group or others (chmod 600, go-rwx, u+x): tightening is fine. */
function tightens(mode: string): boolean {
  if (/^[0-7]{3,4}$/.test(mode)) {
    const digits = mode.padStart(4, "0");
    return digits[0] === "0" && !/[2367]/.test(digits.slice(2)) && !/[1357]/.test(digits.slice(2));
  }
  return mode
    .split(",")
    .every((clause) => /^[ugoa]*-/.test(clause) || /^u[+=]/.test(clause) || /^\+x$/.test(clause));
}

function setsId(mode: string): boolean {
  if (/^[0-7]{4}$/.test(mode)) return /^[2-7]/.test(mode);
  return /[+=][rwxXt]*s/.test(mode);
}

/** chmod: setuid, world-writable or any loosening outside the workspace weakens security. */
export const chmod: Handler = (call) => {
  const { args, run } = call;
  const ref = hasOpt(args, "--reference");
  const mode = ref ? "" : (args.operands[0]?.value ?? "");
  const files = ref ? args.operands : args.operands.slice(1);
  const recursive = hasOpt(args, RECURSIVE);
  for (const w of files) {
    if (setsId(mode))
      run.out.add("security.weaken", `chmod ${mode} sets the setuid/setgid bit on ${w.value}`);
    ownership(call, w, recursive, tightens(mode) && !ref, `chmod ${mode}`);
  }
  return NONE;
};

export const chown: Handler = (call) => {
  const ref = hasOpt(call.args, "--reference");
  const files = ref ? call.args.operands : call.args.operands.slice(1);
  for (const w of files) ownership(call, w, hasOpt(call.args, RECURSIVE), false, call.name);
  return NONE;
};

/** Permission or ownership changes: recursive over a system directory breaks the host. */
function ownership(call: Call, w: Word, recursive: boolean, harmless: boolean, what: string): void {
  const { run, scope } = call;
  const abs = run.resolve(w, scope);
  if (!abs) return;
  run.out.target("paths", abs);
  const c = classifyPath(abs, run.at(scope));
  const where = recursive ? `recursive ${what} of ${abs}` : `${what} of ${abs}`;
  if (recursive && (c.protected === "root" || c.protected === "system" || c.protected === "home")) {
    run.out.add("system.destroy", `${where} (breaks the host)`);
    run.out.add("security.weaken", where);
    return;
  }
  if (harmless) return;
  if (c.sensitive?.write) run.out.add("security.weaken", `${where} (${c.sensitive.what})`);
  else if (c.inWorkspace === false && !c.scratch && !c.artefact)
    run.out.add("security.weaken", `${where} (outside the workspace)`);
}

/** Windows deletes: `rd /s /q X`, `del /s /q X`, `Remove-Item -Recurse -Force X`. */
export const windowsDelete: Handler = (call) => {
  const { run, scope } = call;
  const isSwitch = (w: Word) => /^\/[a-z?](:.*)?$/i.test(w.value) || /^-[a-z]/i.test(w.value);
  const switches = call.words.filter(isSwitch);
  const recursive = switches.some((w) => /^(\/s|-r(e(c(u(r(se?)?)?)?)?)?)$/i.test(w.value));
  if (switches.some((w) => /^(\/q|-fo(r(ce?)?)?)$/i.test(w.value))) run.out.flag("force");
  const verb = recursive ? `recursive ${call.name} of` : `${call.name} of`;
  for (const w of call.words) {
    if (isSwitch(w)) continue;
    const value = windowsPath(w.raw, run.ctx.home);
    const known = !/[$%]/.test(value);
    run.path(known ? { ...literalWord(value), glob: /[*?]/.test(value) } : w, "delete", scope, {
      recursive,
      verb,
    });
  }
  return NONE;
};

function windowsPath(raw: string, home: string): string {
  const unquoted = raw.replace(/^(['"])(.*)\1$/, "$2");
  return unquoted
    .replace(/^(%USERPROFILE%|%HOMEPATH%|\$env:USERPROFILE|\$HOME|~)(?=[\\/]|$)/i, home)
    .replace(/^(%SystemRoot%|%windir%|\$env:windir|\$env:SystemRoot)/i, "C:/Windows")
    .replace(/^%SystemDrive%|^\$env:SystemDrive/i, "C:")
    .replace(/\\/g, "/");
}
