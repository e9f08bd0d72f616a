// Decision overhead of identity, velocity caps and session taint: `npm run bench`.
// The same 1,000-rule policy and actions, decided with and without those inputs.
import { decide, limitUsage } from "../src/core/engine/decide.js";
import type { DecisionState } from "../src/core/engine/decision.js";
import type { Action } from "../src/core/envelope.js";
import { emptyFacts } from "../src/core/facts.js";
import { compilePolicy } from "../src/core/policy/compile.js";

const AGENTS = 20;
const rules = Array.from({ length: 1000 }, (_, i) => {
  const effect = ["allow", "deny", "approval"][i % 3];
  return `  - {id: r${i}, agents: [a${i % AGENTS}], effect: ${effect}, match: {kind: mcp, server: s${i % 7}, tool: t${i}}}`;
});
const limits = Array.from({ length: AGENTS }, (_, i) => [
  `  - {id: cap${i}, agents: [a${i}], match: {kind: mcp}, max: 1000, per: 1h}`,
  `  - {id: budget${i}, agents: [a${i}], match: {tool: "t*"}, budget: {of: "action.arguments.amount", max: 1000000}, per: 1d, effect: approval}`,
]).flat();
const agents = Array.from({ length: AGENTS }, (_, i) => `{id: a${i}, default: allow}`).join(", ");
const base = `agents: [${agents}]\nrules:\n${rules.join("\n")}\n`;
const compile = (text: string) => {
  const r = compilePolicy([{ file: "bench", text }]);
  if (!r.ok) throw new Error(JSON.stringify(r.errors[0]));
  return r.policy;
};
const plain = compile(base);
const guarded = compile(`${base}limits:\n${limits.join("\n")}\n`);

const actions: Action[] = Array.from({ length: 200 }, (_, i) => ({
  agent: `a${i % AGENTS}`,
  kind: "mcp",
  server: `s${i % 7}`,
  tool: `t${(i * 37) % 1000}`,
  arguments: { amount: i * 10 },
  session: `s${i % 5}`,
}));
const facts = emptyFacts();
const states: DecisionState[] = actions.map((a) => ({
  identity: { status: "active" },
  session: ["read"],
  usage: Object.fromEntries(limitUsage(guarded, a, facts).map((u) => [u.key, 10])),
}));

function median(fn: () => void, rounds = 31): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start));
  }
  times.sort((x, y) => x - y);
  return (times[Math.floor(rounds / 2)] as number) / (actions.length * 50);
}
const loop = (policy: typeof plain, withState: boolean) => () => {
  for (let k = 0; k < 50; k++)
    for (let i = 0; i < actions.length; i++)
      decide(policy, actions[i] as Action, facts, withState ? states[i] : undefined);
};
for (let w = 0; w < 20; w++) {
  loop(plain, false)();
  loop(guarded, true)();
}
const without = median(loop(plain, false));
const withAll = median(loop(guarded, true));
const usageCost = median(() => {
  for (let k = 0; k < 50; k++) for (const a of actions) limitUsage(guarded, a, facts);
});
console.log(
  "\nDecision overhead of identity + velocity caps + budgets + session taint (1,000 rules, 40 limits)",
);
console.log(`decide, plain policy, no state:                 ${without.toFixed(0)} ns`);
console.log(
  `decide, with limits, identity, usage, session:  ${withAll.toFixed(0)} ns (${(withAll / without).toFixed(2)}×)`,
);
console.log(`limitUsage (the adapter's pre-read of counters): ${usageCost.toFixed(0)} ns`);
console.log(`node ${process.version}; command: npm run bench`);
