import { createRequire } from "node:module";

/**
 * What `npm run build` puts at dist/hooks/main.js (scripts/bundle-hook.mjs): it requires the
 * hook bundled into CommonJS (hook.cjs, the entry; hook-local.cjs for a call without a control
 * plane, loaded with V8's code cache, see main.ts). An ES module of its own, importing nothing
 * else: the ES module loader is the slow part of starting. A build with tsc alone leaves
 * main.js the unbundled entry, which is slower and decides the same.
 */
try {
  createRequire(import.meta.url)("./hook.cjs");
} catch (error) {
  // A hook that cannot start must still deny: a crash (non-zero exit) lets the call run.
  const { failClosed } = await import("./claude-code.js");
  const why = `the hook did not start (${error instanceof Error ? error.message : String(error)})`;
  process.stdout.write(`${JSON.stringify(failClosed(why))}\n`);
  process.stderr.write(`redline hook: ${why}\n`);
}
