import { describe } from "vitest";
import { check } from "../test-support/table.js";

describe("Google Cloud", () => {
  const compute = "https://compute.googleapis.com/compute/v1/projects/acme";
  check([
    {
      r: `DELETE ${compute}/zones/us-central1-a/instances/web-1`,
      cats: ["infra.destroy"],
      resource: "//compute.googleapis.com/projects/acme/zones/us-central1-a/instances/web-1",
    },
    { r: `DELETE ${compute}/zones/us-central1-a/disks/data-1`, cats: ["data.destroy"] },
    { r: `DELETE ${compute}/global/snapshots/nightly`, cats: ["backup.destroy"] },
    {
      r: `POST ${compute}/global/firewalls`,
      body: { name: "open", sourceRanges: ["0.0.0.0/0"] },
      cats: ["security.weaken"],
    },
    { r: `GET ${compute}/zones/us-central1-a/instances`, cats: [] },
    {
      r: "DELETE https://sqladmin.googleapis.com/v1/projects/acme/instances/prod",
      cats: ["data.destroy"],
    },
    {
      r: "DELETE https://sqladmin.googleapis.com/sql/v1beta4/projects/acme/instances/prod",
      cats: ["data.destroy"],
    },
    {
      r: "DELETE https://storage.googleapis.com/storage/v1/b/acme-backups",
      cats: ["data.destroy"],
      resource: "//storage.googleapis.com/projects/_/buckets/acme-backups",
    },
    { r: "DELETE https://storage.googleapis.com/storage/v1/b/acme-backups/o/a%2Fb.txt", cats: [] },
    { r: "DELETE https://storage.googleapis.com/acme-backups", cats: ["data.destroy"] },
    {
      r: "PATCH https://storage.googleapis.com/storage/v1/b/acme-backups",
      body: { lifecycle: { rule: [{ action: { type: "Delete" }, condition: { age: 1 } }] } },
      cats: ["backup.destroy"],
    },
    {
      r: "PATCH https://storage.googleapis.com/storage/v1/b/acme-backups",
      body: { labels: { team: "data" } },
      cats: [],
    },
    {
      r: "DELETE https://cloudresourcemanager.googleapis.com/v3/projects/acme-prod",
      cats: ["data.destroy", "infra.destroy"],
    },
    {
      r: "POST https://cloudresourcemanager.googleapis.com/v1/projects/acme:setIamPolicy",
      body: { policy: {} },
      cats: ["iam.change"],
      reason: "v1/projects/acme",
    },
    {
      r: "POST https://secretmanager.googleapis.com/v1/projects/acme/secrets/db:setIamPolicy",
      body: { policy: {} },
      cats: ["iam.change"],
    },
    {
      r: "POST https://iam.googleapis.com/v1/projects/acme/serviceAccounts/sa@acme.iam.gserviceaccount.com/keys",
      body: {},
      cats: ["iam.change"],
    },
    {
      r: "GET https://secretmanager.googleapis.com/v1/projects/acme/secrets/db/versions/latest:access",
      cats: ["secret.access"],
    },
    { r: "GET https://secretmanager.googleapis.com/v1/projects/acme/secrets", cats: [] },
    {
      r: "DELETE https://container.googleapis.com/v1/projects/acme/locations/us-central1/clusters/prod",
      cats: ["infra.destroy"],
    },
    {
      r: "DELETE https://bigquery.googleapis.com/bigquery/v2/projects/acme/datasets/analytics",
      cats: ["data.destroy"],
    },
    {
      r: "DELETE https://logging.googleapis.com/v2/projects/acme/sinks/audit",
      cats: ["audit.tamper"],
    },
    {
      r: "GET http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token",
      cats: ["secret.access"],
    },
  ]);
});
