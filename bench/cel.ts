// CEL library comparison that chose @marcbachmann/cel-js for `when` conditions.
// Run: npm run bench:cel. Same expressions, same inputs, compiled once, evaluated many times.
import { parse as bufParse, celEnv, isCelError, plan } from "@bufbuild/cel";
import { Environment } from "@marcbachmann/cel-js";

const input = {
  action: {
    agent: "support-bot",
    kind: "mcp",
    server: "shop",
    tool: "refund_order",
    arguments: { amount: 6000, customer: "c1" },
  },
  facts: {
    categories: ["money.move"],
    flags: [],
    targets: { paths: ["/srv/a"], tables: [], hosts: [], resources: [] },
  },
  agent: { id: "support-bot", owner: "support-eng", environment: "prod", groups: ["bots"] },
};
const expressions = [
  "action.arguments.amount > 5000",
  '"money.move" in facts.categories && action.tool.startsWith("refund")',
  'facts.targets.paths.exists(p, p.startsWith("/srv")) && agent.environment == "prod"',
  'has(action.arguments.customer) && action.arguments.customer.matches("^c[0-9]+$")',
];

const marc = new Environment()
  .registerVariable("action", "map")
  .registerVariable("facts", "map")
  .registerVariable("agent", "map");
const buf = celEnv();

function time(fn: () => unknown, n: number): number {
  for (let i = 0; i < n / 10; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / n;
}

console.log("CEL libraries, ns per evaluation (lower is better)");
console.log(
  `${"expression".padEnd(82)} ${"marcbachmann".padStart(12)} ${"bufbuild".padStart(10)} ratio`,
);
for (const e of expressions) {
  const a = marc.parse(e) as unknown as (ctx: object) => unknown;
  const b = plan(buf, bufParse(e));
  const ra = a(input);
  const rb = b(input);
  if (isCelError(rb) || ra !== rb)
    throw new Error(`libraries disagree on ${e}: ${String(ra)} vs ${String(rb)}`);
  const ta = time(() => a(input), 200_000);
  const tb = time(() => b(input), 50_000);
  console.log(
    `${e.padEnd(82)} ${ta.toFixed(0).padStart(12)} ${tb.toFixed(0).padStart(10)} ${(tb / ta).toFixed(1)}x`,
  );
}
console.log(
  `node ${process.version}, ${new Date().toISOString().slice(0, 10)}, command: npm run bench:cel`,
);
