import picomatch from "picomatch";
import {
  BACKUP_DIRS,
  BACKUP_NAMES,
  BUILD_ARTEFACT_EXTENSIONS,
  BUILD_ARTEFACT_NAMES,
  CACHE_DIRS,
  DATA_DIRS,
  DATA_NAMES,
  DISK_DEVICE,
  HARMLESS_DEVICES,
  KERNEL_DEVICES,
  SCRATCH_DIRS,
  SENSITIVE_PATHS,
  type SensitivePath,
  SYSTEM_DIRS,
} from "./catalogue.js";
import { baseName, isInside, type PathContext, UNKNOWN_CWD, UNKNOWN_PARENT } from "./resolve.js";

/** A directory whose deletion is never ordinary work. */
export type Protected = "root" | "system" | "home" | "data" | "backup" | "workspace" | "ancestor";

export interface PathClass {
  path: string;
  /** The first sensitive-path catalogue entry that matches. */
  sensitive: SensitivePath | undefined;
  protected: Protected | undefined;
  /** Inside a data or backup location (but not that location itself). */
  within: "data" | "backup" | undefined;
  /** Inside the workspace; undefined when there is no workspace to compare with. */
  inWorkspace: boolean | undefined;
  /** Regenerable: build output, caches, temporary files. */
  artefact: boolean;
  scratch: boolean;
  device: "disk" | "kernel" | "network" | "harmless" | undefined;
}

// One regex per entry (picomatch's matcher functions are far slower than a bare RegExp test).
const sensitiveMatchers = SENSITIVE_PATHS.map(
  (entry) =>
    new RegExp(
      (typeof entry.glob === "string" ? [entry.glob] : entry.glob)
        .map((g) => `(?:${picomatch.makeRe(g, { dot: true }).source})`)
        .join("|"),
    ),
);

/**
 * A path can only match a catalogue glob if one of its segments matches the glob's last
 * literal-ish segment (`.ssh`, `*.pem`, `.env.*`). Checking segments against these triggers
 * first keeps the glob matchers off the hot path for ordinary files.
 */
const exactTriggers = new Set<string>();
const prefixTriggers: string[] = [];
const suffixTriggers = new Map<string, string[]>(); // by extension: ".pem" → ["*.pem"'s ".pem"]
for (const entry of SENSITIVE_PATHS) {
  for (const glob of typeof entry.glob === "string" ? [entry.glob] : entry.glob) {
    const last =
      glob
        .split("/")
        .filter((seg) => seg !== "**" && seg !== "*" && seg !== "~" && seg !== "")
        .pop() ?? "";
    const star = last.indexOf("*");
    if (star < 0) exactTriggers.add(last);
    else if (star > 0) prefixTriggers.push(last.slice(0, star));
    else {
      const suffix = last.slice(last.lastIndexOf("*") + 1);
      const ext = suffix.slice(suffix.lastIndexOf("."));
      suffixTriggers.set(ext, [...(suffixTriggers.get(ext) ?? []), suffix]);
    }
  }
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const segmentTrigger = new RegExp(
  `(?:^|/)(?:${[...[...exactTriggers].map(escapeRegex), ...prefixTriggers.map((p) => `${escapeRegex(p)}[^/]*`)].join("|")})(?=/|$)`,
);

/** Suffix globs (`*.pem`) always end a catalogue glob, so only the base name can match them. */
function mayBeSensitive(path: string): boolean {
  if (segmentTrigger.test(path)) return true;
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  if (dot < 0) return false;
  const suffixes = suffixTriggers.get(base.slice(dot));
  return suffixes?.some((x) => base.endsWith(x)) ?? false;
}

const harmless = picomatch(HARMLESS_DEVICES as string[]);
const disk = new RegExp(DISK_DEVICE);
const artefactNames = new Set(BUILD_ARTEFACT_NAMES);
const insideArtefact = new RegExp(
  `/(?:${BUILD_ARTEFACT_NAMES.map((n) => escapeRegex(n)).join("|")})/`,
);
const dataNames = new Set(DATA_NAMES);
const backupNames = new Set(BACKUP_NAMES);
const systemDirs = new Set(SYSTEM_DIRS);
const dataDirs = new Set(DATA_DIRS);
const backupDirs = new Set(BACKUP_DIRS);

/** Classifies an absolute, normalised path (see resolvePath) for the red-line catalogue. */
export function classifyPath(path: string, ctx: PathContext): PathClass {
  return new Classified(path, ctx);
}

/** Fields are computed when first read: deciding a delete in the workspace needs few of them. */
class Classified implements PathClass {
  private readonly home: string;
  private readonly workspace: string | undefined;
  // null: not computed yet (undefined is a legitimate value).
  private tildeMemo: string | undefined | null = null;
  private sensitiveMemo: SensitivePath | undefined | null = null;
  private protectedMemo: Protected | undefined | null = null;
  private artefactMemo: boolean | null = null;

  constructor(
    readonly path: string,
    private readonly ctx: PathContext,
  ) {
    const home = ctx.home;
    this.home = home.length > 1 && home.endsWith("/") ? home.slice(0, -1) : home;
    this.workspace = workspaceFor(path, ctx);
  }

  private get tilde(): string | undefined {
    if (this.tildeMemo === null) this.tildeMemo = tildeOf(this.path, this.home);
    return this.tildeMemo;
  }
  get inWorkspace(): boolean | undefined {
    return this.workspace === undefined ? undefined : isInside(this.path, this.workspace);
  }
  get artefact(): boolean {
    if (this.artefactMemo === null) this.artefactMemo = isArtefact(this.path, this.tilde);
    return this.artefactMemo;
  }
  get sensitive(): SensitivePath | undefined {
    if (this.sensitiveMemo === null) this.sensitiveMemo = sensitiveEntry(this.path, this.tilde);
    return this.sensitiveMemo;
  }
  get protected(): Protected | undefined {
    if (this.protectedMemo === null)
      this.protectedMemo = protectedKind(
        this.path,
        this.home,
        this.workspace,
        this.ctx.cwd,
        () => this.artefact,
      );
    return this.protectedMemo;
  }
  get within(): "data" | "backup" | undefined {
    return this.artefact ? undefined : within(this.path, this.workspace);
  }
  get scratch(): boolean {
    return isScratch(this.path);
  }
  get device(): PathClass["device"] {
    return deviceKind(this.path);
  }
}

/**
 * The directory writes are allowed under: `ctx.workspace`, else `ctx.cwd`. With neither, the
 * unknown working directory stands in, so relative paths are still "in the workspace".
 */
export function workspaceOf(ctx: PathContext): string | undefined {
  const ws = ctx.workspace ?? ctx.cwd;
  if (ws === undefined) return undefined;
  if (!ctx.realpath || ws === UNKNOWN_CWD) return ws;
  let seen = realWorkspaces.get(ctx.realpath);
  if (!seen) {
    seen = new Map();
    realWorkspaces.set(ctx.realpath, seen);
  }
  let real = seen.get(ws);
  if (real === undefined) {
    try {
      real = ctx.realpath(ws);
    } catch {
      real = ws;
    }
    seen.set(ws, real);
  }
  return real;
}
/** The workspace to judge `path` against; with none known, only the unknown cwd counts as one. */
export function workspaceFor(path: string, ctx: PathContext): string | undefined {
  return workspaceOf(ctx) ?? (isInside(path, UNKNOWN_CWD) ? UNKNOWN_CWD : undefined);
}

/** The workspace is resolved once per realpath function, not once per path classified. */
const realWorkspaces = new WeakMap<(path: string) => string, Map<string, string>>();

/** Only the sensitive-path entry: all a read needs. */
export function sensitiveOf(
  path: string,
  ctx: Pick<PathContext, "home">,
): SensitivePath | undefined {
  return mayBeSensitive(path) ? matchSensitive(path, tildeOf(path, ctx.home)) : undefined;
}

/** The first catalogue entry matching the path (absolute, or `~/...` under the home directory). */
export function sensitiveEntry(path: string, tilde: string | undefined): SensitivePath | undefined {
  return mayBeSensitive(path) ? matchSensitive(path, tilde) : undefined;
}

/** The catalogue globs themselves, once the cheap trigger test has passed. */
function matchSensitive(path: string, tilde: string | undefined): SensitivePath | undefined {
  for (let i = 0; i < SENSITIVE_PATHS.length; i++) {
    const m = sensitiveMatchers[i] as RegExp;
    if (m.test(path) || (tilde !== undefined && m.test(tilde))) return SENSITIVE_PATHS[i];
  }
  return undefined;
}

function protectedKind(
  path: string,
  home: string,
  workspace: string | undefined,
  cwd: string | undefined,
  artefact: () => boolean,
): Protected | undefined {
  if (path === "/" || /^[A-Za-z]:$/.test(path)) return "root";
  if (path === home) return "home";
  if (backupDirs.has(path)) return "backup";
  if (dataDirs.has(path)) return "data";
  if (systemDirs.has(path)) return "system";
  if (path === workspace || (path === cwd && !artefact())) return "workspace";
  // By name: a directory named "data" inside build output is still build output, and one
  // inside a backup location is a backup.
  const name = baseName(path);
  if (backupNames.has(name) && !artefact()) return "backup";
  if (dataNames.has(name) && !artefact())
    return within(path, workspace) === "backup" ? "backup" : "data";
  if (workspace !== undefined && isInside(workspace, path)) return "ancestor";
  if (path === UNKNOWN_PARENT) return "ancestor";
  return undefined;
}

export function isScratch(path: string): boolean {
  return SCRATCH_DIRS.some((d) => isInside(path, d));
}

/** The `~/...` form of a path under the home directory, which catalogue globs use. */
export function tildeOf(path: string, home: string): string | undefined {
  const h = home.length > 1 && home.endsWith("/") ? home.slice(0, -1) : home;
  if (h !== "/" && isInside(path, h)) return `~${path.slice(h.length)}`;
  // Another user's home holds the same kinds of secrets and startup files as ours.
  const other = OTHER_HOME.exec(path);
  return other ? `~${other[2] ?? ""}` : undefined;
}

const OTHER_HOME = /^(\/home\/[^/]+|\/root|\/Users\/[^/]+|\/var\/lib\/[^/]+)(\/.*)?$/;

export function within(path: string, workspace: string | undefined): "data" | "backup" | undefined {
  if (workspace !== undefined && isInside(path, workspace)) return undefined;
  // Walk up the ancestors: a data location anywhere above the path puts it inside one.
  let kind: "data" | "backup" | undefined;
  for (let at = path.lastIndexOf("/"); at > 0; at = path.lastIndexOf("/", at - 1)) {
    const dir = path.slice(0, at);
    const name = dir.slice(dir.lastIndexOf("/") + 1);
    if (backupDirs.has(dir) || backupNames.has(name)) return "backup";
    if (dataDirs.has(dir) || dataNames.has(name)) kind = "data";
  }
  return kind;
}

export function isArtefact(path: string, tilde: string | undefined): boolean {
  if (tilde !== undefined && CACHE_DIRS.some((d) => isInside(tilde, d))) return true;
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (artefactNames.has(name)) return true;
  const dot = name.lastIndexOf(".");
  if (dot > 0 && BUILD_ARTEFACT_EXTENSIONS.includes(name.slice(dot))) return true;
  // Anything inside an artefact directory is regenerable too.
  return insideArtefact.test(path);
}

export function deviceKind(path: string): PathClass["device"] {
  if (!path.startsWith("/dev/") && !path.startsWith("/proc/")) return undefined;
  if (harmless(path)) return "harmless";
  if (path.startsWith("/dev/tcp/") || path.startsWith("/dev/udp/")) return "network";
  if (KERNEL_DEVICES.includes(path)) return "kernel";
  if (disk.test(path)) return "disk";
  return undefined;
}
