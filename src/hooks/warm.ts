import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CODE_CACHE_ENV, cacheFile } from "./compile-cache.js";

/**
 * The hook's code cache (compile-cache.ts) for the node running this: "present" if it is there,
 * else made by one standalone call, in write mode, on a shell command with SQL in it, which
 * loads every parser. `npm run build` makes it; `redline hook install` makes it again when the
 * hook will run on another node than the one that built it. Never fails: without a cache the
 * hook is slower, not wrong.
 */
export function ensureCodeCache(hooksDir: string): string {
  const bundle = path.join(hooksDir, "hook-local.cjs");
  if (!existsSync(bundle)) return "not made: the hook is not bundled (npm run build bundles it)";
  const expected = cacheFile(path.join(hooksDir, "cache"), readFileSync(bundle, "utf8"));
  if (existsSync(expected)) return "present";
  const state = mkdtempSync(path.join(os.tmpdir(), "redline-code-cache-"));
  try {
    const input = JSON.stringify({
      session_id: "code-cache",
      transcript_path: path.join(state, "transcript.jsonl"),
      cwd: state,
      hook_event_name: "PreToolUse",
      tool_name: "Bash",
      tool_input: { command: `psql -c 'select 1' && ls ${state}` },
    });
    const r = spawnSync(
      process.execPath,
      [path.join(hooksDir, "main.cjs"), "claude-code", "--state-dir", state],
      { input, encoding: "utf8", env: { ...process.env, [CODE_CACHE_ENV]: "write" } },
    );
    if (r.status !== 0 || !r.stdout.includes('"permissionDecision"'))
      return `not made: the call exited ${r.status}: ${(r.stderr || r.stdout).trim()}`;
    return existsSync(expected)
      ? "made"
      : "not made: the call wrote no cache (is dist/hooks writable?)";
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}
