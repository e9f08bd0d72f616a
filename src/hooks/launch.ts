import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { CODE_CACHE_ENV, useCompileCache } from "./compile-cache.js";

/**
 * What `npm run build` puts at dist/hooks/main.js (scripts/bundle-hook.mjs): the hook bundled
 * into CommonJS files (hook.cjs; hook-local.cjs for a call without a control plane), loaded
 * with V8's code cache from dist/hooks/cache/. A build with tsc alone leaves main.js the
 * unbundled entry, which is slower and decides the same.
 */
try {
  useCompileCache(
    fileURLToPath(new URL("./cache/", import.meta.url)),
    process.env[CODE_CACHE_ENV] === "write" ? "write" : "read",
  );
  createRequire(import.meta.url)("./hook.cjs");
} catch (error) {
  // A hook that cannot start must still deny: a crash (non-zero exit) lets the call run.
  const { failClosed } = await import("./claude-code.js");
  const why = `the hook did not start (${error instanceof Error ? error.message : String(error)})`;
  process.stdout.write(`${JSON.stringify(failClosed(why))}\n`);
  process.stderr.write(`redline hook: ${why}\n`);
}
