import { type Static, Type } from "@sinclair/typebox";
import { CATEGORY_IDS } from "../catalogue.js";
import { ACTION_KINDS } from "../envelope.js";

/** The policy file format. Published as schema/policy.schema.json for editor completion. */

const strict = { additionalProperties: false } as const;
const Id = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: "^[A-Za-z0-9][A-Za-z0-9._:@/-]*$",
    description,
  });
export const Effect = Type.Union([
  Type.Literal("allow"),
  Type.Literal("deny"),
  Type.Literal("approval"),
]);
export type Effect = Static<typeof Effect>;
/** Precedence: deny beats approval beats allow. */
export const EFFECT_RANK: Readonly<Record<Effect, number>> = { allow: 0, approval: 1, deny: 2 };
const RedlineEffect = Type.Union([Type.Literal("deny"), Type.Literal("approval")]);
export const Mode = Type.Union([Type.Literal("enforce"), Type.Literal("shadow")], {
  description: "shadow: decide and log, but do not block (for rollout)",
});
export type Mode = Static<typeof Mode>;
const Category = Type.Union(CATEGORY_IDS.map((c) => Type.Literal(c)));
const Kind = Type.Union(ACTION_KINDS.map((k) => Type.Literal(k)));
const OneOrMany = <T extends Parameters<typeof Type.Array>[0]>(t: T, description: string) =>
  Type.Union([t, Type.Array(t, { minItems: 1 })], { description });
const Globs = (description: string) => OneOrMany(Type.String({ minLength: 1 }), description);
const AgentRefs = Type.Array(Type.String({ minLength: 1 }), {
  minItems: 1,
  description: 'Agent ids, group ids, or "*" for every agent. Omitted: every agent.',
});
const Approval = Type.Object(
  {
    quorum: Type.Optional(Type.Integer({ minimum: 1, description: "Approvals needed (N of M)" })),
    expires: Type.Optional(
      Type.String({
        pattern: "^[1-9][0-9]*(s|m|h|d)$",
        description: "e.g. 15m; unanswered → deny",
      }),
    ),
  },
  strict,
);

export const Agent = Type.Object(
  {
    id: Type.Union([Id("Agent id"), Type.Literal("*")], {
      description: 'Agent id; "*" declares the wildcard agent that every undeclared id gets',
    }),
    description: Type.Optional(Type.String()),
    owner: Type.Optional(Type.String()),
    environment: Type.Optional(Type.String({ minLength: 1 })),
    default: Type.Optional(
      Type.Union([Effect], { description: "Effect when no rule matches (default: deny)" }),
    ),
    mode: Type.Optional(Mode),
  },
  strict,
);

export const Group = Type.Object(
  {
    id: Id("Group id"),
    description: Type.Optional(Type.String()),
    agents: Type.Array(Id("Agent id"), { minItems: 1 }),
  },
  strict,
);

export const Match = Type.Object(
  {
    kind: Type.Optional(OneOrMany(Kind, "Action kind(s)")),
    server: Type.Optional(Globs("MCP server name glob(s)")),
    tool: Type.Optional(Globs("MCP or function tool name glob(s)")),
    environment: Type.Optional(Globs("Environment glob(s): the action's, else the agent's")),
    categories: Type.Optional(
      Type.Array(Category, {
        minItems: 1,
        uniqueItems: true,
        description: "Any of these categories",
      }),
    ),
    flags: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        uniqueItems: true,
        description: "All of these analyzer flags",
      }),
    ),
    targets: Type.Optional(
      Type.Object(
        {
          paths: Type.Optional(Globs("Any target path matching")),
          tables: Type.Optional(Globs("Any target table matching")),
          hosts: Type.Optional(Globs("Any target host matching")),
          resources: Type.Optional(Globs("Any target resource matching")),
        },
        { ...strict, minProperties: 1 },
      ),
    ),
  },
  strict,
);
export type Match = Static<typeof Match>;

const RuleCommon = {
  description: Type.Optional(Type.String()),
  reason: Type.Optional(
    Type.String({ description: "Shown to the agent and the human with the decision" }),
  ),
  agents: Type.Optional(AgentRefs),
  mode: Type.Optional(Mode),
  approval: Type.Optional(Approval),
};

export const Rule = Type.Object(
  {
    id: Id("Rule id, reported in decisions"),
    ...RuleCommon,
    match: Type.Optional(Match),
    when: Type.Optional(
      Type.String({ minLength: 1, description: "CEL condition over action, facts and agent" }),
    ),
    effect: Effect,
  },
  strict,
);
export type Rule = Static<typeof Rule>;

export const Redline = Type.Object(
  {
    id: Type.Optional(Id("Rule id; default redline.<first category>")),
    ...RuleCommon,
    categories: Type.Array(Category, { minItems: 1, uniqueItems: true }),
    effect: RedlineEffect,
  },
  strict,
);
export type Redline = Static<typeof Redline>;

const Duration = (description: string) =>
  Type.String({ pattern: "^[1-9][0-9]*(s|m|h|d)$", description });

export const Limit = Type.Object(
  {
    id: Id("Limit id, reported in decisions"),
    description: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String({ description: "Shown when the limit is exceeded" })),
    agents: Type.Optional(AgentRefs),
    match: Type.Optional(Match),
    when: Type.Optional(Type.String({ minLength: 1, description: "CEL condition, as in rules" })),
    max: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: "Velocity cap: at most this many matching actions per window",
      }),
    ),
    budget: Type.Optional(
      Type.Object(
        {
          of: Type.String({
            minLength: 1,
            description: "CEL number per action, e.g. action.arguments.amount",
          }),
          max: Type.Number({ exclusiveMinimum: 0, description: "At most this much per window" }),
        },
        strict,
      ),
    ),
    per: Duration("The sliding window, e.g. 1h"),
    effect: Type.Optional(RedlineEffect),
  },
  strict,
);
export type Limit = Static<typeof Limit>;

const FactNames = (description: string) =>
  Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true, description });

export const Taint = Type.Object(
  {
    id: Id("Taint rule id, reported in decisions"),
    reason: Type.Optional(Type.String()),
    agents: Type.Optional(AgentRefs),
    after: FactNames(
      "Categories or flags seen earlier in the same session (e.g. secret.access, untrusted)",
    ),
    gates: FactNames(
      "Categories or flags of this action that the taint gates (e.g. network.egress, sends-data)",
    ),
    effect: Type.Optional(RedlineEffect),
  },
  strict,
);
export type Taint = Static<typeof Taint>;

export const ARGUMENT_TYPES = [
  "shell",
  "sql",
  "url",
  "path",
  "path.read",
  "path.write",
  "path.delete",
  "cwd",
  "ignore",
] as const;
export type ArgumentType = (typeof ARGUMENT_TYPES)[number];

export const ToolDeclaration = Type.Object(
  {
    kind: Type.Optional(
      Type.Union([Type.Literal("mcp"), Type.Literal("tool")], {
        description: "Only MCP tools (mcp) or only function tools (tool); omitted: both",
      }),
    ),
    server: Type.Optional(Globs("MCP server glob(s); omitted: any server, and function tools")),
    tool: Globs("Tool name glob(s)"),
    opaque: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "Why what these tools do cannot be known: their calls are opaque (unknown is not safe)",
      }),
    ),
    untrusted: Type.Optional(
      Type.Boolean({
        description: "Returns content from outside (web pages, mail): it taints the session",
      }),
    ),
    arguments: Type.Optional(
      Type.Record(
        Type.String({ minLength: 1 }),
        Type.Union(ARGUMENT_TYPES.map((t) => Type.Literal(t))),
        {
          description: "What each argument carries: analysed as such (ignore: never analysed)",
        },
      ),
    ),
  },
  strict,
);
export type ToolDeclaration = Static<typeof ToolDeclaration>;

export const Analysis = Type.Object(
  {
    workspace: Type.Optional(
      Type.String({
        pattern: "^/",
        description: "Where agents may write; default: each action's cwd",
      }),
    ),
    egress: Type.Optional(
      Type.Object(
        {
          allow: Type.Array(Type.String({ minLength: 1 }), {
            description: "Host globs local data may go to",
          }),
        },
        strict,
      ),
    ),
    internal: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: "Host globs inside the organisation",
      }),
    ),
    tools: Type.Optional(
      Type.Array(ToolDeclaration, {
        description: "Which tool arguments carry commands, SQL, paths or URLs",
      }),
    ),
  },
  strict,
);
export type Analysis = Static<typeof Analysis>;

export const PolicyDocument = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    version: Type.Optional(Type.Literal(1)),
    mode: Type.Optional(Mode),
    analysis: Type.Optional(Analysis),
    agents: Type.Optional(Type.Array(Agent)),
    groups: Type.Optional(Type.Array(Group)),
    redlines: Type.Optional(Type.Array(Redline)),
    rules: Type.Optional(Type.Array(Rule)),
    limits: Type.Optional(
      Type.Array(Limit, { description: "Velocity caps and budgets per agent" }),
    ),
    breaker: Type.Optional(
      Type.Object(
        {
          denials: Type.Integer({ minimum: 1, description: "Denials that trip the breaker..." }),
          per: Duration(
            "...within this window; the agent is then quarantined until a human resumes it",
          ),
        },
        { ...strict, description: "Circuit breaker; default 5 denials per 60s" },
      ),
    ),
    sessions: Type.Optional(
      Type.Object(
        {
          taint: Type.Array(Taint, {
            description: "Facts earlier in a session that gate later actions; replaces the default",
          }),
        },
        strict,
      ),
    ),
  },
  { ...strict, $id: "urn:redline:schema:policy:v1", title: "Redline policy" },
);
export type PolicyDocument = Static<typeof PolicyDocument>;
