import type { AnalysisContext } from "../types.js";

export type PathContext = Pick<AnalysisContext, "cwd" | "home" | "workspace" | "realpath">;

/**
 * Where relative paths land when the working directory is unknown. Not a real directory: it is
 * classified as the workspace (relative paths stay "here"), and policy globs on
 * file names (a `.env` anywhere) still match below it.
 */
export const UNKNOWN_CWD = "/(unknown cwd)";
/** Where `..` from the unknown working directory leads: a directory containing it. */
export const UNKNOWN_PARENT = "/(parent of unknown cwd)";

const HOME_VAR = /\$(?:HOME\b|\{HOME\})/g;
const WINDOWS_DRIVE = /^[A-Za-z]:(?:[\\/]|$)/;

/**
 * An absolute, normalised path for `raw` as the shell would see it: `~`, `~/x`, `~user`,
 * `$HOME` and `${HOME}` expanded, relative paths joined to `ctx.cwd` (or UNKNOWN_CWD), `.` and
 * `..` folded, and symlinks resolved when the adapter supplies `ctx.realpath`. Windows drive
 * paths become `C:/...`.
 */
export function resolvePath(
  raw: string,
  ctx: Pick<PathContext, "cwd" | "home" | "realpath">,
): string {
  let path = raw.includes("$") ? raw.replace(HOME_VAR, ctx.home) : raw;
  if (path === "~" || path.startsWith("~/")) path = ctx.home + path.slice(1);
  else if (path.startsWith("~")) path = `/home/${path.slice(1)}`;
  if (WINDOWS_DRIVE.test(path)) return normalise(path.replace(/\\/g, "/"), 2);
  if (!path.startsWith("/")) {
    if (ctx.cwd === undefined) return normaliseUnder(path);
    path = `${ctx.cwd}/${path}`;
  }
  const normal = normalise(path, 0);
  if (!ctx.realpath || normal.startsWith(UNKNOWN_CWD)) return normal;
  try {
    return ctx.realpath(normal);
  } catch {
    return normal; // a path that does not exist yet is taken lexically
  }
}

/** A relative path below the unknown working directory; `..` past it leads to its parent. */
function normaliseUnder(relative: string): string {
  const parts: string[] = [];
  let escaped = false;
  for (const part of relative.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== "..") parts.push(part);
    else if (parts.length) parts.pop();
    else escaped = true;
  }
  const root = escaped ? UNKNOWN_PARENT : UNKNOWN_CWD;
  return parts.length ? `${root}/${parts.join("/")}` : root;
}

const NEEDS_FOLDING = /\/\/|\/\.\.?(\/|$)|.\/$/;

/** Folds `.`, `..` and repeated slashes; `root` is the length of a drive prefix (`C:`). */
function normalise(path: string, root: number): string {
  if (root === 0 && !NEEDS_FOLDING.test(path)) return path;
  const prefix = path.slice(0, root);
  const parts: string[] = [];
  for (const part of path.slice(root).split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  if (root > 0) return parts.length ? `${prefix}/${parts.join("/")}` : prefix;
  return `/${parts.join("/")}`;
}

/** Whether `path` is `root` or lies under it (both absolute and normalised). */
export function isInside(path: string, root: string): boolean {
  if (path === root) return true;
  if (root === "/") return path.startsWith("/");
  return path.startsWith(root) && path.charCodeAt(root.length) === 47; // "/"
}

/** The directory part of an absolute path. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
