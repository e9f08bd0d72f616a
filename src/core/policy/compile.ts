import { contentHash } from "../canonical.js";
import type { CategoryId } from "../catalogue.js";
import type { ActionKind } from "../envelope.js";
import { TARGET_KINDS } from "../facts.js";
import { compileChecker } from "../schema-check.js";
import { compileCondition, compileNumber } from "./cel.js";
import { compileGlobs } from "./glob.js";
import { buildIndex } from "./indexer.js";
import {
  type AnalysisSettings,
  type CompiledAgent,
  type CompiledLimit,
  type CompiledRule,
  type CompiledTaint,
  DEFAULT_APPROVAL,
  type Policy,
} from "./model.js";
import { type Limit, type Match, PolicyDocument, type Redline, type Rule } from "./schema.js";
import {
  errorAt,
  type Location,
  type ParsedDocument,
  type PolicyError,
  type PolicySource,
  parseSources,
} from "./source.js";

export type CompileResult =
  | { ok: true; policy: Policy; documents: ParsedDocument[] }
  | { ok: false; errors: PolicyError[] };

const checkDocument = compileChecker(PolicyDocument);

/** YAML sources (one file or many) → a compiled policy, or every error with its place. */
export function compilePolicy(sources: readonly PolicySource[]): CompileResult {
  const parsed = parseSources(sources);
  const errors: PolicyError[] = [...parsed.errors];
  const docs: { doc: ParsedDocument; value: PolicyDocument }[] = [];
  for (const doc of parsed.documents) {
    const problems = checkDocument(doc.value);
    for (const p of problems) errors.push(errorAt(doc, p.path, p.message));
    if (problems.length === 0) docs.push({ doc, value: doc.value as PolicyDocument });
  }
  if (errors.length > 0) return { ok: false, errors };
  return link(docs, parsed.documents);
}

interface Placed<T> {
  value: T;
  doc: ParsedDocument;
  path: (string | number)[];
  at: Location;
}

function placed<T>(
  docs: { doc: ParsedDocument; value: PolicyDocument }[],
  key: "agents" | "groups" | "redlines" | "rules" | "limits",
): Placed<T>[] {
  return docs.flatMap(({ doc, value }) =>
    ((value[key] ?? []) as T[]).map((v, i) => ({
      value: v,
      doc,
      path: [key, i],
      at: doc.locate([key, i]),
    })),
  );
}

/** Merges the documents, resolves references, compiles conditions and globs, builds indexes. */
function link(
  docs: { doc: ParsedDocument; value: PolicyDocument }[],
  all: ParsedDocument[],
): CompileResult {
  const errors: PolicyError[] = [];
  const fail = (p: Placed<unknown>, sub: (string | number)[], message: string) =>
    errors.push(errorAt(p.doc, [...p.path, ...sub], message));

  // Policy-wide mode: files may state it, but must agree.
  let mode: "enforce" | "shadow" | undefined;
  for (const { doc, value } of docs) {
    if (value.mode === undefined) continue;
    if (mode !== undefined && mode !== value.mode)
      errors.push(errorAt(doc, ["mode"], `conflicts with mode '${mode}' set in another file`));
    mode ??= value.mode;
  }

  let workspace: { value: string; at: ParsedDocument } | undefined;
  for (const { doc, value } of docs) {
    const w = value.analysis?.workspace;
    if (w === undefined) continue;
    if (workspace && workspace.value !== w) {
      errors.push(
        errorAt(
          doc,
          ["analysis", "workspace"],
          `conflicts with workspace '${workspace.value}' set in another file`,
        ),
      );
    }
    workspace ??= { value: w, at: doc };
  }
  const analysis: AnalysisSettings = {
    workspace: workspace?.value,
    egressAllow: docs.flatMap(({ value }) => value.analysis?.egress?.allow ?? []),
    internal: docs.flatMap(({ value }) => value.analysis?.internal ?? []),
    tools: docs.flatMap(({ value }) =>
      (value.analysis?.tools ?? []).map((t) => ({
        kind: t.kind,
        server: t.server === undefined ? undefined : compileGlobs(t.server),
        tool: compileGlobs(t.tool),
        arguments: t.arguments ?? {},
        untrusted: t.untrusted === true,
        opaque: t.opaque,
      })),
    ),
  };

  const agentsIn = placed<NonNullable<PolicyDocument["agents"]>[number]>(docs, "agents");
  const groupsIn = placed<NonNullable<PolicyDocument["groups"]>[number]>(docs, "groups");
  const redlinesIn = placed<Redline>(docs, "redlines");
  const rulesIn = placed<Rule>(docs, "rules");

  const firstSeen = new Map<string, Placed<unknown>>();
  const unique = (p: Placed<{ id?: string }>, id: string, what: string) => {
    const earlier = firstSeen.get(id);
    if (earlier)
      fail(
        p,
        ["id"],
        `duplicate ${what} id '${id}' (first defined at ${earlier.at.file}:${earlier.at.line})`,
      );
    else firstSeen.set(id, p);
  };
  for (const a of agentsIn) unique(a, a.value.id, "agent");
  for (const g of groupsIn) {
    if (firstSeen.has(g.value.id))
      fail(g, ["id"], `group id '${g.value.id}' is already used by an agent or group`);
    else firstSeen.set(g.value.id, g);
  }
  const agentIds = new Set(agentsIn.map((a) => a.value.id));
  const groups = new Map<string, string[]>();
  for (const g of groupsIn) {
    g.value.agents.forEach((id, i) => {
      if (!agentIds.has(id)) fail(g, ["agents", i], `unknown agent '${id}'`);
    });
    groups.set(g.value.id, [...new Set(g.value.agents)]);
  }

  // Red lines are rules over categories: one list, one engine path.
  const ruleInputs: { p: Placed<unknown>; rule: Rule; origin: "rule" | "redline" }[] = [];
  // A red line without an id becomes one rule per category, `redline.<category>` (numbered
  // when several red lines name the same category), so decisions say which line held.
  const autoIds = new Set<string>(redlinesIn.flatMap((r) => (r.value.id ? [r.value.id] : [])));
  for (const r of redlinesIn) {
    const { categories, id, ...rest } = r.value;
    const split = id === undefined ? categories.map((c) => [c]) : [categories];
    for (const cats of split) {
      let ruleId = id ?? `redline.${cats[0]}`;
      for (let n = 2; id === undefined && autoIds.has(ruleId); n++)
        ruleId = `redline.${cats[0]}.${n}`;
      autoIds.add(ruleId);
      ruleInputs.push({
        p: r,
        origin: "redline",
        rule: { ...rest, id: ruleId, match: { categories: cats } },
      });
    }
  }
  for (const r of rulesIn) ruleInputs.push({ p: r, origin: "rule", rule: r.value });
  const ruleIds = new Map<string, Placed<unknown>>();
  /** Rules, limits and taint rules share one id space: decisions name them side by side. */
  const claimId = (p: Placed<unknown>, id: string, what: string) => {
    const earlier = ruleIds.get(id);
    if (earlier)
      fail(
        p,
        ["id"],
        `duplicate ${what} id '${id}' (first defined at ${earlier.at.file}:${earlier.at.line})`,
      );
    else ruleIds.set(id, p);
  };

  const resolveAgents = (
    p: Placed<unknown>,
    refs: readonly string[] | undefined,
  ): "*" | Set<string> => {
    if (!refs || refs.includes("*")) return "*";
    const set = new Set<string>();
    refs.forEach((ref, i) => {
      const members = groups.get(ref) ?? (agentIds.has(ref) ? [ref] : undefined);
      if (!members) fail(p, ["agents", i], `unknown agent or group '${ref}'`);
      for (const m of members ?? []) set.add(m);
    });
    return set;
  };
  const condition = (p: Placed<unknown>, source: string | undefined): CompiledRule["when"] => {
    if (source === undefined) return undefined;
    const c = compileCondition(source);
    if (!c.ok) fail(p, ["when"], `invalid CEL condition: ${c.message}`);
    return c.ok ? c.condition : undefined;
  };

  const rules: CompiledRule[] = [];
  ruleInputs.forEach(({ p, rule, origin }, order) => {
    claimId(p, rule.id, "rule");

    const agents = resolveAgents(p, rule.agents);
    if (rule.approval && rule.effect !== "approval")
      fail(
        p,
        ["approval"],
        `approval settings apply only to effect 'approval', this rule's effect is '${rule.effect}'`,
      );
    const when = condition(p, rule.when);
    rules.push(compileRule(rule, origin, order, agents, when, p.at));
  });

  const limits: CompiledLimit[] = [];
  placed<Limit>(docs, "limits").forEach((p, order) => {
    const l = p.value;
    claimId(p, l.id, "limit");
    if ((l.max === undefined) === (l.budget === undefined)) {
      fail(
        p,
        [],
        "a limit needs exactly one of `max` (a velocity cap) or `budget` (a sum per window)",
      );
    }
    let amount: CompiledLimit["amount"];
    if (l.budget) {
      const n = compileNumber(l.budget.of);
      if (n.ok) amount = n.number;
      else fail(p, ["budget", "of"], `invalid CEL expression: ${n.message}`);
    }
    const rule = compileRule(
      {
        id: l.id,
        match: l.match,
        effect: l.effect ?? "deny",
        reason: l.reason,
        description: l.description,
      },
      "rule",
      order,
      resolveAgents(p, l.agents),
      condition(p, l.when),
      p.at,
    );
    limits.push({
      id: l.id,
      rule,
      max: l.max ?? l.budget?.max ?? 0,
      amount,
      amountSource: l.budget?.of,
      windowSeconds: parseDuration(l.per),
    });
  });

  // Without a `sessions` section, the default taint of DESIGN.md holds: after secrets were read
  // or outside content came in, data leaving needs a human.
  const declared = docs.some(({ value }) => value.sessions !== undefined);
  const taints: CompiledTaint[] = declared
    ? docs.flatMap(({ doc, value }) =>
        (value.sessions?.taint ?? []).map((t, i) => {
          const p: Placed<unknown> = {
            value: t,
            doc,
            path: ["sessions", "taint", i],
            at: doc.locate(["sessions", "taint", i]),
          };
          claimId(p, t.id, "taint rule");
          return {
            id: t.id,
            agents: resolveAgents(p, t.agents),
            after: t.after,
            gates: t.gates,
            effect: t.effect ?? "approval",
            reason: t.reason,
          };
        }),
      )
    : [DEFAULT_TAINT];

  const breakers = docs.flatMap(({ doc, value }) =>
    value.breaker ? [{ doc, b: value.breaker }] : [],
  );
  for (const { doc, b } of breakers.slice(1)) {
    if (b.denials !== breakers[0]?.b.denials || b.per !== breakers[0]?.b.per)
      errors.push(errorAt(doc, ["breaker"], "conflicts with the breaker set in another file"));
  }
  const breakerIn = breakers[0]?.b ?? { denials: 5, per: "60s" };
  const breaker = { denials: breakerIn.denials, windowSeconds: parseDuration(breakerIn.per) };

  if (errors.length > 0) return { ok: false, errors };

  const compiledAgents = new Map<string, CompiledAgent>();
  for (const a of agentsIn) {
    const v = a.value;
    const memberOf = [...groups].filter(([, m]) => m.includes(v.id)).map(([g]) => g);
    const applicable = rules.filter((r) => r.agents === "*" || r.agents.has(v.id));
    compiledAgents.set(v.id, {
      id: v.id,
      description: v.description,
      owner: v.owner,
      environment: v.environment,
      default: v.default ?? "deny",
      mode: v.mode ?? "enforce",
      groups: memberOf,
      index: buildIndex(applicable),
      limits: limits.filter((l) => l.rule.agents === "*" || l.rule.agents.has(v.id)),
      view: { id: v.id, owner: v.owner ?? "", environment: v.environment ?? "", groups: memberOf },
      source: a.at,
    });
  }

  const normalised = {
    mode: mode ?? "enforce",
    analysis: {
      workspace: analysis.workspace ?? null,
      egressAllow: analysis.egressAllow,
      internal: analysis.internal,
      tools: docs.flatMap(({ value }) => value.analysis?.tools ?? []),
    },
    agents: agentsIn.map((a) => a.value),
    groups: groupsIn.map((g) => g.value),
    rules: ruleInputs.map(({ rule, origin }) => ({ ...rule, origin })),
    limits: docs.flatMap(({ value }) => value.limits ?? []),
    breaker,
    sessions: declared ? taints.map(({ agents: _, ...t }) => t) : null,
  };
  const policy: Policy = {
    hash: contentHash(normalised),
    mode: mode ?? "enforce",
    agents: compiledAgents,
    wildcard: compiledAgents.get("*"),
    groups,
    rules,
    analysis,
    limits,
    taints,
    breaker,
  };
  return { ok: true, policy, documents: all };
}

function compileRule(
  rule: Rule,
  origin: "rule" | "redline",
  order: number,
  agents: "*" | Set<string>,
  when: CompiledRule["when"],
  source: Location,
): CompiledRule {
  const m: Match = rule.match ?? {};
  const list = <T>(v: T | T[] | undefined): T[] | undefined =>
    v === undefined ? undefined : Array.isArray(v) ? v : [v];
  return {
    id: rule.id,
    order,
    origin,
    effect: rule.effect,
    mode: rule.mode ?? "enforce",
    reason: rule.reason,
    description: rule.description,
    agents,
    agentRefs: rule.agents,
    kinds: m.kind === undefined ? undefined : new Set(list(m.kind) as ActionKind[]),
    server: m.server === undefined ? undefined : compileGlobs(m.server),
    tool: m.tool === undefined ? undefined : compileGlobs(m.tool),
    environment: m.environment === undefined ? undefined : compileGlobs(m.environment),
    categories: m.categories as CategoryId[] | undefined,
    flags: m.flags,
    targets: TARGET_KINDS.flatMap((kind) => {
      const patterns = m.targets?.[kind];
      return patterns === undefined
        ? []
        : [{ kind, globs: compileGlobs(patterns, { nocase: kind === "hosts" }) }];
    }),
    when,
    whenSource: rule.when,
    approval:
      rule.effect === "approval"
        ? {
            quorum: rule.approval?.quorum ?? DEFAULT_APPROVAL.quorum,
            expiresSeconds: rule.approval?.expires
              ? parseDuration(rule.approval.expires)
              : DEFAULT_APPROVAL.expiresSeconds,
          }
        : undefined,
    source,
  };
}

export const DEFAULT_TAINT: CompiledTaint = {
  id: "session.taint",
  agents: "*",
  after: ["secret.access", "untrusted"],
  gates: ["network.egress", "external.send", "sends-data"],
  effect: "approval",
  reason: undefined,
};

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
/** `15m` → 900. The schema has already checked the form. */
export function parseDuration(text: string): number {
  const unit = text.slice(-1) as keyof typeof UNIT_SECONDS;
  return Number(text.slice(0, -1)) * UNIT_SECONDS[unit];
}
