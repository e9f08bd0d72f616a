// Analyzer cost against the bare parsers on the same inputs, in one run: `npm run bench`.
// Inputs: every shell command and SQL statement of the labelled corpus (corpus/*.jsonl).
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { loadModule, parseSync } from "libpg-query";
import { Language, Parser } from "web-tree-sitter";
import { loadCorpus } from "../src/analyzers/corpus.js";
import { createAnalyzer, loadAnalyzerParts } from "../src/analyzers/index.js";
import type { Action } from "../src/core/envelope.js";
import { compilePolicy } from "../src/core/policy/compile.js";

const GOAL = 2;
const ROUNDS = 15;

const cases = loadCorpus(fileURLToPath(new URL("../corpus", import.meta.url)));
const shell = cases
  .map((c) => c.action)
  .filter((a): a is Action & { kind: "shell" } => a.kind === "shell");
const sql = cases
  .map((c) => c.action)
  .filter((a): a is Action & { kind: "sql" } => a.kind === "sql");

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

await Parser.init();
const bash = await Language.load(
  createRequire(import.meta.url).resolve("tree-sitter-bash/tree-sitter-bash.wasm"),
);
const parser = new Parser();
parser.setLanguage(bash);
await loadModule();

/** Median over rounds of the time to run `fn` over every input once, in µs per input. */
function measure<T>(inputs: readonly T[], fn: (x: T) => unknown): number {
  for (let i = 0; i < 3; i++) for (const x of inputs) fn(x);
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (const x of inputs) fn(x);
    rounds.push(((performance.now() - start) * 1000) / inputs.length);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)] as number;
}

const rows = [
  {
    name: "shell",
    n: shell.length,
    bare: measure(shell, (a) => parser.parse(a.command)?.delete()),
    full: measure(shell, (a) => analyze(a)),
  },
  {
    name: "sql",
    n: sql.length,
    bare: measure(sql, (a) => {
      try {
        return parseSync(a.statement);
      } catch {
        return undefined;
      }
    }),
    full: measure(sql, (a) => analyze(a)),
  },
];

console.log(
  "\nAnalyzers vs their bare parsers (same inputs: the corpus; µs per input, median of rounds)",
);
console.log(
  `${"kind".padEnd(6)} ${"inputs".padStart(6)} ${"bare parse".padStart(11)} ${"analyzer".padStart(9)} ${"ratio".padStart(6)}  goal ≤ ${GOAL}×`,
);
for (const r of rows) {
  const ratio = r.full / r.bare;
  console.log(
    `${r.name.padEnd(6)} ${String(r.n).padStart(6)} ${r.bare.toFixed(1).padStart(11)} ${r.full.toFixed(1).padStart(9)} ${`${ratio.toFixed(2)}×`.padStart(6)}  ${ratio <= GOAL ? "PASS" : "FAIL"}`,
  );
}
console.log(
  `parsers loaded once in ${loadMs.toFixed(0)} ms; node ${process.version}; command: npm run bench`,
);
