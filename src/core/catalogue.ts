/** The red-line catalogue. Ids are a public contract: never rename one, only add. */
export const CATALOGUE = [
  {
    id: "data.destroy",
    title: "Destroy data",
    description:
      "Irreversible deletion or mass overwrite of stored data: DROP/TRUNCATE, unbounded DELETE/UPDATE, recursive rm of data, bucket/volume/table deletes, FLUSHALL, `prisma migrate reset`.",
  },
  {
    id: "backup.destroy",
    title: "Destroy backups",
    description: "Deleting or disabling backups, snapshots, versioning or retention.",
  },
  {
    id: "infra.destroy",
    title: "Destroy infrastructure",
    description:
      "Terminating or deleting compute, clusters, namespaces, stacks or services; scaling production to zero.",
  },
  {
    id: "system.destroy",
    title: "Destroy a host",
    description: "Host-level destruction: `rm -rf /`, mkfs, dd to a device, fork bombs, shutdown.",
  },
  {
    id: "iam.change",
    title: "Change identities or access",
    description:
      "Creating or changing identities, keys, grants, roles, sudoers or authorized_keys.",
  },
  {
    id: "audit.tamper",
    title: "Tamper with audit",
    description: "Stopping, deleting or rewriting logs, audit trails or monitoring.",
  },
  {
    id: "secret.access",
    title: "Read secrets",
    description:
      "Reading credentials: cloud credential files, `.env`, private keys, secret stores.",
  },
  {
    id: "security.weaken",
    title: "Weaken security",
    description:
      "Disabling security controls (firewalls, TLS checks, SELinux, agent skip-permission flags); writes outside the workspace; planting persistence (shell startup files, cron, systemd units, git hooks).",
  },
  {
    id: "vcs.rewrite",
    title: "Rewrite shared history",
    description: "Force pushes, remote branch or tag deletion, rewriting shared history.",
  },
  {
    id: "code.remote_exec",
    title: "Run remote code",
    description: "Download-and-execute, decoded payloads piped to a shell, `COPY ... TO PROGRAM`.",
  },
  {
    id: "network.egress",
    title: "Send data out",
    description: "Sending local data to destinations not on the allowlist.",
  },
  {
    id: "external.send",
    title: "Message outsiders",
    description: "Messages or email to people outside the organisation.",
  },
  {
    id: "money.move",
    title: "Move money",
    description: "Payments, refunds, payouts, transfers.",
  },
  {
    id: "deploy.prod",
    title: "Deploy to production",
    description: "Releasing or publishing to production.",
  },
  {
    id: "opaque",
    title: "Effect unknown",
    description:
      "The action's real effect cannot be known (a command name built at run time, eval of a string, a decoded payload piped into a shell, dynamic SQL, an analyzer that failed). Unknown is not safe: treated like a red line.",
  },
] as const;

export type CategoryId = (typeof CATALOGUE)[number]["id"];

export const CATEGORY_IDS: readonly CategoryId[] = CATALOGUE.map((c) => c.id);

const ids = new Set<string>(CATEGORY_IDS);
export function isCategoryId(value: string): value is CategoryId {
  return ids.has(value);
}
