import { createRequire } from "node:module";
import { failClosed } from "./claude-code.js";

/**
 * What `npm run build` puts at dist/hooks/main.cjs (what `redline hook install` writes) and at
 * dist/hooks/main.js (what earlier installs run), bundled with esbuild as CommonJS and as an ES
 * module (scripts/bundle-hook.mjs): it requires the hook's bundled entry, hook.cjs, which
 * loads the rest with V8's code cache (main.ts). A build with tsc alone leaves both the
 * unbundled entry, which is slower and decides the same.
 */
try {
  createRequire(import.meta.url)("./hook.cjs");
} catch (error) {
  // A hook that cannot start must still deny: a crash (non-zero exit) lets the call run.
  const why = `the hook did not start (${error instanceof Error ? error.message : String(error)})`;
  process.stdout.write(`${JSON.stringify(failClosed(why))}\n`);
  process.stderr.write(`redline hook: ${why}\n`);
}
