#!/usr/bin/env node
// Part of `npm run build`, after tsc: the hook runs once per tool call, and resolving and
// loading ~460 module files cost it more than deciding (about 150 ms here). esbuild bundles
// dist/hooks/main.js with the pure-JS packages it uses into a few files; the packages that
// find files beside themselves (WASM parsers, the SQLite addon) and Ajv (loaded only for a
// schema without a generated validator) stay external.
import { readdirSync, rmSync } from "node:fs";
import { build } from "esbuild";

const dir = new URL("../dist/hooks/", import.meta.url).pathname;
for (const f of readdirSync(dir)) if (f.startsWith("bundle-")) rmSync(`${dir}${f}`);
await build({
  entryPoints: [`${dir}main.js`],
  outdir: dir,
  allowOverwrite: true,
  bundle: true,
  // What only a standalone call needs (policy, analyzers, SQLite) is a chunk of its own, loaded
  // by the dynamic import that needs it: a call through a control plane never parses it.
  splitting: true,
  chunkNames: "bundle-[name]-[hash]",
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: ["better-sqlite3", "libpg-query", "web-tree-sitter", "ajv"],
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: { js: 'import { createRequire as __redlineRequire } from "node:module";\nconst require = __redlineRequire(import.meta.url);' },
  logLevel: "warning",
});
process.stdout.write("bundle-hook: dist/hooks/main.js and its chunks\n");
