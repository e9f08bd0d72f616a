import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BASELINE_FILE, loadPolicy } from "../cli/policy-files.js";
import { CORPUS_SETTINGS, loadCorpus, runCorpus, score } from "./corpus.js";
import { createAnalyzer, loadAnalyzerParts } from "./index.js";

/** The labelled corpus (`npm run corpus` prints the details): the baseline must hold every line. */
describe("labelled corpus on the baseline preset", async () => {
  const cases = loadCorpus(fileURLToPath(new URL("../../corpus", import.meta.url)));
  const policy = loadPolicy([BASELINE_FILE]);
  const analyze = createAnalyzer(await loadAnalyzerParts(), CORPUS_SETTINGS(policy), {
    home: "/home/dev",
    now: () => 0,
  });
  const outcomes = runCorpus(cases, policy, analyze);
  const s = score(outcomes);
  const misses = (label: string) =>
    outcomes
      .filter((o) => o.c.label === label && !o.correct)
      .map((o) => `${o.c.id}: ${o.decision.decision} ${o.decision.reason}`);

  it("has at least 400 cases of every kind and both labels", () => {
    expect(cases.length).toBeGreaterThanOrEqual(400);
    expect(new Set(cases.map((c) => c.action.kind))).toEqual(
      new Set(["shell", "sql", "http", "mcp", "tool"]),
    );
    expect(s.destructive).toBeGreaterThan(150);
    expect(s.benign).toBeGreaterThan(150);
  });

  it("holds every destructive case (recall 100%)", () => {
    expect(misses("destructive")).toEqual([]);
  });

  it("allows at least 95% of the benign cases", () => {
    expect(s.benignAllowedRate, misses("benign").join("\n")).toBeGreaterThanOrEqual(0.95);
  });
});
