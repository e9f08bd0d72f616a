import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { CacheStats } from "./compile-cache.js";
import { cacheFile, MIN_CACHED_BYTES } from "./compile-cache.js";
import { fixture, ROOT } from "./test-support/hook.js";
import { ensureCodeCache } from "./warm.js";

/**
 * The code cache changes how the hook's code is compiled, never what it does: each case runs
 * in a child process (the cache replaces the CommonJS compile of the process it is used in).
 */

const dir = mkdtempSync(join(tmpdir(), "redline-code-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CACHE = join(dir, "cache");
const MODULE = join(dir, "m.cjs");
const LIB = pathToFileURL(join(ROOT, "dist/hooks/compile-cache.js")).href;

/** Requires MODULE with the cache in `mode`; what it exported and what the cache did. */
function load(mode: "read" | "write"): { value: unknown; stats: CacheStats } {
  const script = `
    import { createRequire } from "node:module";
    const { useCompileCache } = await import(${JSON.stringify(LIB)});
    const stats = useCompileCache(${JSON.stringify(CACHE)}, ${JSON.stringify(mode)});
    const value = createRequire(import.meta.url)(${JSON.stringify(MODULE)}).value();
    process.stdout.write(JSON.stringify({ value, stats }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A module big enough to be cached. */
const source = (word: string, padding = MIN_CACHED_BYTES) =>
  `const helper = require("node:path").basename(__filename);\nexports.value = () => [${JSON.stringify(word)}, helper];\n// ${"x".repeat(padding)}\n`;

describe("the hook's code cache", () => {
  it("is written after the code ran, and then used", () => {
    writeFileSync(MODULE, source("alpha"));
    expect(load("read")).toEqual({
      value: ["alpha", "m.cjs"],
      stats: { used: 0, rejected: 0, missed: 1 },
    });
    expect(existsSync(cacheFile(CACHE, source("alpha")))).toBe(false); // reading never writes
    expect(load("write").value).toEqual(["alpha", "m.cjs"]);
    expect(existsSync(cacheFile(CACHE, source("alpha")))).toBe(true);
    expect(load("read")).toEqual({
      value: ["alpha", "m.cjs"],
      stats: { used: 1, rejected: 0, missed: 0 },
    });
  });

  it("never runs the bytecode of another content, even of the same length", () => {
    // V8 itself checks only the length: an edited file must not meet the old file's entry.
    writeFileSync(MODULE, source("alpha"));
    load("write");
    writeFileSync(MODULE, source("omega"));
    expect(load("read")).toEqual({
      value: ["omega", "m.cjs"],
      stats: { used: 0, rejected: 0, missed: 1 },
    });
  });

  it("compiles as usual when V8 refuses an entry (damaged, or made by another node)", () => {
    writeFileSync(MODULE, source("alpha"));
    load("write");
    const file = cacheFile(CACHE, source("alpha"));
    const damaged = readFileSync(file);
    damaged.fill(7, 0, 64);
    writeFileSync(file, damaged);
    expect(load("read")).toEqual({
      value: ["alpha", "m.cjs"],
      stats: { used: 0, rejected: 1, missed: 0 },
    });
  });

  it("leaves small files alone", () => {
    writeFileSync(MODULE, source("tiny", 10));
    expect(load("write")).toEqual({
      value: ["tiny", "m.cjs"],
      stats: { used: 0, rejected: 0, missed: 0 },
    });
    expect(existsSync(cacheFile(CACHE, source("tiny", 10)))).toBe(false);
  });

  it("leaves ES modules to Node", () => {
    const esm = join(dir, "e.mjs");
    writeFileSync(esm, `export const value = () => ['esm'];\n// ${"x".repeat(MIN_CACHED_BYTES)}\n`);
    writeFileSync(
      MODULE,
      `module.exports = require(${JSON.stringify(esm)});\n// ${"x".repeat(MIN_CACHED_BYTES)}\n`,
    );
    expect(load("write").value).toEqual(["esm"]);
    expect(load("read")).toMatchObject({ value: ["esm"], stats: { used: 1, rejected: 0 } });
  });

  it("is made for this node by one call, unless it is there", () => {
    // A copy of the built hook at the same depth, so that it finds node_modules and presets.
    const hooks = join(ROOT, "dist/hooks");
    const copy = mkdtempSync(join(ROOT, "dist/hooks-copy-"));
    try {
      expect(ensureCodeCache(copy)).toMatch(/^not made: the hook is not bundled/);
      for (const f of ["main.cjs", "hook.cjs", "hook-local.cjs"])
        cpSync(join(hooks, f), join(copy, f));
      expect(ensureCodeCache(copy)).toBe("made");
      expect(readdirSync(join(copy, "cache")).length).toBeGreaterThan(1);
      expect(ensureCodeCache(copy)).toBe("present");
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it.each(["main.cjs", "main.js"])(
    "a launcher (%s) that cannot load the bundle denies, exit 0",
    (launcher) => {
      const copy = mkdtempSync(join(ROOT, "dist/hooks-copy-"));
      try {
        cpSync(join(ROOT, "dist/hooks", launcher), join(copy, launcher));
        const call = () =>
          spawnSync(process.execPath, [join(copy, launcher), "claude-code"], {
            input: fixture("bash-ls"),
            encoding: "utf8",
          });
        for (const damage of [undefined, "module.exports = (;"]) {
          if (damage) writeFileSync(join(copy, "hook.cjs"), damage);
          const r = call();
          expect(r.status).toBe(0);
          const out = JSON.parse(r.stdout).hookSpecificOutput;
          expect(out.permissionDecision).toBe("deny");
          expect(out.permissionDecisionReason).toMatch(/the hook did not start/);
        }
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    },
  );

  it("was made by the build for the standalone bundle", () => {
    const hooks = join(ROOT, "dist/hooks");
    for (const bundle of ["hook-local.cjs"])
      expect(
        existsSync(cacheFile(join(hooks, "cache"), readFileSync(join(hooks, bundle), "utf8"))),
      ).toBe(true);
  });
});
