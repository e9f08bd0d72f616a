/**
 * The hook's entry as `redline hook install` writes it:
 *   node <redline>/dist/hooks/main.cjs claude-code [options]
 * CommonJS, so that a call starts without the ES module loader (about 8 ms here). As tsc
 * builds it, it requires the unbundled entry (main.js); `npm run build` replaces it with the
 * launcher of the bundled hook (launch.ts, scripts/bundle-hook.mjs).
 */
require("./main.js");
