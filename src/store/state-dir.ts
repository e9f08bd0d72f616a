import { chmodSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";

export const DEFAULT_STATE_DIR = ".redline";
export const STATE_DIR_ENV = "REDLINE_STATE_DIR";

/** The state directory: the `--state-dir` flag, else $REDLINE_STATE_DIR, else ./.redline. */
export function resolveStateDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  return path.resolve(cwd, flag || env[STATE_DIR_ENV] || DEFAULT_STATE_DIR);
}

/**
 * Creates the directory with mode 0700, or tightens an existing one: it holds the audit log
 * and the checkpoint signing key, which no agent and no other user may read or change.
 */
export function ensureStateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
