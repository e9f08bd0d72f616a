import type { CategoryId } from "../../core/catalogue.js";
import type { FactsBuilder } from "../../core/facts.js";
import type { SensitivePath } from "./catalogue.js";
import {
  classifyPath,
  deviceKind,
  isArtefact,
  isScratch,
  type PathClass,
  sensitiveOf,
  tildeOf,
  within,
  workspaceFor,
} from "./classify.js";
import { isInside, type PathContext } from "./resolve.js";

/** What an action does to a path. `overwrite` replaces contents (`>`, truncate, cp onto). */
export type PathOp = "read" | "write" | "overwrite" | "delete";

export interface PathUse {
  /** Deletes or changes everything below the path (`rm -r`, `chmod -R`). */
  recursive?: boolean;
  /** The path stands for everything inside it (`dir/*`): as bad as deleting it. */
  contents?: boolean;
  /** The phrase before the path in reasons: "recursive rm of". */
  verb?: string;
  /** How to show the path in reasons (the glob as written, say); defaults to the path. */
  display?: string;
  /** Do not record the path as a target (it is not a real absolute path). */
  untracked?: boolean;
}

const DEFAULT_VERB: Record<PathOp, string> = {
  read: "read of",
  write: "write to",
  overwrite: "overwrite of",
  delete: "delete of",
};

const PROTECTED_WHAT = {
  root: "the root directory",
  system: "a system directory",
  home: "the home directory",
  data: "a data directory",
  backup: "a backup directory",
  workspace: "the whole workspace",
  ancestor: "a directory containing the workspace",
} as const;

/** Collects findings about one path under one reason prefix ("recursive rm of /srv/data"). */
class Findings {
  added = false;
  constructor(
    private readonly out: FactsBuilder,
    private readonly verb: string,
    private readonly shown: string,
  ) {}
  add(category: CategoryId, what?: string): void {
    this.added = true;
    const prefix = `${this.verb} ${this.shown}`;
    this.out.add(category, what ? `${prefix} (${what})` : prefix);
  }
}

/**
 * Records what reading, writing or deleting `path` (absolute) means for the red lines and adds
 * it to `out`. Reusable by any analyzer that meets a path: shell commands, MCP file tools,
 * interpreter one-liners.
 */
export function pathFacts(
  path: string,
  op: PathOp,
  ctx: PathContext,
  out: FactsBuilder,
  use: PathUse = {},
): void {
  if (!use.untracked) out.target("paths", path);
  const recursive = use.recursive === true;
  const verb =
    use.verb ?? (recursive && op === "delete" ? "recursive delete of" : DEFAULT_VERB[op]);
  const f = new Findings(out, verb, use.display ?? path);
  if (op === "read") {
    const entry = sensitiveOf(path, ctx);
    if (entry?.read) f.add(entry.read, entry.what);
    return;
  }
  if (recursive) out.flag("recursive");
  if (op === "delete") deleteFacts(classifyPath(path, ctx), recursive || use.contents === true, f);
  else writeFacts(path, op, ctx, f, sensitiveOf(path, ctx));
}

/** Writes: persistence and credential files, devices, data overwritten, anything outside the workspace. */
function writeFacts(
  path: string,
  op: PathOp,
  ctx: PathContext,
  f: Findings,
  entry: SensitivePath | undefined,
): void {
  if (entry?.write) f.add(entry.write, entry.what);
  const device = deviceKind(path);
  if (device === "harmless") return;
  if (device === "disk" || device === "kernel") {
    f.add("system.destroy", device === "disk" ? "a disk device" : "a kernel device");
    return;
  }
  if (device === "network") {
    f.add("network.egress", "a network socket");
    return;
  }
  const workspace = workspaceFor(path, ctx);
  if (workspace === undefined || isInside(path, workspace)) return;
  const inData = isArtefact(path, tildeOf(path, ctx.home)) ? undefined : within(path, workspace);
  if (op === "overwrite" && inData)
    f.add(inData === "backup" ? "backup.destroy" : "data.destroy", `inside a ${inData} directory`);
  outside(path, ctx, f);
}

/** Changing anything outside the workspace weakens security, unless scratch, regenerable or explained. */
function outside(path: string, ctx: PathContext, f: Findings): void {
  if (f.added || isScratch(path) || isArtefact(path, tildeOf(path, ctx.home))) return;
  f.add("security.weaken", "outside the workspace");
}

function deleteFacts(c: PathClass, destroys: boolean, f: Findings): void {
  const entry = c.sensitive?.delete;
  if (entry && c.sensitive) f.add(entry, c.sensitive.what);
  const device = c.device;
  if (device === "harmless") return;
  if (device === "disk" || device === "kernel") {
    f.add("system.destroy", device === "disk" ? "a disk device" : "a kernel device");
    return;
  }
  const kind = c.protected;
  switch (kind) {
    case "root":
    case "system":
    case "home":
      if (destroys) {
        f.add("system.destroy", PROTECTED_WHAT[kind]);
        f.add("data.destroy", PROTECTED_WHAT[kind]);
      }
      break;
    case "data":
    case "backup":
      if (destroys)
        f.add(kind === "backup" ? "backup.destroy" : "data.destroy", PROTECTED_WHAT[kind]);
      break;
    case "workspace":
    case "ancestor":
      if (destroys) f.add("data.destroy", PROTECTED_WHAT[kind]);
      break;
    default: {
      const inWorkspace = c.inWorkspace;
      if (inWorkspace) return; // an ordinary file or build output of the workspace
      const inside = c.within;
      if (inside)
        f.add(
          inside === "backup" ? "backup.destroy" : "data.destroy",
          `inside a ${inside} directory`,
        );
      // Outside the workspace (or with none to compare), a recursive delete destroys data.
      else if (destroys && !c.scratch && !c.artefact)
        f.add("data.destroy", inWorkspace === false ? "outside the workspace" : undefined);
    }
  }
  if (c.inWorkspace === false && !f.added && !c.scratch && !c.artefact)
    f.add("security.weaken", "outside the workspace");
}
