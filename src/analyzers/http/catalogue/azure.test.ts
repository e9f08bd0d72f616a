import { describe } from "vitest";
import { check } from "../test-support/table.js";

describe("Azure", () => {
  const group = "https://management.azure.com/subscriptions/s1/resourceGroups/prod";
  check([
    {
      r: `DELETE ${group}?api-version=2021-04-01`,
      cats: ["data.destroy", "infra.destroy"],
      resource: "/subscriptions/s1/resourceGroups/prod",
    },
    {
      r: "DELETE https://management.azure.com/subscriptions/s1/resourcegroups/prod?api-version=2021-04-01",
      cats: ["data.destroy", "infra.destroy"],
    },
    {
      r: `DELETE ${group}/providers/Microsoft.Compute/virtualMachines/web-1?api-version=2023-03-01`,
      cats: ["infra.destroy"],
      reason: "virtualMachines delete: prod/web-1",
    },
    { r: `DELETE ${group}/providers/Microsoft.Compute/disks/data-1`, cats: ["data.destroy"] },
    {
      r: `DELETE ${group}/providers/Microsoft.Compute/snapshots/nightly`,
      cats: ["backup.destroy"],
    },
    {
      r: `DELETE ${group}/providers/Microsoft.Sql/servers/sql1/databases/orders`,
      cats: ["data.destroy"],
    },
    {
      r: `DELETE ${group}/providers/Microsoft.Storage/storageAccounts/acmedata`,
      cats: ["data.destroy"],
    },
    {
      r: `DELETE ${group}/providers/Microsoft.RecoveryServices/vaults/rsv`,
      cats: ["backup.destroy"],
    },
    {
      r: `PUT ${group}/providers/Microsoft.Authorization/roleAssignments/1234`,
      body: { properties: {} },
      cats: ["iam.change"],
    },
    {
      r: `POST ${group}/providers/Microsoft.Storage/storageAccounts/acmedata/listKeys`,
      cats: ["secret.access"],
    },
    { r: `GET ${group}/providers/Microsoft.Compute/virtualMachines/web-1`, cats: [] },
    {
      r: "GET https://acme-kv.vault.azure.net/secrets/db-password?api-version=7.4",
      cats: ["secret.access"],
      resource: "https://acme-kv.vault.azure.net/secrets/db-password",
    },
    { r: "GET https://acme-kv.vault.azure.net/secrets?api-version=7.4", cats: [] },
    {
      r: "DELETE https://acmedata.blob.core.windows.net/backups?restype=container",
      cats: ["data.destroy"],
    },
    {
      r: "POST https://graph.microsoft.com/v1.0/me/sendMail",
      body: { message: {} },
      cats: ["external.send"],
    },
    {
      r: "POST https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignments",
      body: {},
      cats: ["iam.change"],
    },
  ]);
});
