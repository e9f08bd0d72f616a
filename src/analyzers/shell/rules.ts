import type { CategoryId } from "../../core/catalogue.js";
import { hasOpt } from "./args.js";
import { type Call, rest, shown } from "./call.js";
import type { Cond, Rule } from "./kb/index.js";

// Patterns compile once, on first use; the knowledge base itself stays plain data.
const patterns = new Map<string, RegExp>();
function re(source: string): RegExp {
  let r = patterns.get(source);
  if (!r) {
    r = new RegExp(source, "i");
    patterns.set(source, r);
  }
  return r;
}
/** A subcommand compiled: its regexes, and the literal first words when it has only those. */
interface SubMatcher {
  res: RegExp[];
  first: Set<string> | undefined;
}
const subMatchers = new WeakMap<readonly string[], SubMatcher>();
function subMatcher(sub: readonly string[]): SubMatcher {
  let m = subMatchers.get(sub);
  if (!m) {
    const head = sub[0] ?? "";
    m = {
      res: sub.map((s) => new RegExp(`^(?:${s})$`, "i")),
      first: /^[\w:-]+(\|[\w:-]+)*$/.test(head)
        ? new Set(head.toLowerCase().split("|"))
        : undefined,
    };
    subMatchers.set(sub, m);
  }
  return m;
}

const BACKUP_NAME = /backup|snapshot/i;

/**
 * Applies the command's rules from the knowledge base: every matching rule adds its categories
 * (an `otherwise` rule only when none before it matched) and runs its handler, if any.
 */
export function applyRules(
  call: Call,
  run: (handler: NonNullable<Rule["handler"]>, call: Call) => void,
): void {
  const rules = call.spec.rules;
  if (!rules) return;
  const skip = leadingSkipped(call);
  let matched = false;
  for (const rule of candidates(rules, call.args.operands[skip]?.value)) {
    if (rule.otherwise && matched) continue;
    const sub = subLength(rule, call, skip);
    if (sub < 0) continue;
    const c: Call = { ...call, sub };
    if (rule.when && !rule.when.every((cond) => holds(cond, c))) continue;
    if (rule.unless?.some((cond) => holds(cond, c))) continue;
    matched = true;
    if (rule.category) {
      const reason = fill(rule.reason ?? "{cmd} {sub}", c, skip);
      const backups = rule.backups === true && rest(c).some((w) => BACKUP_NAME.test(w.value));
      for (const category of categories(rule.category))
        call.run.out.add(
          backups && category === "data.destroy" ? "backup.destroy" : category,
          reason,
        );
    }
    for (const flag of rule.flags ?? []) call.run.out.flag(flag);
    if (rule.resources !== undefined)
      for (const w of rest(c))
        if (w.literal) call.run.out.target("resources", rule.resources + w.value);
    if (rule.handler) run(rule.handler, c);
  }
}

/**
 * Rules are indexed by the literal first word of their subcommand, so a command with dozens of
 * rules (aws) only tests the few that can match. Rules without one are always candidates.
 */
interface RuleIndex {
  byFirst: Map<string, Rule[]>;
  always: Rule[];
}
const indexes = new WeakMap<readonly Rule[], RuleIndex>();
function candidates(rules: readonly Rule[], first: string | undefined): readonly Rule[] {
  let index = indexes.get(rules);
  if (!index) {
    const built: RuleIndex = { byFirst: new Map(), always: [] };
    const words = rules.map((r) => (r.sub ? subMatcher(r.sub).first : undefined));
    const keys = new Set(words.flatMap((w) => (w ? [...w] : [])));
    for (const key of keys)
      built.byFirst.set(
        key,
        rules.filter((_, i) => !words[i] || words[i]?.has(key)),
      );
    built.always = rules.filter((_, i) => !words[i]);
    index = built;
    indexes.set(rules, index);
  }
  return (first !== undefined && index.byFirst.get(first.toLowerCase())) || index.always;
}

function categories(c: CategoryId | readonly CategoryId[]): readonly CategoryId[] {
  return typeof c === "string" ? [c] : c;
}

function leadingSkipped(call: Call): number {
  const skip = call.spec.skipOperands;
  if (!skip) return 0;
  let n = 0;
  while (
    n < call.args.operands.length &&
    skip.includes((call.args.operands[n] as { value: string }).value)
  )
    n++;
  return n;
}

/** How many operands the rule's subcommand takes (with the skipped ones), or -1 if it does not match. */
function subLength(rule: Rule, call: Call, skip: number): number {
  const sub = rule.sub;
  if (!sub) return skip;
  const ops = call.args.operands;
  if (ops.length < skip + sub.length) return -1;
  const { res, first } = subMatcher(sub);
  if (first && !first.has((ops[skip] as { value: string }).value.toLowerCase())) return -1;
  for (let i = 0; i < sub.length; i++) {
    const w = ops[skip + i];
    if (!w?.literal || !(res[i] as RegExp).test(w.value)) return -1;
  }
  return skip + sub.length;
}

function holds(cond: Cond, call: Call): boolean {
  if ("flag" in cond) return hasOpt(call.args, cond.flag);
  if ("option" in cond) {
    const names = typeof cond.option === "string" ? [cond.option] : cond.option;
    const r = re(cond.value);
    return call.args.opts.some(
      (o) => names.includes(o.name) && o.value !== undefined && r.test(o.value.value),
    );
  }
  if ("operand" in cond) {
    const r = re(cond.operand);
    const ops = rest(call);
    if (cond.at !== undefined)
      return ops[cond.at] !== undefined && r.test((ops[cond.at] as { value: string }).value);
    return ops.some((w) => r.test(w.value));
  }
  if ("word" in cond) {
    const r = re(cond.word);
    return call.words.some((w) => r.test(w.value));
  }
  if ("operands" in cond) return rest(call).length === cond.operands;
  return call.words.length === cond.words;
}

function fill(reason: string, call: Call, skip: number): string {
  return reason
    .replace("{cmd}", call.name)
    .replace("{sub}", shown(call.args.operands.slice(skip, call.sub), 4))
    .replace("{args}", shown(rest(call)))
    .replace(/\s+$/, "")
    .replace(/\s{2,}/g, " ");
}
