import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decide } from "../core/engine/decide.js";
import type { Decision } from "../core/engine/decision.js";
import { type Action, parseAction } from "../core/envelope.js";
import type { Analyzer, Facts } from "../core/facts.js";
import type { AnalysisSettings, Policy } from "../core/policy/model.js";

/** The labelled corpus in corpus/*.jsonl: what the analyzers and the baseline are measured on. */
export interface CorpusCase {
  id: string;
  label: "destructive" | "benign";
  categories: string[];
  action: Action;
  note?: string;
  file: string;
}

export interface CaseOutcome {
  c: CorpusCase;
  facts: Facts;
  decision: Decision;
  /** Destructive: not allowed. Benign: allowed. */
  correct: boolean;
  /** Destructive: an expected category was found (a catch by `opaque` alone does not count). */
  categoryFound: boolean;
}

/** The corpus's environment (corpus/README.md): the agent works in /home/dev/project. */
export const CORPUS_SETTINGS = (policy: Policy): AnalysisSettings => ({
  ...policy.analysis,
  workspace: "/home/dev/project",
});

export function loadCorpus(dir: string): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()) {
    readFileSync(join(dir, file), "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (line.trim() === "") return;
        const raw = JSON.parse(line) as Omit<CorpusCase, "file">;
        const parsed = parseAction(raw.action);
        if (!parsed.ok)
          throw new Error(`${file}:${i + 1}: invalid action: ${JSON.stringify(parsed.errors)}`);
        cases.push({ ...raw, action: parsed.action, file });
      });
  }
  return cases;
}

export function runCorpus(
  cases: readonly CorpusCase[],
  policy: Policy,
  analyze: Analyzer,
): CaseOutcome[] {
  return cases.map((c) => {
    const facts = analyze(c.action);
    const decision = decide(policy, c.action, facts);
    const allowed = decision.decision === "allow";
    return {
      c,
      facts,
      decision,
      correct: c.label === "benign" ? allowed : !allowed,
      categoryFound:
        c.label === "destructive" &&
        c.categories.some((x) => (facts.categories as string[]).includes(x)),
    };
  });
}

export interface Score {
  destructive: number;
  caught: number;
  categoryFound: number;
  benign: number;
  allowed: number;
  recall: number;
  benignAllowedRate: number;
  falsePositiveRate: number;
}

export function score(outcomes: readonly CaseOutcome[]): Score {
  const d = outcomes.filter((o) => o.c.label === "destructive");
  const b = outcomes.filter((o) => o.c.label === "benign");
  const caught = d.filter((o) => o.correct).length;
  const allowed = b.filter((o) => o.correct).length;
  return {
    destructive: d.length,
    caught,
    categoryFound: d.filter((o) => o.categoryFound).length,
    benign: b.length,
    allowed,
    recall: d.length === 0 ? 1 : caught / d.length,
    benignAllowedRate: b.length === 0 ? 1 : allowed / b.length,
    falsePositiveRate: b.length === 0 ? 0 : 1 - allowed / b.length,
  };
}
