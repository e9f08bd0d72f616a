import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Language, Parser } from "web-tree-sitter";

let loading: Promise<Parser> | undefined;

/** One bash parser per process: the WASM runtime and grammar load once, on first use. */
export function loadBashParser(): Promise<Parser> {
  loading ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve("tree-sitter-bash/tree-sitter-bash.wasm");
    const parser = new Parser();
    // Bytes, not a path: for a path the library does a dynamic import(), which code loaded from
    // V8's code cache (the hook's, src/hooks/compile-cache.ts) cannot run.
    parser.setLanguage(await Language.load(readFileSync(wasm)));
    return parser;
  })();
  loading.catch(() => {
    loading = undefined; // a failed load may be retried
  });
  return loading;
}
