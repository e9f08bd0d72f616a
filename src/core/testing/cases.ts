import { type Static, Type } from "@sinclair/typebox";
import { CATEGORY_IDS, type CategoryId } from "../catalogue.js";
import { decide, limitUsage } from "../engine/decide.js";
import type { Decision, DecisionState } from "../engine/decision.js";
import { type Action, parseAction } from "../envelope.js";
import { type Analyzer, analyzeSafely, emptyFacts, type Facts } from "../facts.js";
import type { Policy } from "../policy/model.js";
import { Effect } from "../policy/schema.js";
import { errorAt, type ParsedDocument, type PolicyError } from "../policy/source.js";
import { compileChecker } from "../schema-check.js";

/** Policy test files, like `opa test`: an action, what the policy must decide, and why. */

const Strings = Type.Array(Type.String());
const Case = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    action: Type.Record(Type.String(), Type.Unknown(), { description: "An action envelope" }),
    facts: Type.Optional(
      Type.Object(
        {
          categories: Type.Optional(
            Type.Array(Type.Union(CATEGORY_IDS.map((c) => Type.Literal(c)))),
          ),
          flags: Type.Optional(Strings),
          targets: Type.Optional(
            Type.Object(
              {
                paths: Type.Optional(Strings),
                tables: Type.Optional(Strings),
                hosts: Type.Optional(Strings),
                resources: Type.Optional(Strings),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false, description: "Replaces the analyzers' facts for this case" },
      ),
    ),
    state: Type.Optional(
      Type.Object(
        {
          identity: Type.Optional(
            Type.Object({
              status: Type.Union(
                ["active", "suspended", "quarantined", "revoked", "expired"].map((s) =>
                  Type.Literal(s),
                ),
              ),
            }),
          ),
          usage: Type.Optional(
            Type.Record(Type.String(), Type.Number({ minimum: 0 }), {
              description: "What limit counters (`<limit>/<agent>`) already hold; unlisted: 0",
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    decision: Effect,
    rule: Type.Optional(
      Type.String({ description: "A rule id that must be among the deciding rules" }),
    ),
    categories: Type.Optional(Strings),
    mode: Type.Optional(Type.Union([Type.Literal("enforce"), Type.Literal("shadow")])),
  },
  { additionalProperties: false },
);
export const TestFile = Type.Object(
  {
    policy: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })], {
        description: "Policy file(s), relative to this file",
      }),
    ),
    cases: Type.Array(Case, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type TestFile = Static<typeof TestFile>;
type Case = Static<typeof Case>;

const checkFile = compileChecker(TestFile);

export interface PreparedCase {
  name: string;
  action: Action;
  facts: Facts | undefined;
  state: DecisionState;
  expect: Pick<Case, "decision" | "rule" | "categories" | "mode">;
  at: { file: string; line: number };
}

/** Validates a parsed test document; every problem is placed in the file. */
export function prepareCases(
  doc: ParsedDocument,
): { file: TestFile; cases: PreparedCase[] } | { errors: PolicyError[] } {
  const problems = checkFile(doc.value);
  if (problems.length > 0) return { errors: problems.map((p) => errorAt(doc, p.path, p.message)) };
  const file = doc.value as TestFile;
  const errors: PolicyError[] = [];
  const cases: PreparedCase[] = [];
  file.cases.forEach((c, i) => {
    const parsed = parseAction(c.action);
    if (!parsed.ok) {
      for (const e of parsed.errors)
        errors.push(
          errorAt(doc, ["cases", i, "action", ...e.path], `invalid action: ${e.message}`),
        );
      return;
    }
    const facts = c.facts
      ? {
          ...emptyFacts(),
          ...c.facts,
          targets: { ...emptyFacts().targets, ...c.facts.targets },
          categories: (c.facts.categories ?? []) as CategoryId[],
        }
      : undefined;
    const { decision, rule, categories, mode } = c;
    cases.push({
      name: c.name,
      action: parsed.action,
      facts,
      state: (c.state ?? {}) as DecisionState,
      expect: { decision, rule, categories, mode },
      at: doc.locate(["cases", i]),
    });
  });
  return errors.length > 0 ? { errors } : { file, cases };
}

export interface CaseResult {
  name: string;
  file: string;
  line: number;
  passed: boolean;
  /** What differed, for a failed case. */
  failures: string[];
  decision: Decision;
}

export function runCase(policy: Policy, analyzer: Analyzer, c: PreparedCase): CaseResult {
  const facts = c.facts ?? analyzeSafely(analyzer, c.action);
  // A case's counters start empty unless it says otherwise.
  const usage: Record<string, number> = {};
  for (const u of limitUsage(policy, c.action, facts)) usage[u.key] = 0;
  const d = decide(policy, c.action, facts, { ...c.state, usage: { ...usage, ...c.state.usage } });
  const failures: string[] = [];
  if (d.decision !== c.expect.decision)
    failures.push(`decision: expected ${c.expect.decision}, got ${d.decision} (${d.reason})`);
  if (c.expect.rule !== undefined && !d.rules.includes(c.expect.rule)) {
    failures.push(
      `rule: expected '${c.expect.rule}' among the deciding rules, got [${d.rules.join(", ")}]`,
    );
  }
  if (c.expect.categories !== undefined) {
    const want = [...c.expect.categories].sort().join(", ");
    const got = [...d.categories].sort().join(", ");
    if (want !== got) failures.push(`categories: expected [${want}], got [${got}]`);
  }
  if (c.expect.mode !== undefined && d.mode !== c.expect.mode)
    failures.push(`mode: expected ${c.expect.mode}, got ${d.mode}`);
  return {
    name: c.name,
    file: c.at.file,
    line: c.at.line,
    passed: failures.length === 0,
    failures,
    decision: d,
  };
}
