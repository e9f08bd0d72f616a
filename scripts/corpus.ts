// `npm run corpus [-- --json] [-- --verbose]`: the baseline preset against the labelled corpus.
import { fileURLToPath } from "node:url";
import { CORPUS_SETTINGS, loadCorpus, runCorpus, score } from "../src/analyzers/corpus.js";
import { createAnalyzer, loadAnalyzerParts } from "../src/analyzers/index.js";
import { BASELINE_FILE, loadPolicy } from "../src/cli/policy-files.js";

const json = process.argv.includes("--json");
const verbose = process.argv.includes("--verbose");
const cases = loadCorpus(fileURLToPath(new URL("../corpus", import.meta.url)));
const policy = loadPolicy([BASELINE_FILE]);
const analyze = createAnalyzer(await loadAnalyzerParts(), CORPUS_SETTINGS(policy), {
  home: "/home/dev",
  now: () => performance.now(),
});
const outcomes = runCorpus(cases, policy, analyze);
const s = score(outcomes);

if (json) {
  console.log(
    JSON.stringify(
      {
        score: s,
        misses: outcomes
          .filter((o) => !o.correct)
          .map((o) => ({ id: o.c.id, label: o.c.label, decision: o.decision })),
      },
      null,
      2,
    ),
  );
} else {
  for (const o of outcomes) {
    const wrongCategory = o.c.label === "destructive" && !o.categoryFound;
    if (o.correct && !wrongCategory && !verbose) continue;
    const mark = !o.correct
      ? o.c.label === "benign"
        ? "FALSE POSITIVE"
        : "MISSED"
      : wrongCategory
        ? "caught, other category"
        : "ok";
    console.log(
      `${mark.padEnd(22)} ${o.c.file} ${o.c.id}: ${o.decision.decision} [${o.decision.categories.join(", ")}] expected [${o.c.categories.join(", ")}]`,
    );
    console.log(`${"".padEnd(22)} ${JSON.stringify(o.c.action).slice(0, 160)}`);
    if (!o.correct) console.log(`${"".padEnd(22)} ${o.decision.reason}`);
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`\ncorpus: ${cases.length} cases, baseline preset`);
  console.log(
    `destructive: ${s.caught}/${s.destructive} held (recall ${pct(s.recall)}); expected category found for ${s.categoryFound}/${s.destructive}`,
  );
  console.log(
    `benign:      ${s.allowed}/${s.benign} allowed (${pct(s.benignAllowedRate)}; false-positive rate ${pct(s.falsePositiveRate)})`,
  );
}
process.exitCode = s.recall === 1 && s.benignAllowedRate >= 0.95 ? 0 : 1;
