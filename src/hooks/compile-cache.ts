import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import path from "node:path";
import type { Script } from "node:vm";

/**
 * V8's code cache for the CommonJS files the hook loads (its bundles, the generated validators,
 * the parsers' and SQLite's glue): a hook process lives for one tool call, and compiling about
 * 2 MB of JavaScript, most of it lazily while it runs, was a third of its time.
 *
 * The cache is made at build (`npm run build`, and again by `redline hook install` for the
 * node that will run the hook), never by a hook call: V8 checks a cache only against the
 * source's length and its own version and flags, and runs the bytecode it holds, so a cache
 * the hook wrote at run time where the agent can write would be a way around the hook. Here it
 * lives beside the code and is as writable as that code already is.
 *
 * An entry is named by a hash of the node version and the file's content, so an edited file
 * never meets another file's bytecode; one V8 rejects (another node, other flags) is ignored
 * and the file compiled as usual. Node 22's module.enableCompileCache writes at run time and is
 * not used for that reason; the v8-compile-cache package also writes at run time, to a temp
 * directory, and caches only what is compiled before the code runs (measured: 2.78× node -e 0
 * against 2.55× for a cache made after a call).
 */

export type CacheMode = "read" | "write";

/** Set to "write", it puts the hook's entry (main.ts) in write mode: see warm.ts. */
export const CODE_CACHE_ENV = "REDLINE_CODE_CACHE";

type Compile = (this: Module, content: string, filename: string, format?: string) => unknown;
interface ModuleInternals {
  prototype: { _compile: Compile };
}

/**
 * Smaller files are compiled as usual: the hook's entry is, so that a call through a control
 * plane, which loads nothing bigger, never loads node:crypto (about 8 ms here) for the key.
 */
export const MIN_CACHED_BYTES = 32 * 1024;

const require = createRequire(import.meta.url);

/** The cache file for `content` under `dir`. */
export function cacheFile(dir: string, content: string): string {
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  const key = createHash("sha256")
    .update(`${process.version}\0${process.arch}\0`)
    .update(content)
    .digest("hex")
    .slice(0, 32);
  return path.join(dir, `${key}.v8`);
}

/** What the cache did for the files compiled so far. */
export interface CacheStats {
  /** Compiled from the cache. */
  used: number;
  /** Had an entry V8 refused (another node or flags, a damaged file): compiled as usual. */
  rejected: number;
  /** Had no entry (read), or were compiled to make one (write). */
  missed: number;
}

/**
 * From here on, CommonJS files are compiled with the cache in `dir` ("read"), or compiled
 * fresh and their cache written to `dir` when the process exits ("write"), after the call ran,
 * so it holds the functions the call compiled as well as the top level.
 */
export function useCompileCache(dir: string, mode: CacheMode): CacheStats {
  const stats: CacheStats = { used: 0, rejected: 0, missed: 0 };
  const proto = (Module as unknown as ModuleInternals).prototype;
  const original = proto._compile;
  const made: [string, Script][] = [];
  proto._compile = function (content, filename, format) {
    if (format === "module" || content.length < MIN_CACHED_BYTES)
      return original.call(this, content, filename, format);
    const file = cacheFile(dir, content);
    let cachedData: Buffer | undefined;
    if (mode === "read") {
      try {
        cachedData = readFileSync(file);
      } catch {
        stats.missed++;
        return original.call(this, content, filename, format);
      }
    }
    let script: Script;
    try {
      const vm = require("node:vm") as typeof import("node:vm"); // not loaded by a small call
      script = new vm.Script(wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    } catch {
      // Not CommonJS after all (ES module syntax): Node's own loader knows what to do.
      return original.call(this, content, filename, format);
    }
    if (mode === "write") {
      stats.missed++;
      made.push([file, script]);
    } else if (script.cachedDataRejected) stats.rejected++;
    else stats.used++;
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return fn.call(
      this.exports,
      this.exports,
      createRequire(filename),
      this,
      filename,
      path.dirname(filename),
    );
  };
  if (mode === "write")
    process.on("exit", () => {
      mkdirSync(dir, { recursive: true });
      // Each entry whole or not at all: a hook may be reading the directory meanwhile.
      for (const [file, script] of made) {
        writeFileSync(`${file}.${process.pid}`, script.createCachedData());
        renameSync(`${file}.${process.pid}`, file);
      }
    });
  return stats;
}

/**
 * Node's CommonJS wrapper: line and column numbers in stack traces stay those of the file. A
 * `#!` line, legal only at the very start of a script, becomes a comment.
 */
function wrap(content: string): string {
  const body = content.startsWith("#!") ? `//${content.slice(2)}` : content;
  return `(function (exports, require, module, __filename, __dirname) { ${body}\n});`;
}
