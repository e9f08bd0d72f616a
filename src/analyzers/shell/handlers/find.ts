import { classifyPath } from "../../paths/index.js";
import type { Call, Handler } from "../call.js";
import { literalWord, NONE, type Word } from "../model.js";

/** Tests that narrow what find matches; without one, find matches everything under its roots. */
const FILTERS = new Set([
  "-name",
  "-iname",
  "-path",
  "-ipath",
  "-wholename",
  "-iwholename",
  "-regex",
  "-iregex",
  "-lname",
  "-ilname",
  "-newer",
  "-anewer",
  "-cnewer",
  "-newermt",
  "-mtime",
  "-mmin",
  "-atime",
  "-amin",
  "-ctime",
  "-cmin",
  "-used",
  "-size",
  "-user",
  "-group",
  "-uid",
  "-gid",
  "-nouser",
  "-nogroup",
  "-perm",
  "-empty",
  "-links",
  "-inum",
  "-samefile",
  "-readable",
  "-writable",
  "-executable",
  "-fstype",
  "-context",
]);
const EXECS = new Set(["-exec", "-execdir", "-ok", "-okdir"]);
const GLOBAL = /^-(H|L|P|O\d*|D)$/;

/**
 * find ROOTS EXPR: `-delete` deletes what it matches; `-exec CMD {} ;` runs CMD on each match
 * (analysed with `{}` standing for "an entry under the root", or for everything in the root
 * when nothing filters the match). Without an action find prints paths, which xargs may use.
 */
export const find: Handler = (call) => {
  const { words, run, scope } = call;
  let i = 0;
  while (i < words.length && GLOBAL.test((words[i] as Word).value))
    i += (words[i] as Word).value === "-D" ? 2 : 1;
  const roots: Word[] = [];
  for (; i < words.length; i++) {
    const v = (words[i] as Word).value;
    if (v.startsWith("-") || v === "(" || v === "!" || v === "\\(") break;
    roots.push(words[i] as Word);
  }
  if (roots.length === 0) roots.push(literalWord("."));
  let filtered = false;
  let deletes = false;
  const execs: Word[][] = [];
  for (; i < words.length; i++) {
    const v = (words[i] as Word).value;
    if (v === "-delete") deletes = true;
    else if (FILTERS.has(v)) filtered = true;
    else if (EXECS.has(v)) {
      const cmd: Word[] = [];
      for (
        i++;
        i < words.length && (words[i] as Word).value !== ";" && (words[i] as Word).value !== "+";
        i++
      )
        cmd.push(words[i] as Word);
      execs.push(cmd);
    }
  }
  for (const root of roots) {
    if (deletes) {
      if (filtered) {
        run.path(under(root), "delete", scope, { verb: "find -delete under" });
        across(call, root, "find -delete");
      } else run.path(root, "delete", scope, { recursive: true, verb: "find -delete of" });
    }
    const each = filtered ? under(root) : { ...literalWord(`${trimmed(root)}/*`), glob: true };
    for (const cmd of execs) {
      run.command(
        cmd.map((w) => (w.value.includes("{}") ? substitute(w, each) : w)),
        scope,
        NONE,
      );
      if (filtered && /^(rm|shred|unlink)$/.test(cmd[0]?.value ?? ""))
        across(call, root, `find -exec ${cmd[0]?.value}`);
    }
  }
  if (deletes || execs.length > 0) return NONE;
  const first = run.resolve(roots[0] as Word, scope);
  return first ? { kind: "paths", under: first, filtered } : { kind: "dynamic", from: "find" };
};

/** Deleting matches across the whole host, a home or a data directory destroys data there. */
function across(call: Call, root: Word, what: string): void {
  const abs = call.run.resolve(root, call.scope);
  if (!abs) return;
  const c = classifyPath(abs, call.run.at(call.scope));
  if (
    c.protected === "root" ||
    c.protected === "system" ||
    c.protected === "home" ||
    c.protected === "data" ||
    c.protected === "ancestor"
  )
    call.run.out.add("data.destroy", `${what} of matching files across ${abs}`);
  if (c.protected === "backup")
    call.run.out.add("backup.destroy", `${what} of matching files across ${abs}`);
  if (abs === "/" || abs === "/var")
    call.run.out.add("audit.tamper", `${what} across ${abs} reaches the system logs`);
}

function trimmed(root: Word): string {
  return root.value.length > 1 ? root.value.replace(/\/+$/, "") : root.value;
}

/** One entry somewhere under the root: `/srv/data/{}` is inside the data directory. */
function under(root: Word): Word {
  const base = trimmed(root);
  return root.literal
    ? literalWord(base === "/" ? "/{}" : `${base}/{}`)
    : { ...root, value: `${root.value}/{}` };
}

function substitute(w: Word, each: Word): Word {
  if (w.value === "{}") return each;
  return {
    ...each,
    value: w.value.split("{}").join(each.value),
    prefix: w.value.split("{}").join(each.value),
  };
}
