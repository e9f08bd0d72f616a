import type { Word } from "./model.js";

/** One option as written: `-f`, `--force`, `--replicas=0`, `-X DELETE`. */
export interface Opt {
  name: string;
  value: Word | undefined;
}

/** A command's arguments split getopt-style into options and operands. */
export interface Args {
  opts: Opt[];
  operands: Word[];
  /** Index in `words` of each operand. */
  at: number[];
  /** Index of a `--` that ended the options, or -1. */
  dashdash: number;
}

export interface ArgSyntax {
  readonly valueOptions?: readonly string[];
  /** `-name` is one option, not a bundle of letters. */
  readonly longSingleDash?: boolean;
}

/**
 * Splits words into options and operands. Short bundles (`-rf`) become one option per letter;
 * the first letter that takes a value takes the rest of the bundle or the next word. A word
 * that is not literal is always an operand: an option built at run time is not knowable.
 */
export function parseArgs(words: readonly Word[], syntax: ArgSyntax, stopAfter = Infinity): Args {
  const values = syntax.valueOptions ?? [];
  const out: Args = { opts: [], operands: [], at: [], dashdash: -1 };
  for (let i = 0; i < words.length && out.operands.length < stopAfter; i++) {
    const w = words[i] as Word;
    const s = w.value;
    if (out.dashdash >= 0 || !w.literal || s.length < 2 || s[0] !== "-") {
      out.operands.push(w);
      out.at.push(i);
    } else if (s === "--") out.dashdash = i;
    else if (syntax.longSingleDash && s[1] !== "-") {
      const eq = s.indexOf("=");
      if (eq > 0) out.opts.push({ name: s.slice(0, eq), value: valueAfter(w, eq + 1) });
      else if (values.includes(s) && i + 1 < words.length)
        out.opts.push({ name: s, value: words[++i] });
      else out.opts.push({ name: s, value: undefined });
    } else {
      const { opts, used } = readOption(words, i, values);
      out.opts.push(...opts);
      i += used - 1;
    }
  }
  return out;
}

function valueAfter(w: Word, at: number): Word {
  const value = w.value.slice(at);
  return { ...w, value, prefix: value };
}

/** The option(s) in the word at `i` (a bundle gives several) and how many words they used. */
export function readOption(
  words: readonly Word[],
  i: number,
  valueOptions: readonly string[],
): { opts: Opt[]; used: number } {
  const w = words[i] as Word;
  const s = w.value;
  if (s.startsWith("--")) {
    const eq = s.indexOf("=");
    if (eq > 0) return { opts: [{ name: s.slice(0, eq), value: valueAfter(w, eq + 1) }], used: 1 };
    if (valueOptions.includes(s) && i + 1 < words.length)
      return { opts: [{ name: s, value: words[i + 1] }], used: 2 };
    return { opts: [{ name: s, value: undefined }], used: 1 };
  }
  const opts: Opt[] = [];
  for (let j = 1; j < s.length; j++) {
    const name = `-${s[j]}`;
    if (!valueOptions.includes(name)) {
      opts.push({ name, value: undefined });
      continue;
    }
    const rest = s.slice(j + 1);
    if (rest) return { opts: [...opts, { name, value: valueAfter(w, j + 1) }], used: 1 };
    return { opts: [...opts, { name, value: words[i + 1] }], used: words[i + 1] ? 2 : 1 };
  }
  return { opts, used: 1 };
}

export function hasOpt(args: Args, names: string | readonly string[]): boolean {
  return args.opts.some((o) =>
    typeof names === "string" ? o.name === names : names.includes(o.name),
  );
}

export function optValue(args: Args, names: string | readonly string[]): Word | undefined {
  for (const o of args.opts)
    if ((typeof names === "string" ? o.name === names : names.includes(o.name)) && o.value)
      return o.value;
  return undefined;
}

export function optValues(args: Args, names: readonly string[]): Word[] {
  return args.opts.filter((o) => names.includes(o.name) && o.value).map((o) => o.value as Word);
}
