#!/usr/bin/env node
// Part of `npm run build`, after tsc and gen-validators: the hook runs once per tool call, and
// resolving, loading and compiling its ~460 module files cost it more than deciding. esbuild
// bundles it with the pure-JS packages it uses into two CommonJS files, so that V8's code cache
// applies (src/hooks/compile-cache.ts; Node 20 has none for ES modules):
//   hook.cjs        the entry, the mapping, the control-plane client
//   hook-local.cjs  the policy, analyzers and SQLite store, required only by a call without a
//                   control plane, so a call through one never loads it
// dist/hooks/main.cjs and main.js become the launcher (dist/hooks/launch.js), and the code cache
// the entry uses is made in dist/hooks/cache/ (dist/hooks/warm.js).
// The packages that find files beside themselves (WASM parsers, the SQLite addon) and Ajv
// (loaded only for a schema without a generated validator) stay external.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

const dir = new URL("../dist/hooks/", import.meta.url).pathname;
if (!readFileSync(`${dir}main.js`, "utf8").includes("runHook("))
  throw new Error("bundle-hook: dist/hooks/main.js is the launcher already: run tsc first (npm run build)");
for (const f of readdirSync(dir))
  if (f.startsWith("bundle-") || f.startsWith("hook")) rmSync(`${dir}${f}`);
rmSync(`${dir}cache`, { recursive: true, force: true });

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: true,
  external: ["better-sqlite3", "libpg-query", "web-tree-sitter", "ajv"],
  // import.meta.url finds presets and validators; the bundles sit at the depth of dist/hooks/.
  define: { "import.meta.url": "__redlineUrl" },
  banner: { js: 'const __redlineUrl = require("node:url").pathToFileURL(__filename).href;' },
  // A dynamic import() cannot run in code loaded from the cache: require instead.
  supported: { "dynamic-import": false },
  logLevel: "warning",
};
/** run.js's `import("./local.js")` becomes a require of the other bundle. */
const localApart = {
  name: "local-apart",
  setup(b) {
    b.onResolve({ filter: /^\.\/local\.js$/ }, (a) =>
      a.importer === `${dir}run.js` ? { path: "./hook-local.cjs", external: true } : undefined,
    );
  },
};
await build({ ...common, entryPoints: [`${dir}main.js`], outfile: `${dir}hook.cjs`, plugins: [localApart] });
await build({ ...common, entryPoints: [`${dir}local.js`], outfile: `${dir}hook-local.cjs` });
// The launchers: main.cjs for `hook install`, main.js for settings written before it.
const launcher = { ...common, entryPoints: [`${dir}launch.js`], allowOverwrite: true, sourcemap: false };
await build({ ...launcher, outfile: `${dir}main.cjs` });
await build({ ...launcher, format: "esm", define: {}, banner: {}, outfile: `${dir}main.js` });
for (const map of ["main.cjs.map", "main.js.map"]) rmSync(`${dir}${map}`, { force: true }); // tsc's

const { ensureCodeCache } = await import(`${dir}warm.js`);
const cache = ensureCodeCache(dir);
if (cache !== "made") throw new Error(`bundle-hook: code cache ${cache}`);
process.stdout.write("bundle-hook: dist/hooks/main.cjs, main.js, hook.cjs, hook-local.cjs and their code cache\n");
