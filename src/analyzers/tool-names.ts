import type { CategoryId } from "../core/catalogue.js";

/**
 * What a tool's name says it does, as data: when nothing else is known about a tool, a name
 * such as `delete_repository` or `createRefund` is evidence enough to hold the red line.
 * `verbs` match the tool name's first word; `nouns` (optional) must appear among the others.
 */
export interface ToolNameRule {
  verbs: readonly string[];
  nouns?: readonly string[];
  category: CategoryId;
  says: string;
}

export const TOOL_NAME_RULES: readonly ToolNameRule[] = [
  {
    verbs: ["delete", "remove", "destroy", "drop", "purge", "wipe", "truncate", "erase", "rm"],
    nouns: ["backup", "backups", "snapshot", "snapshots", "recovery", "versioning"],
    category: "backup.destroy",
    says: "deletes backups",
  },
  {
    verbs: ["delete", "remove", "disable", "drop"],
    nouns: ["protection", "protections", "ruleset", "rulesets", "mfa", "2fa", "firewall"],
    category: "security.weaken",
    says: "removes a protection",
  },
  {
    verbs: ["delete", "remove", "destroy", "drop", "purge", "wipe", "truncate", "erase", "rm"],
    nouns: ["branch", "tag", "ref"],
    category: "vcs.rewrite",
    says: "deletes a branch or tag",
  },
  {
    verbs: ["delete", "remove", "destroy", "drop", "purge", "wipe", "truncate", "erase", "rm"],
    nouns: [
      "instance",
      "instances",
      "cluster",
      "namespace",
      "server",
      "vm",
      "stack",
      "service",
      "deployment",
      "node",
    ],
    category: "infra.destroy",
    says: "deletes infrastructure",
  },
  {
    verbs: ["delete", "remove", "destroy", "drop", "purge", "wipe", "truncate", "erase", "rm"],
    nouns: ["log", "logs", "audit", "trail"],
    category: "audit.tamper",
    says: "deletes logs",
  },
  {
    verbs: [
      "delete",
      "remove",
      "destroy",
      "drop",
      "purge",
      "wipe",
      "truncate",
      "erase",
      "rm",
      "flush",
    ],
    category: "data.destroy",
    says: "deletes data",
  },
  {
    verbs: ["terminate", "deprovision", "decommission", "teardown"],
    category: "infra.destroy",
    says: "terminates infrastructure",
  },
  {
    verbs: ["refund", "payout", "transfer", "pay", "charge", "withdraw", "disburse"],
    category: "money.move",
    says: "moves money",
  },
  {
    verbs: ["create", "issue", "send", "make", "initiate", "execute", "process"],
    nouns: [
      "refund",
      "refunds",
      "payout",
      "payouts",
      "transfer",
      "transfers",
      "payment",
      "payments",
      "charge",
      "charges",
      "invoice",
      "wire",
    ],
    category: "money.move",
    says: "moves money",
  },
  {
    verbs: ["send", "email", "mail", "sms", "text", "reply", "forward"],
    nouns: [
      "email",
      "emails",
      "mail",
      "sms",
      "text",
      "message",
      "messages",
      "reply",
      "letter",
      "newsletter",
    ],
    category: "external.send",
    says: "sends a message",
  },
  { verbs: ["email", "mail", "sms"], category: "external.send", says: "sends a message" },
  {
    verbs: ["grant", "revoke", "invite", "promote", "impersonate"],
    category: "iam.change",
    says: "changes access",
  },
  {
    verbs: ["create", "add", "update", "set", "attach", "rotate", "assign"],
    nouns: [
      "role",
      "roles",
      "permission",
      "permissions",
      "policy",
      "collaborator",
      "collaborators",
      "key",
      "keys",
      "token",
      "tokens",
      "credential",
      "credentials",
      "iam",
      "sudoer",
      "sudoers",
      "admin",
      "admins",
    ],
    category: "iam.change",
    says: "changes identities or access",
  },
  {
    verbs: ["create", "add"],
    nouns: ["user", "users", "account", "login", "member", "members"],
    category: "iam.change",
    says: "creates an identity",
  },
  {
    verbs: ["get", "read", "reveal", "show", "export", "dump", "fetch", "access", "decrypt"],
    nouns: [
      "secret",
      "secrets",
      "password",
      "passwords",
      "credential",
      "credentials",
      "token",
      "tokens",
      "apikey",
      "key",
      "keys",
    ],
    category: "secret.access",
    says: "reads secrets",
  },
  {
    verbs: ["deploy", "publish", "release", "promote", "rollout"],
    category: "deploy.prod",
    says: "deploys or publishes",
  },
  {
    verbs: ["disable", "bypass", "skip", "turn"],
    nouns: [
      "firewall",
      "security",
      "auth",
      "mfa",
      "2fa",
      "tls",
      "ssl",
      "protection",
      "monitoring",
      "audit",
      "logging",
      "alerts",
    ],
    category: "security.weaken",
    says: "disables a security control",
  },
  { verbs: ["force"], nouns: ["push"], category: "vcs.rewrite", says: "force-pushes" },
];

/** Splits `deleteRepo`, `delete_repo`, `delete-repo`, `repos.delete` into lower-case words. */
export function toolWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
}

/**
 * The first rule the name matches; the verb may also come last (`repos.delete`, `refund`).
 * `also` are more nouns from the call, e.g. `kubectl_delete` with `resourceType: namespace`.
 */
export function classifyToolName(
  name: string,
  also: readonly string[] = [],
): ToolNameRule | undefined {
  const own = toolWords(name);
  if (own.length === 0) return undefined;
  const words = [...own, ...also.flatMap(toolWords)];
  const candidates = [own[0] as string, own[own.length - 1] as string];
  for (const rule of TOOL_NAME_RULES) {
    for (const verb of candidates) {
      if (!rule.verbs.includes(verb)) continue;
      if (!rule.nouns || words.some((w) => w !== verb && rule.nouns?.includes(w))) return rule;
    }
  }
  return undefined;
}

/** Arguments that change what a tool call does: `force: true` on a push, zero replicas. */
export interface ToolArgumentRule {
  /** Any of these words in the tool's name. */
  words: readonly string[];
  argument: string;
  equals: unknown;
  category: CategoryId;
  says: string;
}

export const TOOL_ARGUMENT_RULES: readonly ToolArgumentRule[] = [
  {
    words: ["push", "ref", "refs", "branch", "commit", "commits"],
    argument: "force",
    equals: true,
    category: "vcs.rewrite",
    says: "forces a history rewrite (force: true)",
  },
  {
    words: ["scale", "replicas", "resize"],
    argument: "replicas",
    equals: 0,
    category: "infra.destroy",
    says: "scales to zero (replicas: 0)",
  },
  {
    words: ["scale", "resize", "capacity", "desired"],
    argument: "desired_capacity",
    equals: 0,
    category: "infra.destroy",
    says: "scales to zero (desired_capacity: 0)",
  },
  {
    words: ["bucket", "versioning"],
    argument: "versioning",
    equals: false,
    category: "backup.destroy",
    says: "turns versioning off",
  },
  {
    words: ["deploy", "deployment", "release"],
    argument: "environment",
    equals: "production",
    category: "deploy.prod",
    says: "deploys to production",
  },
  {
    words: ["deploy", "deployment", "release"],
    argument: "target",
    equals: "production",
    category: "deploy.prod",
    says: "deploys to production",
  },
];

export function classifyToolCall(
  name: string,
  args: Readonly<Record<string, unknown>>,
): ToolArgumentRule[] {
  const words = toolWords(name);
  return TOOL_ARGUMENT_RULES.filter(
    (r) =>
      r.argument in args && args[r.argument] === r.equals && words.some((w) => r.words.includes(w)),
  );
}
