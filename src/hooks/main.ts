#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import { CODE_CACHE_ENV, useCompileCache } from "./compile-cache.js";
import { runHook, syncWriter } from "./run.js";

/**
 * The hook's own entry, which `redline hook install` puts in Claude Code's settings through
 * main.cts (node <redline>/dist/hooks/main.cjs claude-code [options]); the build bundles it into
 * dist/hooks/hook.cjs. It runs once per tool call, so it loads only the mapping and the flag
 * parser up front; the
 * control-plane client or the local policy, analyzers and store come in by dynamic import,
 * whichever the call needs. `redline hook claude-code` runs the same code behind the CLI.
 */
// Before anything big loads: the standalone bundle and the parsers' glue then come from V8's
// code cache, which the build made in dist/hooks/cache/ (compile-cache.ts).
useCompileCache(
  fileURLToPath(new URL("./cache/", import.meta.url)),
  process.env[CODE_CACHE_ENV] === "write" ? "write" : "read",
);
const [harness = "", ...args] = process.argv.slice(2);
// No top-level await: the build bundles this file into CommonJS, and main.cts requires it.
void runHook(harness, args, {
  stdin: process.stdin,
  stdout: syncWriter(1),
  stderr: syncWriter(2),
  env: process.env,
}).then((code) => {
  // The answer is written; nothing left (a long poll, a timer) may keep Claude Code waiting.
  process.exit(code);
});
