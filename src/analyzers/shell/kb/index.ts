import { CLOUD_COMMANDS } from "./cloud.js";
import { DATA_COMMANDS } from "./data.js";
import { EXEC_COMMANDS } from "./exec.js";
import { FILE_COMMANDS } from "./files.js";
import { SYSTEM_COMMANDS } from "./system.js";
import type { CommandSpec } from "./types.js";
import { VCS_COMMANDS } from "./vcs.js";
import { WRAPPERS } from "./wrappers.js";

export { ENVIRONMENT_RULES } from "./system.js";
export type * from "./types.js";

/** Names that stand for a known command (`python3.12` → `python`, `mkfs.ext4` → `mkfs`). */
export const NAME_PATTERNS: readonly { readonly pattern: string; readonly as: string }[] = [
  { pattern: "^python[0-9.]*$", as: "python" },
  { pattern: "^pip[0-9.]*$", as: "pip" },
  { pattern: "^(mkfs|mkdosfs|mkntfs|newfs)(\\..+|_.+)?$", as: "mkfs" },
  { pattern: "^mke2fs|^mkfs\\.", as: "mkfs" },
  { pattern: "^perl[0-9.]+$", as: "perl" },
  { pattern: "^ruby[0-9.]+$", as: "ruby" },
  { pattern: "^php[0-9.]+$", as: "php" },
  { pattern: "^node[0-9]+$", as: "node" },
  { pattern: "^psql[0-9.-]+$", as: "psql" },
  { pattern: "^docker-compose-.+$", as: "docker-compose" },
];

/** Every command the engine knows, by lower-case name; specs from several tables are merged. */
export const COMMANDS: ReadonlyMap<string, CommandSpec> = merge([
  FILE_COMMANDS,
  SYSTEM_COMMANDS,
  VCS_COMMANDS,
  CLOUD_COMMANDS,
  DATA_COMMANDS,
  EXEC_COMMANDS,
  WRAPPERS,
]);

function merge(tables: readonly Readonly<Record<string, CommandSpec>>[]): Map<string, CommandSpec> {
  const out = new Map<string, CommandSpec>();
  for (const table of tables) {
    for (const [name, spec] of Object.entries(table)) {
      const seen = out.get(name);
      if (!seen) {
        out.set(name, spec);
        continue;
      }
      out.set(name, {
        ...seen,
        ...spec,
        valueOptions: [...(seen.valueOptions ?? []), ...(spec.valueOptions ?? [])],
        rules: [...(seen.rules ?? []), ...(spec.rules ?? [])],
      });
    }
  }
  return out;
}
