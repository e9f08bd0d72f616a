import type { Args } from "./args.js";
import type { CommandSpec } from "./kb/index.js";
import type { Scope, Stream, Word } from "./model.js";
import type { Run } from "./run.js";

/** One simple command being analysed, as handlers see it. */
export interface Call {
  run: Run;
  /** Normalised name: `/usr/bin/RM` → `rm`. */
  name: string;
  /** The words after the name. */
  words: Word[];
  args: Args;
  spec: CommandSpec;
  scope: Scope;
  stdin: Stream;
  /** Operands taken by the subcommand of the rule that invoked a handler. */
  sub: number;
}

/** Code behind a `handler` name in the knowledge base; returns what the command prints. */
export type Handler = (call: Call) => Stream | undefined;

/** The operands after the subcommand, as plain strings (dynamic ones keep their source). */
export function rest(call: Call): Word[] {
  return call.args.operands.slice(call.sub);
}

/** Shown in reasons: a few words, each shortened. */
export function shown(words: readonly Word[], max = 3): string {
  const parts = words
    .slice(0, max)
    .map((w) => (w.value.length > 60 ? `${w.value.slice(0, 57)}...` : w.value));
  if (words.length > max) parts.push("...");
  return parts.join(" ");
}
