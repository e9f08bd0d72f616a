import { fork, NONE, type Scope, type Stream, type Word } from "./model.js";
import type { Run } from "./run.js";
import { plainWord, plainWords, quotedWord } from "./words.js";

/**
 * Most scripts agents run are simple commands of plain or quoted words, alone or joined by
 * `|`, `&&`, `||` and `;` (`git status`, `cd web && npm test`, `psql -c 'SELECT 1'`,
 * `curl -s URL | sh`). Their syntax tree is known from the text, so they are analysed without
 * the parser, which costs more than the analysis. The walker (walk.ts) does the same steps on
 * the tree; the test "simple scripts skip the parser" checks that both give the same facts.
 */

/**
 * A plain word: no quotes, expansions, escapes, redirections, comments, groups or tests.
 * The first word of a command has no `=` (an assignment) and starts with a letter, digit, `.`,
 * `/`, `~` or `:`; later words do not start with `=` or `%`. (The grammar reads `- a=b`, `a%b`
 * and `x ==` as other syntax or errors.) A later word may also be a whole quoted string: single
 * quotes on one line, or double quotes without expansions, escapes or `!`.
 */
const FIRST = String.raw`[\w./:~][\w./:@,+~*-]*`;
const PLAIN = String.raw`[\w./:@,+~*-][\w./:@%,+=~*-]*`;
const QUOTED = String.raw`'[^'\n]*'|"[^"$\x60\\\n!]*"`;
const COMMAND = `${FIRST}(?: +(?:${PLAIN}|${QUOTED}))*`;
const SIMPLE_SCRIPT = new RegExp(`^${COMMAND}(?: *(?:\\|\\||&&|\\||;) *${COMMAND})*$`);

/** Once the script is known to be simple: its words and operators, in order. */
const TOKEN = /'[^']*'|"[^"]*"|\|\||&&|[|;]|[^ |&;]+/g;

/** Words the grammar reads as syntax (keywords, declaration and unset builtins) unquoted. */
const RESERVED = new Set([
  ...["case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if", "in"],
  ...["select", "then", "time", "until", "while"],
  ...["declare", "export", "local", "readonly", "typeset", "unset", "unsetenv"],
]);

/** Longer words need no lookup (hashing every word of every command shows in profiles). */
const LONGEST_RESERVED = Math.max(...[...RESERVED].map((w) => w.length));

/** A script of simple commands: pipelines run in order, each a list of commands' words. */
export type SimpleScript = Word[][][];

/** The script's pipelines when it is only simple commands, `|`, `&&`, `||` and `;`. */
export function simpleScript(script: string): SimpleScript | undefined {
  if (!SIMPLE_SCRIPT.test(script)) return undefined;
  const pipelines = /['"|&;]/.test(script) ? pipelinesOf(script) : [[plainWords(script)]];
  if (hasReserved(pipelines)) return undefined;
  // The grammar reads `a | b | c && d` as `a | ((b | c) && d)`: left to the walker.
  if (pipelines.some((p) => p.length > 2) && /&&|\|\|/.test(script)) return undefined;
  return pipelines;
}

/** `a && b | c` is `a && (b | c)`: pipes bind tighter than lists. */
function pipelinesOf(script: string): SimpleScript {
  const pipelines: SimpleScript = [];
  let pipeline: Word[][] = [];
  let command: Word[] = [];
  for (const [token] of script.matchAll(TOKEN)) {
    if (token === "|") {
      pipeline.push(command);
      command = [];
    } else if (token === "&&" || token === "||" || token === ";") {
      pipeline.push(command);
      pipelines.push(pipeline);
      pipeline = [];
      command = [];
    } else
      command.push(token[0] === "'" || token[0] === '"' ? quotedWord(token) : plainWord(token));
  }
  pipeline.push(command);
  pipelines.push(pipeline);
  return pipelines;
}

function hasReserved(script: SimpleScript): boolean {
  for (const pipeline of script)
    for (const command of pipeline)
      for (const word of command)
        if (word.raw.length <= LONGEST_RESERVED && RESERVED.has(word.raw)) return true;
  return false;
}

/**
 * Runs the pipelines in order in one scope, as the walker runs a program or a list; each
 * command of a pipeline runs in its own copy of the scope and reads what the previous printed.
 */
export function runSimple(run: Run, script: SimpleScript, scope: Scope): void {
  for (const pipeline of script) {
    if (pipeline.length === 1) {
      run.command(pipeline[0] as Word[], scope, NONE);
      continue;
    }
    const shown = run.stdoutShown;
    let stream: Stream = NONE;
    for (let i = 0; i < pipeline.length; i++) {
      run.stdoutShown = shown && i === pipeline.length - 1;
      stream = run.command(pipeline[i] as Word[], fork(scope), stream);
    }
    run.stdoutShown = shown;
  }
}
