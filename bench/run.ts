/**
 * Redline's decision engine vs Cedar (@cedar-policy/cedar-wasm), same process, same actions.
 *
 *   npm run bench            (tsx bench/run.ts)
 *   npm run bench -- --dump  also writes the generated policies to bench/results/
 *
 * For 20 and 1,000 rules it generates one abstract policy and renders it twice, as Redline
 * YAML and as Cedar text, so that both say exactly the same thing (allow/deny only, no
 * approval). It then checks, for every benchmark action, that both engines reach the same
 * decision through the same rules, and aborts if not. Only then does it time them.
 *
 * Timing: batch timing (one hrtime pair around many calls) gives the median ns/op without the
 * tens of ns of hrtime overhead; per-call timing (one hrtime pair per call) gives p50/p99, which
 * include that overhead (it is measured and printed). Facts and Cedar requests are built in
 * advance: analyzers and request building are not timed, only the engine call.
 *
 * Type-check: npx tsc -p bench/tsconfig.json
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { stringify } from "yaml";
import type { CategoryId } from "../src/core/catalogue.js";
import { decide } from "../src/core/engine/decide.js";
import type { McpAction } from "../src/core/envelope.js";
import type { Facts } from "../src/core/facts.js";
import { compilePolicy } from "../src/core/policy/compile.js";
import type { Policy } from "../src/core/policy/model.js";

const SIZES = [20, 1000] as const;
const ACTION_COUNT = 200;
const SEED = 0x5eed1e;
const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "results");

/** Iteration plan. Cedar calls are adaptive: enough for a stable p99, within a time budget. */
const PLAN = {
  redline: { warmupCalls: 200_000, batchSize: 1_000, batches: 1_000, perCallCalls: 1_000_000 },
  cedar: {
    warmupMs: 1_500,
    batchMs: 5_000,
    minBatches: 20,
    perCallMs: 9_000,
    minPerCall: 10_000,
    maxPerCall: 100_000,
  },
};

/** Goals checked at the end. */
const GOALS = { speedupAt20: 100, speedupAt1000: 300, redlineP99At1000Ns: 50_000 };

// ---------------------------------------------------------------------------------------------
// Deterministic generation
// ---------------------------------------------------------------------------------------------

/** mulberry32: small, seedable, the same sequence on every machine. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rand {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(list: readonly T[]): T {
    if (list.length === 0) throw new Error("pick from an empty list");
    return list[Math.floor(this.next() * list.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  shuffle<T>(list: readonly T[]): T[] {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

interface ToolDef {
  name: string;
  /** Name of the integer argument the tool always carries (conditions test it). */
  num?: string;
  /** Categories the (excluded) analyzers would report for this tool. */
  cats?: CategoryId[];
  /** Read-only: allowed by glob rules on default-deny agents. */
  read?: boolean;
}

const t = (name: string, extra: Omit<ToolDef, "name"> = {}): ToolDef => ({ name, ...extra });
const SERVERS: Record<string, ToolDef[]> = {
  shop: [
    t("get_order", { read: true }),
    t("get_customer", { read: true }),
    t("list_orders", { read: true }),
    t("refund_order", { num: "amount", cats: ["money.move"] }),
    t("cancel_order"),
    t("update_order"),
    t("apply_discount", { num: "percent" }),
    t("export_orders", { num: "count", cats: ["network.egress"] }),
    t("delete_customer", { cats: ["data.destroy"] }),
  ],
  crm: [
    t("get_contact", { read: true }),
    t("get_deal", { read: true }),
    t("search_contacts", { num: "limit" }),
    t("update_contact"),
    t("create_note"),
    t("send_email", { num: "recipients", cats: ["external.send"] }),
    t("export_contacts", { num: "count", cats: ["network.egress"] }),
    t("delete_contact", { cats: ["data.destroy"] }),
  ],
  payments: [
    t("get_balance", { read: true }),
    t("get_invoice", { read: true }),
    t("list_charges", { read: true }),
    t("refund_charge", { num: "amount", cats: ["money.move"] }),
    t("create_payout", { num: "amount", cats: ["money.move"] }),
    t("transfer_funds", { num: "amount", cats: ["money.move"] }),
    t("void_invoice"),
    t("rotate_api_key", { cats: ["iam.change"] }),
  ],
  github: [
    t("get_file", { read: true }),
    t("get_issue", { read: true }),
    t("list_pulls", { read: true }),
    t("create_pull"),
    t("comment_issue"),
    t("merge_pull", { num: "files" }),
    t("create_release", { cats: ["deploy.prod"] }),
    t("delete_branch", { cats: ["vcs.rewrite"] }),
    t("force_push", { cats: ["vcs.rewrite"] }),
  ],
  db: [
    t("get_schema", { read: true }),
    t("list_tables", { read: true }),
    t("run_query", { num: "limit" }),
    t("insert_rows", { num: "rows" }),
    t("update_rows", { num: "rows" }),
    t("delete_rows", { num: "rows" }),
    t("create_backup"),
    t("drop_table", { cats: ["data.destroy"] }),
    t("delete_backup", { cats: ["backup.destroy"] }),
  ],
  cloud: [
    t("get_instance", { read: true }),
    t("list_instances", { read: true }),
    t("get_logs", { read: true }),
    t("start_instance"),
    t("stop_instance"),
    t("scale_service", { num: "replicas" }),
    t("terminate_instance", { cats: ["infra.destroy"] }),
    t("get_secret", { cats: ["secret.access"] }),
    t("create_user", { cats: ["iam.change"] }),
    t("disable_trail", { cats: ["audit.tamper"] }),
  ],
  files: [
    t("read_file", { read: true }),
    t("list_dir", { read: true }),
    t("get_metadata", { read: true }),
    t("write_file", { num: "bytes" }),
    t("move_file"),
    t("delete_file", { cats: ["data.destroy"] }),
    t("read_env", { cats: ["secret.access"] }),
  ],
  slack: [
    t("get_channel", { read: true }),
    t("list_channels", { read: true }),
    t("post_message", { num: "length" }),
    t("upload_file", { num: "bytes", cats: ["network.egress"] }),
    t("invite_user", { cats: ["iam.change"] }),
    t("archive_channel"),
  ],
};
const SERVER_NAMES = Object.keys(SERVERS);
const ALL_TOOLS = SERVER_NAMES.flatMap((s) =>
  (SERVERS[s] ?? []).map((tool) => ({ server: s, tool })),
);

interface Role {
  name: string;
  default: "allow" | "deny";
  servers: string[];
  /** Categories a default-allow agent of this role gets its own deny rule for. */
  denyCategories: CategoryId[][];
}
const ROLES: Role[] = [
  { name: "support-bot", default: "deny", servers: ["shop", "crm", "slack"], denyCategories: [] },
  {
    name: "coding-agent",
    default: "allow",
    servers: ["github", "files", "db"],
    denyCategories: [["vcs.rewrite"], ["deploy.prod", "infra.destroy"]],
  },
  { name: "ops-agent", default: "deny", servers: ["cloud", "db", "slack"], denyCategories: [] },
  {
    name: "billing-bot",
    default: "deny",
    servers: ["payments", "shop", "crm"],
    denyCategories: [],
  },
  {
    name: "data-agent",
    default: "allow",
    servers: ["db", "files", "crm"],
    denyCategories: [["network.egress"], ["external.send"]],
  },
  {
    name: "release-bot",
    default: "deny",
    servers: ["github", "cloud", "slack"],
    denyCategories: [],
  },
  {
    name: "research-agent",
    default: "allow",
    servers: ["files", "crm", "slack"],
    denyCategories: [["external.send", "network.egress"], ["money.move"]],
  },
];

/** Red lines for every agent. */
const GLOBAL_REDLINES: { id: string; categories: CategoryId[] }[] = [
  { id: "rl-destroy", categories: ["data.destroy", "backup.destroy"] },
  { id: "rl-secrets", categories: ["secret.access"] },
  { id: "rl-iam", categories: ["iam.change", "audit.tamper"] },
];
const REDLINED = new Set<string>(GLOBAL_REDLINES.flatMap((r) => r.categories));
/** Per numeric argument: the limits rules use, and the largest value actions carry. */
const ARGS: Record<string, { limits: number[]; max: number }> = {
  amount: { limits: [100, 500, 1000, 5000, 10000], max: 50_000 },
  percent: { limits: [10, 20, 30, 50], max: 100 },
  count: { limits: [100, 1000, 10000], max: 100_000 },
  limit: { limits: [100, 1000, 10000], max: 100_000 },
  rows: { limits: [100, 1000, 10000], max: 100_000 },
  recipients: { limits: [1, 10, 50, 100], max: 500 },
  bytes: { limits: [1_000_000, 10_000_000], max: 100_000_000 },
  replicas: { limits: [5, 10, 20, 50], max: 100 },
  files: { limits: [20, 50, 100], max: 500 },
  length: { limits: [500, 2000, 4000], max: 10_000 },
};
function arg(name: string): { limits: number[]; max: number } {
  const a = ARGS[name];
  if (!a) throw new Error(`no range for argument ${name}`);
  return a;
}

interface Cond {
  arg: string;
  op: ">" | ">=" | "<" | "<=";
  value: number;
}

/** One rule, engine-neutral; rendered both as Redline YAML and as a Cedar policy. */
interface RuleSpec {
  id: string;
  redline: boolean;
  agents: "*" | string[];
  effect: "allow" | "deny";
  server?: string;
  /** Exact tool name, or a `prefix_*` glob. */
  tool?: string;
  categories?: CategoryId[];
  cond?: Cond;
  type: "red line" | "exact" | "glob" | "condition" | "category" | "shared";
}

interface AgentSpec {
  id: string;
  role: Role;
  default: "allow" | "deny";
}

interface Generated {
  size: number;
  agents: AgentSpec[];
  rules: RuleSpec[];
}

function isRedlined(tool: ToolDef): boolean {
  return (tool.cats ?? []).some((c) => REDLINED.has(c));
}

/** Candidate rules for one agent, most characteristic first, then the rest in random order. */
function candidatesFor(agent: AgentSpec, r: Rand): Omit<RuleSpec, "id">[] {
  const mine = { agents: [agent.id], redline: false as const };
  const out: Omit<RuleSpec, "id">[][] = [[], [], [], [], []]; // by type, interleaved below
  const servers = agent.role.servers;
  for (const server of servers) {
    const tools = SERVERS[server] ?? [];
    if (agent.default === "deny") {
      // Allow-list: reads by glob on some servers, everything else by exact name.
      const globbed = r.chance(0.5);
      if (globbed) {
        for (const prefix of ["get_", "list_"]) {
          if (tools.some((x) => x.name.startsWith(prefix))) {
            out[1]?.push({ ...mine, effect: "allow", server, tool: `${prefix}*`, type: "glob" });
          }
        }
      }
      for (const tool of tools) {
        if (isRedlined(tool)) continue;
        if (tool.read && globbed && /^(get|list)_/.test(tool.name)) continue;
        if (tool.num) {
          const value = r.pick(arg(tool.num).limits);
          if (r.chance(0.5)) {
            // Allowed, but denied above a limit.
            out[2]?.push({ ...mine, effect: "allow", server, tool: tool.name, type: "exact" });
            out[0]?.push({
              ...mine,
              effect: "deny",
              server,
              tool: tool.name,
              cond: { arg: tool.num, op: r.chance(0.7) ? ">" : ">=", value },
              type: "condition",
            });
          } else {
            // Allowed only up to a limit.
            out[0]?.push({
              ...mine,
              effect: "allow",
              server,
              tool: tool.name,
              cond: { arg: tool.num, op: r.chance(0.7) ? "<=" : "<", value },
              type: "condition",
            });
          }
        } else if (tool.read || r.chance(0.7)) {
          out[2]?.push({ ...mine, effect: "allow", server, tool: tool.name, type: "exact" });
        } else {
          out[4]?.push({ ...mine, effect: "deny", server, tool: tool.name, type: "exact" });
        }
      }
    } else {
      // Block-list: deny what is risky, cap what is numeric.
      for (const tool of tools) {
        if (isRedlined(tool)) continue;
        if (tool.num) {
          out[0]?.push({
            ...mine,
            effect: "deny",
            server,
            tool: tool.name,
            cond: {
              arg: tool.num,
              op: r.chance(0.7) ? ">" : ">=",
              value: r.pick(arg(tool.num).limits),
            },
            type: "condition",
          });
        } else if (!tool.read && r.chance(0.5)) {
          out[2]?.push({ ...mine, effect: "deny", server, tool: tool.name, type: "exact" });
        } else if (tool.read && r.chance(0.3)) {
          out[4]?.push({ ...mine, effect: "allow", server, tool: tool.name, type: "exact" });
        }
      }
    }
  }
  for (const categories of agent.role.denyCategories) {
    out[3]?.push({ ...mine, effect: "deny", categories, type: "category" });
  }
  // Interleave: one of each kind first, so even a 20-rule policy has a mix.
  const lists = out.map((l, i) => (i === 0 ? l : r.shuffle(l)));
  const ordered: Omit<RuleSpec, "id">[] = [];
  for (let round = 0; lists.some((l) => l.length > round); round++) {
    for (const l of lists) {
      const x = l[round];
      if (x) ordered.push(x);
    }
  }
  return ordered;
}

function generate(size: number): Generated {
  const r = new Rand(SEED + size);
  const agents: AgentSpec[] = [];
  if (size <= 50) {
    for (const role of ROLES.slice(0, 3))
      agents.push({ id: role.name, role, default: role.default });
  } else {
    const count = Math.ceil(size / 16); // ~16 rules per agent: the candidates per role allow ~13-24
    for (let i = 0; i < count; i++) {
      const role = ROLES[i % ROLES.length] as Role;
      const n = Math.floor(i / ROLES.length) + 1;
      agents.push({
        id: `${role.name}-${String(n).padStart(2, "0")}`,
        role,
        default: role.default,
      });
    }
  }

  const rules: RuleSpec[] = GLOBAL_REDLINES.map((g) => ({
    id: g.id,
    redline: true,
    agents: "*",
    effect: "deny",
    categories: g.categories,
    type: "red line",
  }));

  // A few rules shared by several agents (Redline: an agent list; Cedar: `principal in [...]`).
  const shared = size <= 50 ? 1 : Math.round(size / 50);
  for (let i = 0; i < shared; i++) {
    const group = r.shuffle(agents).slice(0, r.int(2, Math.min(5, agents.length)));
    const { server, tool } = r.pick(ALL_TOOLS.filter((x) => !isRedlined(x.tool)));
    const cond = tool.num
      ? { arg: tool.num, op: ">" as const, value: r.pick(arg(tool.num).limits) }
      : undefined;
    rules.push({
      id: `shared-${i + 1}`,
      redline: false,
      agents: group.map((a) => a.id),
      effect: cond ? "deny" : r.chance(0.5) ? "allow" : "deny",
      server,
      tool: tool.name,
      ...(cond ? { cond } : {}),
      type: "shared",
    });
  }

  const queues = agents.map((a) => candidatesFor(a, r));
  const counters = new Map<string, number>();
  for (let round = 0; rules.length < size; round++) {
    let progressed = false;
    for (const [i, q] of queues.entries()) {
      if (rules.length >= size) break;
      const c = q[round];
      if (!c) continue;
      progressed = true;
      const agent = (agents[i] as AgentSpec).id;
      const n = (counters.get(agent) ?? 0) + 1;
      counters.set(agent, n);
      rules.push({ ...c, id: `${agent}.r${n}` });
    }
    if (!progressed) throw new Error(`cannot generate ${size} rules: candidates exhausted`);
  }
  return { size, agents, rules };
}

// ---------------------------------------------------------------------------------------------
// Rendering: Redline YAML and Cedar text
// ---------------------------------------------------------------------------------------------

function celOf(c: Cond): string {
  return `action.arguments.${c.arg} ${c.op} ${c.value}`;
}

function toRedlineYaml(g: Generated): string {
  const doc = {
    version: 1,
    agents: g.agents.map((a) => ({ id: a.id, default: a.default })),
    redlines: g.rules
      .filter((x) => x.redline)
      .map((x) => ({
        id: x.id,
        agents: x.agents === "*" ? ["*"] : x.agents,
        categories: x.categories,
        effect: x.effect,
      })),
    rules: g.rules
      .filter((x) => !x.redline)
      .map((x) => {
        const match: Record<string, unknown> = {};
        if (x.categories) match.categories = x.categories;
        else {
          match.kind = "mcp";
          if (x.server) match.server = x.server;
          if (x.tool) match.tool = x.tool;
        }
        return {
          id: x.id,
          agents: x.agents === "*" ? ["*"] : x.agents,
          match,
          ...(x.cond ? { when: celOf(x.cond) } : {}),
          effect: x.effect,
        };
      }),
  };
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

const q = (s: string) => JSON.stringify(s);

/** Cedar policies in Redline's rule order (red lines first), then one permit per default-allow agent. */
function toCedar(g: Generated): { text: string; ids: string[] } {
  const ordered = [...g.rules.filter((x) => x.redline), ...g.rules.filter((x) => !x.redline)];
  const ids: string[] = [];
  const policies: string[] = [];
  for (const x of ordered) {
    const principal =
      x.agents !== "*" && x.agents.length === 1
        ? `principal == Agent::${q(x.agents[0] as string)}`
        : "principal";
    const exact = x.server !== undefined && x.tool !== undefined && !x.tool.includes("*");
    const action = x.categories ? "action" : 'action == Action::"mcp"';
    const resource = exact ? `resource == Tool::${q(`${x.server}/${x.tool}`)}` : "resource";
    const when: string[] = [];
    if (x.agents !== "*" && x.agents.length > 1) {
      when.push(`principal in [${x.agents.map((a) => `Agent::${q(a)}`).join(", ")}]`);
    }
    if (!exact && x.server !== undefined) when.push(`context.server == ${q(x.server)}`);
    if (!exact && x.tool !== undefined) when.push(`context.tool like ${q(x.tool)}`);
    if (x.categories)
      when.push(`context.categories.containsAny([${x.categories.map(q).join(", ")}])`);
    if (x.cond) when.push(`context.${x.cond.arg} ${x.cond.op} ${x.cond.value}`);
    const effect = x.effect === "allow" ? "permit" : "forbid";
    policies.push(
      `// ${x.id}\n${effect} (${principal}, ${action}, ${resource})${when.length ? `\nwhen { ${when.join(" && ")} }` : ""};`,
    );
    ids.push(x.id);
  }
  for (const a of g.agents) {
    if (a.default !== "allow") continue;
    policies.push(
      `// default allow for ${a.id}\npermit (principal == Agent::${q(a.id)}, action, resource);`,
    );
    ids.push(`default:${a.id}`);
  }
  return { text: `${policies.join("\n\n")}\n`, ids };
}

// ---------------------------------------------------------------------------------------------
// Benchmark actions
// ---------------------------------------------------------------------------------------------

interface Case {
  action: McpAction;
  facts: Facts;
  cedar: cedar.StatefulAuthorizationCall;
}

function findTool(server: string, name: string): ToolDef {
  const tool = SERVERS[server]?.find((x) => x.name === name);
  if (!tool) throw new Error(`unknown tool ${server}/${name}`);
  return tool;
}

function numValue(r: Rand, name: string): number {
  // Log-uniform 1..max: small values common, large ones present.
  return Math.max(1, Math.round(Math.exp(r.next() * Math.log(arg(name).max))));
}

function makeActions(g: Generated, cedarSetId: string): Case[] {
  const r = new Rand(SEED ^ (g.size * 7919));
  const cases: Case[] = [];
  const byAgent = new Map<string, RuleSpec[]>();
  for (const x of g.rules) {
    if (x.agents === "*" || x.categories) continue;
    for (const a of x.agents) byAgent.set(a, [...(byAgent.get(a) ?? []), x]);
  }
  const categorised = ALL_TOOLS.filter((x) => x.tool.cats);
  for (let i = 0; i < ACTION_COUNT; i++) {
    const roll = r.next();
    let agent: string;
    let server: string;
    let tool: ToolDef;
    let forced: number | undefined;
    if (roll < 0.03) {
      // An agent the policy does not know: refused by Redline, no permit in Cedar.
      agent = "intern-bot";
      ({ server, tool } = r.pick(ALL_TOOLS));
    } else {
      const a = r.pick(g.agents);
      agent = a.id;
      const own = byAgent.get(a.id) ?? [];
      if (roll < 0.55 && own.length > 0) {
        // Aim at one of the agent's rules; for a condition, land on either side of the limit.
        const rule = r.pick(own);
        server = rule.server as string;
        const name = rule.tool as string;
        if (name.endsWith("*")) {
          const prefix = name.slice(0, -1);
          tool = r.pick((SERVERS[server] ?? []).filter((x) => x.name.startsWith(prefix)));
        } else tool = findTool(server, name);
        if (rule.cond) {
          const v = rule.cond.value;
          forced = r.pick([v - 1, v, v + 1, Math.max(1, Math.floor(v / 3)), v * 3]);
        }
      } else if (roll < 0.75) {
        server = r.pick(a.role.servers);
        tool = r.pick(SERVERS[server] ?? []);
      } else if (roll < 0.87) {
        ({ server, tool } = r.pick(ALL_TOOLS));
      } else {
        ({ server, tool } = r.pick(categorised));
      }
    }
    const args: Record<string, string | number> = {
      request_id: `req-${String(i).padStart(4, "0")}`,
    };
    if (tool.num) args[tool.num] = forced ?? numValue(r, tool.num);
    const action: McpAction = { agent, kind: "mcp", server, tool: tool.name, arguments: args };
    const facts: Facts = {
      categories: [...(tool.cats ?? [])],
      flags: [],
      targets: { paths: [], tables: [], hosts: [], resources: [] },
      findings: (tool.cats ?? []).map((category) => ({
        category,
        reason: `${server}/${tool.name}`,
      })),
    };
    const call: cedar.StatefulAuthorizationCall = {
      principal: { type: "Agent", id: agent },
      action: { type: "Action", id: "mcp" },
      resource: { type: "Tool", id: `${server}/${tool.name}` },
      context: { server, tool: tool.name, categories: [...facts.categories], ...args },
      preparsedPolicySetId: cedarSetId,
      entities: [],
    };
    cases.push({ action, facts, cedar: call });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Equivalence check
// ---------------------------------------------------------------------------------------------

interface Coverage {
  allow: number;
  deny: number;
  byRedline: number;
  byRule: number;
  byDefault: number;
  unknownAgent: number;
  conditionTrue: number;
  conditionFalse: number;
  globHits: number;
}

function evalCond(c: Cond, v: number): boolean {
  return c.op === ">"
    ? v > c.value
    : c.op === ">="
      ? v >= c.value
      : c.op === "<"
        ? v < c.value
        : v <= c.value;
}

function cedarAuthorize(call: cedar.StatefulAuthorizationCall): {
  decision: string;
  reason: string[];
} {
  const answer = cedar.statefulIsAuthorized(call);
  if (answer.type !== "success") {
    throw new Error(`cedar failed: ${answer.errors.map((e) => e.message).join("; ")}`);
  }
  if (answer.response.diagnostics.errors.length > 0) {
    const msgs = answer.response.diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`);
    throw new Error(`cedar evaluation errors: ${msgs.join("; ")}`);
  }
  return { decision: answer.response.decision, reason: answer.response.diagnostics.reason };
}

/**
 * Both engines must decide every action the same, through the same rules: Redline's deciding
 * rules = Cedar's satisfied policies of the winning effect (plus the default permit).
 */
function checkEquivalence(
  g: Generated,
  policy: Policy,
  cases: Case[],
  cedarIds: string[],
): Coverage {
  const cov: Coverage = {
    allow: 0,
    deny: 0,
    byRedline: 0,
    byRule: 0,
    byDefault: 0,
    unknownAgent: 0,
    conditionTrue: 0,
    conditionFalse: 0,
    globHits: 0,
  };
  const redlineIds = new Set(g.rules.filter((x) => x.redline).map((x) => x.id));
  const known = new Set(g.agents.map((a) => a.id));
  const problems: string[] = [];
  for (const [i, c] of cases.entries()) {
    const rd = decide(policy, c.action, c.facts);
    const cd = cedarAuthorize(c.cedar);
    const cedarRules = cd.reason
      .map((p) => cedarIds[Number(p.replace(/^policy/, ""))] ?? `?${p}`)
      .filter((id) => !id.startsWith("default:"))
      .sort();
    const redlineRules = [...rd.rules].sort();
    const where = `action #${i} ${JSON.stringify(c.action)} categories=${JSON.stringify(c.facts.categories)}`;
    if (rd.decision !== cd.decision) {
      problems.push(
        `${where}: redline ${rd.decision} (${rd.reason}) vs cedar ${cd.decision} (${cd.reason.join(",")})`,
      );
      continue;
    }
    if (rd.errors) problems.push(`${where}: redline condition errors ${rd.errors.join("; ")}`);
    const unknown = !known.has(c.action.agent);
    if (!unknown && redlineRules.join(",") !== cedarRules.join(",")) {
      problems.push(
        `${where}: same decision ${rd.decision} but redline rules [${redlineRules}] vs cedar [${cedarRules}]`,
      );
    }
    if (rd.decision === "allow") cov.allow++;
    else cov.deny++;
    if (unknown) cov.unknownAgent++;
    else if (rd.rules.length === 0) cov.byDefault++;
    else if (rd.rules.some((id) => redlineIds.has(id))) cov.byRedline++;
    else cov.byRule++;
    // Which conditions and globs this action exercised (rules whose other parts matched).
    for (const x of g.rules) {
      if (x.categories || x.agents === "*" || !x.agents.includes(c.action.agent)) continue;
      if (x.server !== c.action.server || x.tool === undefined) continue;
      const glob = x.tool.endsWith("*");
      if (glob ? !c.action.tool.startsWith(x.tool.slice(0, -1)) : x.tool !== c.action.tool)
        continue;
      if (glob) cov.globHits++;
      if (x.cond) {
        if (evalCond(x.cond, Number(c.action.arguments?.[x.cond.arg]))) cov.conditionTrue++;
        else cov.conditionFalse++;
      }
    }
  }
  if (problems.length > 0) {
    console.error(
      `\nFAILED: Redline and Cedar disagree on ${problems.length} of ${cases.length} actions (${g.size} rules):`,
    );
    for (const p of problems.slice(0, 20)) console.error(`  ${p}`);
    process.exit(1);
  }
  return cov;
}

// ---------------------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------------------

const hr = process.hrtime.bigint;

interface Stats {
  medianNs: number;
  batchSize: number;
  batches: number;
  p50Ns: number;
  p99Ns: number;
  p999Ns: number;
  maxNs: number;
  perCallCalls: number;
}

function quantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[idx] as number;
}

function median(values: number[]): number {
  return quantile(Float64Array.from(values).sort(), 0.5);
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function hrtimeOverhead(): number {
  const n = 200_000;
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = hr();
    const t1 = hr();
    s[i] = Number(t1 - t0);
  }
  return quantile(s.sort(), 0.5);
}

// Separate, monomorphic loops per engine: a shared `measure(fn)` would make the call site
// polymorphic and add call overhead that matters at Redline's speed.

function redlineRun(policy: Policy, cases: Case[], calls: number): number {
  let denies = 0;
  const n = cases.length;
  for (let i = 0, j = 0; i < calls; i++, j = j + 1 === n ? 0 : j + 1) {
    const c = cases[j] as Case;
    if (decide(policy, c.action, c.facts).decision === "deny") denies++;
  }
  return denies;
}

function redlineBatches(
  policy: Policy,
  cases: Case[],
  batchSize: number,
  batches: number,
): number[] {
  const out: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = hr();
    redlineRun(policy, cases, batchSize);
    out.push(Number(hr() - t0) / batchSize);
  }
  return out;
}

function redlinePerCall(policy: Policy, cases: Case[], calls: number): Float64Array {
  const s = new Float64Array(calls);
  const n = cases.length;
  let sink = 0;
  for (let i = 0, j = 0; i < calls; i++, j = j + 1 === n ? 0 : j + 1) {
    const c = cases[j] as Case;
    const t0 = hr();
    const d = decide(policy, c.action, c.facts);
    const t1 = hr();
    s[i] = Number(t1 - t0);
    sink += d.rules.length;
  }
  if (sink < 0) console.log(sink);
  return s;
}

function cedarRun(cases: Case[], calls: number, start = 0): number {
  let denies = 0;
  const n = cases.length;
  for (let i = 0, j = start % n; i < calls; i++, j = j + 1 === n ? 0 : j + 1) {
    const answer = cedar.statefulIsAuthorized((cases[j] as Case).cedar);
    if (answer.type !== "success") throw new Error("cedar failed during timing");
    if (answer.response.decision === "deny") denies++;
  }
  return denies;
}

function cedarBatches(cases: Case[], batchSize: number, batches: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = hr();
    cedarRun(cases, batchSize, b * batchSize);
    out.push(Number(hr() - t0) / batchSize);
  }
  return out;
}

function cedarPerCall(cases: Case[], calls: number): Float64Array {
  const s = new Float64Array(calls);
  const n = cases.length;
  for (let i = 0, j = 0; i < calls; i++, j = j + 1 === n ? 0 : j + 1) {
    const call = (cases[j] as Case).cedar;
    const t0 = hr();
    const answer = cedar.statefulIsAuthorized(call);
    const t1 = hr();
    s[i] = Number(t1 - t0);
    if (answer.type !== "success") throw new Error("cedar failed during timing");
  }
  return s;
}

function summarise(batchNs: number[], batchSize: number, perCall: Float64Array): Stats {
  const sorted = perCall.sort();
  return {
    medianNs: median(batchNs),
    batchSize,
    batches: batchNs.length,
    p50Ns: quantile(sorted, 0.5),
    p99Ns: quantile(sorted, 0.99),
    p999Ns: quantile(sorted, 0.999),
    maxNs: sorted[sorted.length - 1] ?? Number.NaN,
    perCallCalls: sorted.length,
  };
}

function benchRedline(policy: Policy, cases: Case[], expectedDenies: number): Stats {
  const p = PLAN.redline;
  progress(`  redline: warm-up ${p.warmupCalls.toLocaleString("en-US")} calls`);
  const denies = redlineRun(policy, cases, cases.length * 10);
  if (denies !== expectedDenies * 10) throw new Error("redline decisions changed between runs");
  redlineRun(policy, cases, p.warmupCalls);
  gc();
  progress(`  redline: ${p.batches} batches of ${p.batchSize.toLocaleString("en-US")} calls`);
  const batches = redlineBatches(policy, cases, p.batchSize, p.batches);
  gc();
  progress(`  redline: ${p.perCallCalls.toLocaleString("en-US")} individually timed calls`);
  const perCall = redlinePerCall(policy, cases, p.perCallCalls);
  return summarise(batches, p.batchSize, perCall);
}

function benchCedar(cases: Case[], expectedDenies: number): Stats {
  const p = PLAN.cedar;
  const denies = cedarRun(cases, cases.length);
  if (denies !== expectedDenies) throw new Error("cedar decisions changed between runs");
  progress(`  cedar: warm-up ~${p.warmupMs} ms`);
  const w0 = performance.now();
  let warm = 0;
  while (performance.now() - w0 < p.warmupMs) {
    cedarRun(cases, cases.length);
    warm += cases.length;
  }
  const estNs = ((performance.now() - w0) * 1e6) / warm;
  const batchSize = Math.max(10, Math.min(1_000, Math.round(50e6 / estNs))); // ~50 ms per batch
  const batches = Math.max(p.minBatches, Math.round((p.batchMs * 1e6) / (estNs * batchSize)));
  gc();
  progress(
    `  cedar: ${batches} batches of ${batchSize.toLocaleString("en-US")} calls (~${Math.round(estNs / 1000)} µs/call)`,
  );
  const batchNs = cedarBatches(cases, batchSize, batches);
  const calls = Math.max(
    p.minPerCall,
    Math.min(p.maxPerCall, Math.round((p.perCallMs * 1e6) / estNs)),
  );
  gc();
  progress(`  cedar: ${calls.toLocaleString("en-US")} individually timed calls`);
  const perCall = cedarPerCall(cases, calls);
  return summarise(batchNs, batchSize, perCall);
}

/**
 * What cedar-wasm costs before any policy work: a one-policy set, the same requests. Crossing
 * into WebAssembly and converting request and answer is a fixed part of every Cedar call.
 */
function cedarFloor(cases: Case[]): number {
  const id = "bench-floor";
  const parsed = cedar.preparsePolicySet(id, {
    staticPolicies: "permit (principal, action, resource);",
  });
  if (parsed.type !== "success") throw new Error("cedar cannot parse the one-policy set");
  const floorCases = cases.map((c) => ({ ...c, cedar: { ...c.cedar, preparsedPolicySetId: id } }));
  cedarRun(floorCases, 5_000);
  const batches = cedarBatches(floorCases, 1_000, 15);
  return median(batches);
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const started = performance.now();
function progress(msg: string): void {
  process.stderr.write(
    `[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`,
  );
}

function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return "n/a";
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 2 : 1)} µs`;
  return `${(ns / 1_000_000).toFixed(2)} ms`;
}

function fmtRatio(x: number): string {
  return `${x >= 100 ? x.toFixed(0) : x.toFixed(1)}×`;
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r, ri) => {
      const line = r
        .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join("  ");
      return ri === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
    })
    .join("\n");
}

interface SizeResult {
  rules: number;
  cedarPolicies: number;
  agents: number;
  actions: number;
  ruleTypes: Record<string, number>;
  coverage: Coverage;
  redline: Stats;
  cedar: Stats;
  ratio: { median: number; p50: number; p99: number };
}

function main(): void {
  const dump = process.argv.includes("--dump");
  progress(`node ${process.version}, cedar ${cedar.getCedarVersion()}, ${os.cpus().length} CPUs`);
  const overhead = hrtimeOverhead();
  progress(`hrtime.bigint() pair overhead: ~${overhead} ns`);
  const results: SizeResult[] = [];
  let floor = Number.NaN;

  for (const size of SIZES) {
    progress(`${size} rules: generating policies and ${ACTION_COUNT} actions`);
    const g = generate(size);
    const yaml = toRedlineYaml(g);
    const compiled = compilePolicy([{ file: `bench-${size}.yaml`, text: yaml }]);
    if (!compiled.ok) {
      console.error(compiled.errors.slice(0, 10));
      throw new Error(`the generated ${size}-rule Redline policy does not compile`);
    }
    const policy = compiled.policy;
    if (policy.rules.length !== size)
      throw new Error(`expected ${size} Redline rules, got ${policy.rules.length}`);
    const { text: cedarText, ids: cedarIds } = toCedar(g);
    const setId = `bench-${size}`;
    const parsed = cedar.preparsePolicySet(setId, { staticPolicies: cedarText });
    if (parsed.type !== "success") {
      throw new Error(
        `cedar cannot parse the ${size}-rule policy: ${parsed.errors.map((e) => e.message).join("; ")}`,
      );
    }
    if (dump) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      writeFileSync(path.join(RESULTS_DIR, `policy-${size}.yaml`), yaml);
      writeFileSync(path.join(RESULTS_DIR, `policy-${size}.cedar`), cedarText);
    }
    const cases = makeActions(g, setId);

    progress(`${size} rules: checking that both engines agree on every action`);
    const coverage = checkEquivalence(g, policy, cases, cedarIds);
    const ruleTypes: Record<string, number> = {};
    for (const x of g.rules)
      ruleTypes[`${x.type} ${x.effect}`] = (ruleTypes[`${x.type} ${x.effect}`] ?? 0) + 1;

    progress(`${size} rules: timing Redline`);
    const redline = benchRedline(policy, cases, coverage.deny);
    gc();
    progress(`${size} rules: timing Cedar`);
    const cedarStats = benchCedar(cases, coverage.deny);
    gc();
    if (Number.isNaN(floor)) {
      progress("cedar-wasm floor: the same requests against a one-policy set");
      floor = cedarFloor(cases);
    }
    results.push({
      rules: size,
      cedarPolicies: cedarIds.length,
      agents: g.agents.length,
      actions: cases.length,
      ruleTypes,
      coverage,
      redline,
      cedar: cedarStats,
      ratio: {
        median: cedarStats.medianNs / redline.medianNs,
        p50: cedarStats.p50Ns / redline.p50Ns,
        p99: cedarStats.p99Ns / redline.p99Ns,
      },
    });
  }

  const at = (n: number) => results.find((r) => r.rules === n) as SizeResult;
  const goals = [
    {
      goal: `Redline ≥${GOALS.speedupAt20}× faster than Cedar (median), 20 rules`,
      value: at(20).ratio.median,
      shown: fmtRatio(at(20).ratio.median),
      pass: at(20).ratio.median >= GOALS.speedupAt20,
    },
    {
      goal: `Redline ≥${GOALS.speedupAt1000}× faster than Cedar (median), 1,000 rules`,
      value: at(1000).ratio.median,
      shown: fmtRatio(at(1000).ratio.median),
      pass: at(1000).ratio.median >= GOALS.speedupAt1000,
    },
    {
      goal: `Redline p99 < ${fmtNs(GOALS.redlineP99At1000Ns)}, 1,000 rules`,
      value: at(1000).redline.p99Ns,
      shown: fmtNs(at(1000).redline.p99Ns),
      pass: at(1000).redline.p99Ns < GOALS.redlineP99At1000Ns,
    },
  ];

  const command = process.env.npm_lifecycle_event
    ? `npm run ${process.env.npm_lifecycle_event} (${process.env.npm_lifecycle_script ?? ""})`
    : `tsx ${path.relative(process.cwd(), process.argv[1] ?? "bench/run.ts")}`;
  const date = new Date().toISOString();
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";

  const out: string[] = [];
  out.push("Redline decision engine vs Cedar (@cedar-policy/cedar-wasm)");
  out.push(`command: ${command}`);
  out.push(
    `node ${process.version} (V8 ${process.versions.v8}), cedar ${cedar.getCedarVersion()}, ${os.platform()}/${os.arch()}, ${os.cpus().length}× ${cpu}`,
  );
  out.push(`date: ${date}`);
  out.push(
    `${ACTION_COUNT} actions per size, facts and Cedar requests precomputed; decisions and deciding rules identical in both engines for every action.`,
  );
  out.push(
    `median = batch timing (ns/op over batches); p50/p99 = per-call timing, incl. ~${overhead} ns hrtime overhead.`,
  );
  out.push(
    `cedar-wasm floor (a one-policy set, same requests): ${fmtNs(floor)}/call: the fixed cost of every Cedar call (request and answer conversion across the WebAssembly boundary).`,
  );
  out.push("");
  const rows: string[][] = [
    [
      "rules",
      "engine",
      "median",
      "p50",
      "p99",
      "p99.9",
      "max",
      "calls batched + single",
      "batches",
    ],
  ];
  for (const r of results) {
    for (const [name, s] of [
      ["redline", r.redline],
      ["cedar", r.cedar],
    ] as const) {
      rows.push([
        String(r.rules),
        name,
        fmtNs(s.medianNs),
        fmtNs(s.p50Ns),
        fmtNs(s.p99Ns),
        fmtNs(s.p999Ns),
        fmtNs(s.maxNs),
        `${(s.batches * s.batchSize).toLocaleString("en-US")} + ${s.perCallCalls.toLocaleString("en-US")}`,
        `${s.batches}×${s.batchSize}`,
      ]);
    }
    rows.push([
      "",
      "cedar/redline",
      fmtRatio(r.ratio.median),
      fmtRatio(r.ratio.p50),
      fmtRatio(r.ratio.p99),
      "",
      "",
      "",
      "",
    ]);
  }
  out.push(table(rows));
  out.push("");
  for (const r of results) {
    const c = r.coverage;
    const types = Object.entries(r.ruleTypes)
      .map(([k, v]) => `${v} ${k}`)
      .join(", ");
    out.push(`${r.rules} rules (${r.agents} agents, ${r.cedarPolicies} Cedar policies): ${types}`);
    out.push(
      `  actions: ${c.allow} allow / ${c.deny} deny; decided by red line ${c.byRedline}, by rule ${c.byRule}, by default ${c.byDefault}, unknown agent ${c.unknownAgent}; conditions true ${c.conditionTrue} / false ${c.conditionFalse}; glob hits ${c.globHits}`,
    );
  }
  out.push("");
  out.push("Goals:");
  for (const g of goals) out.push(`  ${g.pass ? "PASS" : "FAIL"}  ${g.goal}: ${g.shown}`);
  console.log(out.join("\n"));

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, "latest.json");
  const json = {
    command,
    date,
    node: process.version,
    v8: process.versions.v8,
    cedar: cedar.getCedarVersion(),
    platform: `${os.platform()}/${os.arch()}`,
    cpus: os.cpus().length,
    cpu,
    actionsPerSize: ACTION_COUNT,
    hrtimeOverheadNs: overhead,
    cedarFloorNs: floor,
    units: "ns per decision; median from batch timing, p50/p99/p99.9/max from per-call timing",
    results,
    goals: goals.map(({ goal, value, pass }) => ({ goal, value, pass })),
  };
  // Written whole, then renamed: a reader never sees half a file (bench/results/*.tmp is ignored).
  writeFileSync(`${file}.tmp`, `${JSON.stringify(json, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  progress(`wrote ${path.relative(process.cwd(), file)}; done`);
}

main();
