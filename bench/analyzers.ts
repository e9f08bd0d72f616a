// Analyzer cost against the bare parsers on the same inputs, in one run: `npm run bench`.
// Inputs: every shell command and SQL statement of the labelled corpus (corpus/*.jsonl).
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { loadModule, parseSync } from "libpg-query";
import { Language, Parser } from "web-tree-sitter";
import { loadCorpus } from "../src/analyzers/corpus.js";
import { analyzeHttp } from "../src/analyzers/http/index.js";
import { createAnalyzer, loadAnalyzerParts } from "../src/analyzers/index.js";
import type { AnalysisContext, Nested } from "../src/analyzers/types.js";
import type { Action } from "../src/core/envelope.js";
import { compilePolicy } from "../src/core/policy/compile.js";

const GOAL = 2;
const ROUNDS = 21;

const actions = loadCorpus(fileURLToPath(new URL("../corpus", import.meta.url))).map(
  (c) => c.action,
);
const shell = actions.filter((a): a is Action & { kind: "shell" } => a.kind === "shell");
const sql = actions.filter((a): a is Action & { kind: "sql" } => a.kind === "sql");

process.stderr.write("loading parsers (once per process)...\n");
const loadStart = performance.now();
const parts = await loadAnalyzerParts();
const loadMs = performance.now() - loadStart;
const compiled = compilePolicy([{ file: "bench", text: "agents: []\n" }]);
if (!compiled.ok) throw new Error("bench policy invalid");
const analyze = createAnalyzer(parts, compiled.policy.analysis, {
  home: "/home/dev",
  now: () => 0,
});
const ctx: AnalysisContext = {
  cwd: "/home/dev/project",
  home: "/home/dev",
  workspace: "/home/dev/project",
  egressAllowlist: [],
  internalHosts: [],
  depth: 0,
};
const nested: Nested = {
  shell: (command, c) => parts.shell(command, { ...c, depth: c.depth + 1 }, nested),
  sql: (statement, c) => parts.sql(statement, { ...c, depth: c.depth + 1 }),
  http: (request, c) => analyzeHttp(request, { ...c, depth: c.depth + 1 }),
};

await Parser.init();
const grammar = createRequire(import.meta.url).resolve("tree-sitter-bash/tree-sitter-bash.wasm");
const parser = new Parser();
parser.setLanguage(await Language.load(grammar));
await loadModule();
const parseSql = (statement: string) => {
  try {
    return parseSync(statement);
  } catch {
    return undefined;
  }
};

/**
 * Median over rounds of the time to run each function over every input once, in µs per input.
 * The functions take turns within each round, so drift on a shared machine hits all alike.
 */
function measure<T>(inputs: readonly T[], fns: ((x: T) => unknown)[]): number[] {
  for (let i = 0; i < 5; i++) for (const fn of fns) for (const x of inputs) fn(x);
  const rounds: number[][] = fns.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    fns.forEach((fn, k) => {
      const start = performance.now();
      for (const x of inputs) fn(x);
      rounds[k]?.push(((performance.now() - start) * 1000) / inputs.length);
    });
  }
  return rounds.map((times) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)] as number);
}

function row(name: string, n: number, [bare, analyzer, composite]: number[]) {
  return {
    name,
    n,
    bare: bare as number,
    analyzer: analyzer as number,
    composite: composite as number,
  };
}

process.stderr.write("timing shell...\n");
const rows = [
  row(
    "shell",
    shell.length,
    measure(shell, [
      (a) => parser.parse(a.command)?.delete(),
      (a) => parts.shell(a.command, ctx, nested),
      (a) => analyze(a),
    ]),
  ),
];
process.stderr.write("timing sql...\n");
rows.push(
  row(
    "sql",
    sql.length,
    measure(sql, [
      (a) => parseSql(a.statement),
      (a) => parts.sql(a.statement, ctx),
      (a) => analyze(a),
    ]),
  ),
);

console.log(
  "\nAnalyzers vs their bare parsers (same inputs: the corpus; µs per input, median of rounds)",
);
console.log(
  "kind   inputs  bare parse  analyzer   ratio  goal ≤ 2×  whole action (createAnalyzer)",
);
for (const r of rows) {
  const ratio = r.analyzer / r.bare;
  const cells = [
    r.name.padEnd(6),
    String(r.n).padStart(6),
    r.bare.toFixed(1).padStart(11),
    r.analyzer.toFixed(1).padStart(9),
    `${ratio.toFixed(2)}×`.padStart(7),
    (ratio <= GOAL ? "PASS" : "FAIL").padEnd(10),
    `${r.composite.toFixed(1)} µs (${(r.composite / r.bare).toFixed(2)}×)`,
  ];
  console.log(cells.join(" "));
}
console.log(
  `parsers loaded once in ${loadMs.toFixed(0)} ms; node ${process.version}; command: npm run bench`,
);
