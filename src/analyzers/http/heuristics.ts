import type { CategoryId } from "../../core/catalogue.js";

/**
 * For APIs the catalogue does not know: what a DELETE, a destroy-style RPC or a GraphQL
 * mutation crosses, judged from the names of the things it acts on.
 */

export interface Verdict {
  categories: CategoryId[];
  reason: string;
  /** The operation deletes something (flag `delete`), whether or not it crosses a red line. */
  deletes: boolean;
}

/** A space-separated word list, for tables that read as prose. */
const list = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter(Boolean));

/** Resource names (lower case, without `-` and `_`), by what deleting them crosses. */
const DESTROYED: readonly (readonly [CategoryId[], string])[] = [
  [
    ["data.destroy"],
    `database databases db dbs bucket buckets volume volumes table tables collection collections
     dataset datasets repository repositories repo repos keyspace keyspaces account accounts
     organization organizations organisation organisations org orgs tenant tenants workspace
     workspaces disk disks filesystem filesystems storage`,
  ],
  [
    ["infra.destroy"],
    `cluster clusters server servers instance instances machine machines vm vms virtualmachine
     virtualmachines droplet droplets node nodes nodepool nodepools namespace namespaces stack
     stacks environment environments`,
  ],
  [["infra.destroy", "data.destroy"], "project projects resourcegroup resourcegroups"],
  [
    ["backup.destroy"],
    `backup backups snapshot snapshots recoverypoint recoverypoints backupvault backupvaults
     backupplan backupplans`,
  ],
  [
    ["audit.tamper"],
    `auditlog auditlogs logs loggroup loggroups logstream logstreams trail trails monitor monitors
     alertrule alertrules`,
  ],
  [["vcs.rewrite"], "branch branches ref refs"],
  [
    ["iam.change"],
    `role roles rolebinding rolebindings permission permissions member members membership
     memberships collaborator collaborators apikey apikeys accesskey accesskeys sshkey sshkeys
     deploykey deploykeys serviceaccount serviceaccounts grant grants token tokens apitoken
     apitokens accesstoken accesstokens`,
  ],
];

const DESTROY_VERBS = list("delete destroy remove drop purge prune wipe erase truncate terminate");
const IAM_WORDS = list(`grant grants role roles permission permissions member members membership
  memberships collaborator collaborators admin admins owner owners ownership invite invitation
  invitations`);
const MONEY_WORDS = list(`refund refunds payout payouts transfer transfers charge charges payment
  payments pay withdraw withdrawal disburse disbursement`);
const MESSAGE_WORDS = list("email emails mail message messages sms text");
const SECRET_SEGMENTS = list("secret secrets credential credentials");
const VAULT_SYSTEM = list("sys auth identity");
const SECRET_FILE =
  /^(?:\.env(?:\.(?!example$|sample$|template$|dist$)[\w.-]+)?|id_(?:rsa|dsa|ecdsa|ed25519)|\.npmrc|\.netrc|\.pgpass|\.git-credentials|credentials(?:\.json)?|[\w.-]*\.pem)$/i;

const byName = new Map<string, CategoryId[]>();
for (const [categories, names] of DESTROYED) for (const n of list(names)) byName.set(n, categories);

/** `deleteApiKey` → delete, api, key; `projectDelete`, `DELETE_USER`, `chat.delete` alike. */
export function words(name: string): string[] {
  return (name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []).map((w) => w.toLowerCase());
}

/** The rightmost word (or adjacent pair, `api`+`key`) that names a resource: the object acted on. */
function destroyedCategories(ws: readonly string[]): CategoryId[] | undefined {
  for (let i = ws.length - 1; i >= 0; i--) {
    const pair = i > 0 ? byName.get(`${ws[i - 1]}${ws[i]}`) : undefined;
    const hit = pair ?? byName.get(ws[i] as string);
    if (hit) return hit;
  }
  return undefined;
}

function segmentCategories(segment: string | undefined): CategoryId[] | undefined {
  return segment === undefined ? undefined : byName.get(segment.toLowerCase().replace(/[-_]/g, ""));
}

/** A GraphQL mutation the catalogue does not know, by its name. */
export function judgeMutation(name: string): Verdict | undefined {
  const ws = words(name);
  const has = (set: ReadonlySet<string>) => ws.some((w) => set.has(w));
  if (has(DESTROY_VERBS)) {
    const categories = destroyedCategories(ws.filter((w) => !DESTROY_VERBS.has(w))) ?? [
      "data.destroy",
    ];
    return { categories, reason: `GraphQL mutation ${name}: a delete`, deletes: true };
  }
  if (has(IAM_WORDS))
    return {
      categories: ["iam.change"],
      reason: `GraphQL mutation ${name}: an access change`,
      deletes: false,
    };
  if (has(MONEY_WORDS))
    return {
      categories: ["money.move"],
      reason: `GraphQL mutation ${name}: moves money`,
      deletes: false,
    };
  if (ws.includes("send") && has(MESSAGE_WORDS))
    return {
      categories: ["external.send"],
      reason: `GraphQL mutation ${name}: sends a message`,
      deletes: false,
    };
  return undefined;
}

/** A REST or RPC request the catalogue does not know, by its method and path. */
export function judgePath(method: string, host: string, path: string): Verdict | undefined {
  const segments = path.split("/").filter((s) => s !== "");
  const last = segments.at(-1);
  const where = `${host}${path.length > 120 ? `${path.slice(0, 120)}…` : path}`;
  if (method === "GET" || method === "HEAD") return judgeRead(host, segments, where);
  if (method === "DELETE") {
    // `/databases/{id}` deletes a database; `/databases` with no id, all of them.
    const categories = segmentCategories(segments.at(-2)) ?? segmentCategories(last);
    return { categories: categories ?? [], reason: `delete on ${where}`, deletes: true };
  }
  // RPC style: `POST /servers/42/destroy`, `/rpc/deleteDatabase`, `:delete`, `files.delete`,
  // gRPC's `/google.cloud.compute.v1.Instances/Delete`.
  const ws = words(last ?? "");
  if (!ws.some((w) => DESTROY_VERBS.has(w))) return undefined;
  const categories =
    destroyedCategories(ws.filter((w) => !DESTROY_VERBS.has(w))) ??
    destroyedCategories(words(segments.at(-2) ?? "")) ??
    destroyedCategories(words(segments.at(-3) ?? ""));
  return { categories: categories ?? [], reason: `delete on ${where}`, deletes: true };
}

function judgeRead(host: string, segments: readonly string[], where: string): Verdict | undefined {
  const last = segments.at(-1);
  if (last !== undefined && SECRET_FILE.test(last))
    return {
      categories: ["secret.access"],
      reason: `read of a secret file: ${where}`,
      deletes: false,
    };
  // HashiCorp Vault: any read under a secrets engine mount (not `sys/`, `auth/`, `identity/`).
  if (
    host.includes("vault") &&
    segments[0] === "v1" &&
    segments.length >= 3 &&
    !VAULT_SYSTEM.has(segments[1] ?? "")
  )
    return { categories: ["secret.access"], reason: `read from Vault: ${where}`, deletes: false };
  if (!looksLikeApi(host, segments)) return undefined;
  const i = segments.findIndex((s) => SECRET_SEGMENTS.has(s.toLowerCase()));
  if (i === -1) return undefined;
  // `/secrets/{name}` reads a value; a plural at the end lists, and such lists often carry values.
  const plural = i === segments.length - 1 && segments[i]?.toLowerCase().endsWith("s");
  if (i < segments.length - 1 || plural)
    return {
      categories: ["secret.access"],
      reason: `read from a secret store: ${where}`,
      deletes: false,
    };
  return undefined;
}

/** API calls, not documentation pages (`docs.example.com/…/secrets` is about secrets). */
function looksLikeApi(host: string, segments: readonly string[]): boolean {
  if (/^(api|vault|secrets?)[.-]/.test(host) || host.includes("vault")) return true;
  return segments.some((s) => s === "api" || /^v\d+(?:(?:alpha|beta)\d*)?$/.test(s));
}
