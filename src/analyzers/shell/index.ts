/**
 * The shell analyzer: parses a command line with tree-sitter-bash and derives red-line facts
 * from every simple command in it: through pipes, lists, subshells, substitutions, here-docs,
 * wrappers (sudo, env, xargs, find -exec...), nested shell strings (bash -c, eval, ssh), and
 * interpreter one-liners. What commands do is data in kb/; paths are judged by ../paths.
 * What cannot be known (a command name built at run time, eval of a variable, a decoded
 * payload run by a shell, unparseable input) is opaque, never silently allowed.
 * Scripts of simple commands (simple.ts) skip the parser: their tree is known from the text.
 *
 * Load once (`await loadShellAnalyzer()`); the analyzer is then pure and synchronous.
 */
import type { Node, Parser } from "web-tree-sitter";
import { type Facts, opaqueFacts } from "../../core/facts.js";
import { type AnalysisContext, MAX_DEPTH, type Nested } from "../types.js";
import { execute } from "./command.js";
import type { Scope } from "./model.js";
import { loadBashParser } from "./parser.js";
import { Run } from "./run.js";
import { runSimple, type SimpleScript, simpleScript } from "./simple.js";
import { Walker } from "./walk.js";

export type ShellAnalyzer = (command: string, ctx: AnalysisContext, nested: Nested) => Facts;

let loading: Promise<ShellAnalyzer> | undefined;

/** Loads the grammar once; every call returns the same analyzer. */
export function loadShellAnalyzer(): Promise<ShellAnalyzer> {
  loading ??= loadBashParser().then(
    (parser) => (command, ctx, nested) => analyzeShell(parser, command, ctx, nested),
  );
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

function analyzeShell(
  parser: Parser,
  command: string,
  ctx: AnalysisContext,
  nested: Nested,
): Facts {
  if (ctx.depth > MAX_DEPTH)
    return opaqueFacts(`shell strings nested more than ${MAX_DEPTH} levels deep`);
  const simple = simpleScript(command);
  return simple ? analyzeSimple(simple, ctx, nested) : analyzeTree(parser, command, ctx, nested);
}

/** The analysis of any script: its syntax tree walked. Exported for tests of the fast path. */
export function analyzeTree(
  parser: Parser,
  command: string,
  ctx: AnalysisContext,
  nested: Nested,
): Facts {
  const tree = parser.parse(command);
  if (!tree) return opaqueFacts("the shell parser returned no tree");
  const run = new Run(ctx, nested, execute);
  try {
    const root = tree.rootNode;
    if (root.hasError)
      run.out.opaque(
        `could not parse the command near ${JSON.stringify(errorSnippet(root, command))}`,
      );
    new Walker(run).block(root, newScope(ctx));
    return run.out.build();
  } catch (error) {
    // Keep what was found before the failure: a data.destroy seen earlier must not be lost.
    run.out.opaque(
      `shell analysis failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return run.out.build();
  } finally {
    tree.delete();
  }
}

/** The walker's analysis of a script of plain commands, without building its tree. */
function analyzeSimple(script: SimpleScript, ctx: AnalysisContext, nested: Nested): Facts {
  const run = new Run(ctx, nested, execute);
  try {
    runSimple(run, script, newScope(ctx));
  } catch (error) {
    run.out.opaque(
      `shell analysis failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return run.out.build();
}

function newScope(ctx: AnalysisContext): Scope {
  return { cwd: ctx.cwd, vars: new Map(), downloads: new Set(), remotes: new Map() };
}

/** The text around the first ERROR or MISSING node, for the reason. */
function errorSnippet(root: Node, command: string): string {
  let node: Node | null = root;
  while (node && !node.isError && !node.isMissing) {
    let next: Node | null = null;
    for (let i = 0; i < node.childCount; i++) {
      const c = node.child(i);
      if (c && (c.hasError || c.isError || c.isMissing)) {
        next = c;
        break;
      }
    }
    node = next;
  }
  const at = node?.startIndex ?? 0;
  const text = command.slice(at, at + 40).split("\n")[0] ?? "";
  return text || command.slice(Math.max(0, at - 20), at + 20);
}
