import type { HttpOperation } from "./types.js";

/**
 * Azure Resource Manager (paths are case-insensitive; resources are Azure resource ids),
 * Key Vault and Blob data planes, Microsoft Graph directory changes.
 */

const ARM = "management.azure.com";
const GROUP = "/subscriptions/{subscription}/resourceGroups/{group}";
const PROVIDERS = `${GROUP}/providers`;
const ID = "/subscriptions/{subscription}/resourceGroups/{group}";
const GRAPH = "graph.microsoft.com";

export const AZURE_OPERATIONS: readonly HttpOperation[] = [
  {
    host: ARM,
    method: "DELETE",
    path: GROUP,
    category: ["infra.destroy", "data.destroy"],
    reason: "Azure resource group delete: {group}",
    resource: ID,
  },
  {
    host: ARM,
    method: "DELETE",
    path: `${PROVIDERS}/Microsoft.Compute/{type}/{name}`,
    when: [{ from: "param", name: "type", equals: ["disks"] }],
    category: "data.destroy",
    reason: "Azure disk delete: {group}/{name}",
    resource: `${ID}/providers/Microsoft.Compute/disks/{name}`,
  },
  {
    host: ARM,
    method: "DELETE",
    path: `${PROVIDERS}/Microsoft.Compute/{type}/{name}`,
    when: [{ from: "param", name: "type", equals: ["snapshots", "images", "galleries"] }],
    category: "backup.destroy",
    reason: "Azure {type} delete: {group}/{name}",
  },
  {
    host: ARM,
    method: "DELETE",
    path: `${PROVIDERS}/Microsoft.RecoveryServices/vaults/{vault}/{rest+}`,
    category: "backup.destroy",
    reason: "Azure Recovery Services delete: {group}/{vault}",
  },
  {
    host: ARM,
    method: "DELETE",
    path: `${PROVIDERS}/Microsoft.RecoveryServices/vaults/{vault}`,
    category: "backup.destroy",
    reason: "Azure Recovery Services vault delete: {group}/{vault}",
  },
  {
    host: ARM,
    method: "DELETE",
    path: `${PROVIDERS}/{provider}/{type}/{name}`,
    when: [
      {
        from: "param",
        name: "provider",
        matches:
          "^Microsoft\\.(Sql|DBfor[A-Za-z]+|DocumentDB|Storage|KeyVault|Cache|Synapse|Kusto)$",
      },
    ],
    category: "data.destroy",
    reason: "Azure {type} delete: {group}/{name}",
    resource: `${ID}/providers/{provider}/{type}/{name}`,
  },
  {
    host: ARM,
    method: "DELETE",
    path: `${PROVIDERS}/{provider}/{type}/{name}/{kind}/{child}`,
    when: [{ from: "param", name: "kind", equals: ["databases", "containers", "blobServices"] }],
    category: "data.destroy",
    reason: "Azure {kind} delete: {group}/{name}/{child}",
  },
  {
    host: ARM,
    method: "DELETE",
    path: `${PROVIDERS}/Microsoft.Storage/storageAccounts/{account}/blobServices/default/containers/{container}`,
    category: "data.destroy",
    reason: "Azure blob container delete: {account}/{container}",
  },
  // Any other top-level resource: VMs, scale sets, AKS clusters, web apps, networks…
  {
    host: ARM,
    method: "DELETE",
    path: `${PROVIDERS}/{provider}/{type}/{name}`,
    category: "infra.destroy",
    reason: "Azure {type} delete: {group}/{name}",
    resource: `${ID}/providers/{provider}/{type}/{name}`,
  },
  {
    host: ARM,
    method: ["PUT", "DELETE"],
    path: "/{scope+}/providers/Microsoft.Authorization/{type}/{name}",
    when: [{ from: "param", name: "type", equals: ["roleAssignments", "roleDefinitions"] }],
    category: "iam.change",
    reason: "Azure {type} change: {scope}",
  },
  {
    host: ARM,
    method: "DELETE",
    path: "/{scope+}/providers/Microsoft.Insights/diagnosticSettings/{name}",
    category: "audit.tamper",
    reason: "Azure diagnostic setting delete: {name}",
  },
  {
    host: ARM,
    method: "POST",
    path: "/{scope+}/{action}",
    when: [
      { from: "param", name: "action", equals: ["listKeys", "listCredentials", "listSecrets"] },
    ],
    category: "secret.access",
    reason: "Azure {action}: {scope}",
  },
  {
    host: ARM,
    method: "POST",
    path: "/{scope+}/regenerateKey",
    category: "iam.change",
    reason: "Azure key regenerated: {scope}",
  },

  // Key Vault data plane: a secret's value, not the list of names.
  {
    host: "{vault}.vault.azure.net",
    method: "GET",
    path: "/secrets/{name}",
    category: "secret.access",
    reason: "Key Vault secret read: {vault}/{name}",
    resource: "https://{vault}.vault.azure.net/secrets/{name}",
  },
  {
    host: "{vault}.vault.azure.net",
    method: "GET",
    path: "/secrets/{name}/{version}",
    category: "secret.access",
    reason: "Key Vault secret read: {vault}/{name}",
    resource: "https://{vault}.vault.azure.net/secrets/{name}",
  },
  {
    host: "{vault}.vault.azure.net",
    method: "GET",
    path: "/secrets",
    reason: "Key Vault secret list (names only)",
  },
  {
    host: "{vault}.vault.azure.net",
    method: "DELETE",
    path: "/deleted{kind}/{name}",
    category: "data.destroy",
    reason: "Key Vault purge: {vault} {kind} {name}",
  },

  // Blob storage: a container delete
  {
    host: "{account}.blob.core.windows.net",
    method: "DELETE",
    path: "/{container}",
    when: [{ from: "field", name: "restype", equals: ["container"] }],
    category: "data.destroy",
    reason: "Azure blob container delete: {account}/{container}",
  },

  // Microsoft Graph directory (Entra ID)
  {
    host: GRAPH,
    method: ["POST", "PATCH", "DELETE"],
    path: "/{version}/{kind}/{rest+}",
    when: [
      {
        from: "param",
        name: "kind",
        equals: ["users", "roleManagement", "directoryRoles", "servicePrincipals", "applications"],
      },
      {
        from: "param",
        name: "rest",
        not: true,
        matches: "(^|/)(sendMail|messages|mailFolders|events|calendar|drive|todo|chats)(/|$)",
      },
    ],
    category: "iam.change",
    reason: "Microsoft Entra {kind} change",
  },
  {
    host: GRAPH,
    method: "POST",
    path: "/{version}/users",
    category: "iam.change",
    reason: "Microsoft Entra user create",
  },
  {
    host: GRAPH,
    method: ["POST", "DELETE"],
    path: "/{version}/groups/{group}/{kind}/{rest+}",
    when: [{ from: "param", name: "kind", equals: ["members", "owners"] }],
    category: "iam.change",
    reason: "Microsoft Entra group {kind} change: {group}",
  },
];
