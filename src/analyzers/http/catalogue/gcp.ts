import type { HttpOperation } from "./types.js";

/** Google Cloud. Resources are named with Google's full resource names (`//service/path`). */

const COMPUTE = ["compute.googleapis.com", "www.googleapis.com"];
const PROJECT = "/compute/{version}/projects/{project}";
const SQL = "sqladmin.googleapis.com";
const STORAGE = "storage.googleapis.com";
const OPEN_TO_ALL = "0\\.0\\.0\\.0/0|::/0";

export const GCP_OPERATIONS: readonly HttpOperation[] = [
  // Compute Engine
  {
    host: COMPUTE,
    method: "DELETE",
    path: `${PROJECT}/zones/{zone}/instances/{name}`,
    category: "infra.destroy",
    reason: "GCE instance delete: {project}/{zone}/{name}",
    resource: "//compute.googleapis.com/projects/{project}/zones/{zone}/instances/{name}",
  },
  {
    host: COMPUTE,
    method: "DELETE",
    path: `${PROJECT}/{scope+}/instanceGroupManagers/{name}`,
    category: "infra.destroy",
    reason: "GCE instance group delete: {project} {name}",
  },
  {
    host: COMPUTE,
    method: "POST",
    path: `${PROJECT}/{scope+}/instanceGroupManagers/{name}/resize`,
    when: [{ from: "field", name: "size", equals: [0] }],
    category: "infra.destroy",
    reason: "GCE instance group scaled to zero: {project} {name}",
  },
  {
    host: COMPUTE,
    method: "DELETE",
    path: `${PROJECT}/{scope+}/disks/{name}`,
    category: "data.destroy",
    reason: "GCE disk delete: {project} {name}",
    resource: "//compute.googleapis.com/projects/{project}/{scope}/disks/{name}",
  },
  {
    host: COMPUTE,
    method: "DELETE",
    path: `${PROJECT}/global/{kind}/{name}`,
    when: [{ from: "param", name: "kind", equals: ["snapshots", "images", "machineImages"] }],
    category: "backup.destroy",
    reason: "GCE {kind} delete: {project} {name}",
    resource: "//compute.googleapis.com/projects/{project}/global/{kind}/{name}",
  },
  {
    host: COMPUTE,
    method: "DELETE",
    path: `${PROJECT}/global/networks/{name}`,
    category: "infra.destroy",
    reason: "GCE network delete: {project} {name}",
  },
  {
    host: COMPUTE,
    method: ["PATCH", "PUT"],
    path: `${PROJECT}/global/firewalls/{name}`,
    when: [{ from: "field", name: "sourceRanges", matches: OPEN_TO_ALL }],
    category: "security.weaken",
    reason: "GCE firewall opened to the internet: {project} {name}",
  },
  {
    host: COMPUTE,
    method: "POST",
    path: `${PROJECT}/global/firewalls`,
    when: [{ from: "field", name: "sourceRanges", matches: OPEN_TO_ALL }],
    category: "security.weaken",
    reason: "GCE firewall opened to the internet: {project}",
  },

  // Cloud SQL, Spanner, Firestore, BigQuery
  {
    host: SQL,
    method: "DELETE",
    path: "/{version+}/projects/{project}/instances/{instance}",
    category: "data.destroy",
    reason: "Cloud SQL instance delete: {project}/{instance}",
    resource: "//sqladmin.googleapis.com/projects/{project}/instances/{instance}",
  },
  {
    host: SQL,
    method: "DELETE",
    path: "/{version+}/projects/{project}/instances/{instance}/databases/{database}",
    category: "data.destroy",
    reason: "Cloud SQL database delete: {project}/{instance}/{database}",
  },
  {
    host: SQL,
    method: "DELETE",
    path: "/{version+}/projects/{project}/instances/{instance}/backupRuns/{backup}",
    category: "backup.destroy",
    reason: "Cloud SQL backup delete: {project}/{instance}",
  },
  {
    host: SQL,
    method: ["PATCH", "PUT"],
    path: "/{version+}/projects/{project}/instances/{instance}",
    when: [{ from: "field", name: "settings.backupConfiguration.enabled", equals: [false] }],
    category: "backup.destroy",
    reason: "Cloud SQL backups disabled: {project}/{instance}",
  },
  {
    host: "spanner.googleapis.com",
    method: "DELETE",
    path: "/v1/projects/{project}/instances/{instance}/backups/{backup}",
    category: "backup.destroy",
    reason: "Spanner backup delete: {project}/{instance}/{backup}",
  },
  {
    host: "spanner.googleapis.com",
    method: "DELETE",
    path: "/v1/projects/{project}/instances/{instance}/databases/{database}",
    category: "data.destroy",
    reason: "Spanner database delete: {project}/{instance}/{database}",
  },
  {
    host: "spanner.googleapis.com",
    method: "DELETE",
    path: "/v1/projects/{project}/instances/{instance}",
    category: "data.destroy",
    reason: "Spanner instance delete: {project}/{instance}",
  },
  {
    host: "firestore.googleapis.com",
    method: "DELETE",
    path: "/v1/projects/{project}/databases/{database}",
    category: "data.destroy",
    reason: "Firestore database delete: {project}/{database}",
  },
  {
    host: ["bigquery.googleapis.com", "www.googleapis.com"],
    method: "DELETE",
    path: "/bigquery/v2/projects/{project}/datasets/{dataset}/tables/{table}",
    category: "data.destroy",
    reason: "BigQuery table delete: {project}.{dataset}.{table}",
  },
  {
    host: ["bigquery.googleapis.com", "www.googleapis.com"],
    method: "DELETE",
    path: "/bigquery/v2/projects/{project}/datasets/{dataset}",
    category: "data.destroy",
    reason: "BigQuery dataset delete: {project}.{dataset}",
  },

  // Cloud Storage: JSON API, then XML API (path style and virtual-hosted)
  {
    host: STORAGE,
    method: "DELETE",
    path: "/storage/v1/b/{bucket}",
    category: "data.destroy",
    reason: "GCS bucket delete: {bucket}",
    resource: "//storage.googleapis.com/projects/_/buckets/{bucket}",
  },
  {
    host: STORAGE,
    method: "DELETE",
    path: "/storage/v1/b/{bucket}/o/{object+}",
    reason: "GCS object delete",
  },
  {
    host: STORAGE,
    method: ["PATCH", "PUT"],
    path: "/storage/v1/b/{bucket}",
    when: [{ from: "field", name: "versioning.enabled", equals: [false] }],
    category: "backup.destroy",
    reason: "GCS versioning disabled: {bucket}",
  },
  {
    host: STORAGE,
    method: ["PATCH", "PUT"],
    path: "/storage/v1/b/{bucket}",
    when: [{ from: "field", name: "lifecycle.rule.action.type", equals: ["Delete"] }],
    category: "backup.destroy",
    reason: "GCS lifecycle rule deletes objects in {bucket}",
  },
  {
    host: STORAGE,
    method: "DELETE",
    path: "/{bucket}",
    category: "data.destroy",
    reason: "GCS bucket delete: {bucket}",
    resource: "//storage.googleapis.com/projects/_/buckets/{bucket}",
  },
  { host: STORAGE, method: "DELETE", path: "/{bucket}/{object+}", reason: "GCS object delete" },
  {
    host: "{bucket+}.storage.googleapis.com",
    method: "DELETE",
    path: "/",
    category: "data.destroy",
    reason: "GCS bucket delete: {bucket}",
    resource: "//storage.googleapis.com/projects/_/buckets/{bucket}",
  },

  // Projects, clusters, services
  {
    host: "cloudresourcemanager.googleapis.com",
    method: "DELETE",
    path: "/{version}/projects/{project}",
    category: ["infra.destroy", "data.destroy"],
    reason: "GCP project delete: {project}",
    resource: "//cloudresourcemanager.googleapis.com/projects/{project}",
  },
  {
    host: "container.googleapis.com",
    method: "DELETE",
    path: "/{version}/projects/{project}/{scope}/{location}/clusters/{cluster}",
    category: "infra.destroy",
    reason: "GKE cluster delete: {project}/{cluster}",
    resource: "//container.googleapis.com/projects/{project}/{scope}/{location}/clusters/{cluster}",
  },
  {
    host: "container.googleapis.com",
    method: "DELETE",
    path: "/{version}/projects/{project}/{scope}/{location}/clusters/{cluster}/nodePools/{pool}",
    category: "infra.destroy",
    reason: "GKE node pool delete: {project}/{cluster}/{pool}",
  },
  {
    host: ["run.googleapis.com", "{region}-run.googleapis.com"],
    method: "DELETE",
    path: "/{version+}/services/{service}",
    category: "infra.destroy",
    reason: "Cloud Run service delete: {service}",
  },

  // IAM and secrets
  {
    host: "*.googleapis.com",
    method: "POST",
    path: "/{resource+}:setIamPolicy",
    category: "iam.change",
    reason: "GCP IAM policy change: {resource}",
  },
  {
    host: "iam.googleapis.com",
    method: ["POST", "DELETE", "PATCH"],
    path: "/v1/projects/{project}/{kind}/{name+}",
    when: [{ from: "param", name: "kind", equals: ["serviceAccounts", "roles"] }],
    category: "iam.change",
    reason: "GCP IAM {kind} change: {project}",
  },
  {
    host: "iam.googleapis.com",
    method: "POST",
    path: "/v1/projects/{project}/{kind}",
    when: [{ from: "param", name: "kind", equals: ["serviceAccounts", "roles"] }],
    category: "iam.change",
    reason: "GCP IAM {kind} create: {project}",
  },
  {
    host: "secretmanager.googleapis.com",
    method: "GET",
    path: "/{version}/projects/{project}/secrets/{secret}/versions/{secretVersion}:access",
    category: "secret.access",
    reason: "Secret Manager read: {project}/{secret}",
    resource: "//secretmanager.googleapis.com/projects/{project}/secrets/{secret}",
  },
  // Other reads return names and metadata, never a secret's value.
  {
    host: "secretmanager.googleapis.com",
    method: "GET",
    path: "/{any+}",
    reason: "Secret Manager metadata read",
  },

  // Logging
  {
    host: "logging.googleapis.com",
    method: "DELETE",
    path: "/v2/{parent+}/{kind}/{name}",
    when: [{ from: "param", name: "kind", equals: ["sinks", "logs", "buckets", "exclusions"] }],
    category: "audit.tamper",
    reason: "Cloud Logging {kind} delete: {name}",
  },
  {
    host: "logging.googleapis.com",
    method: ["PATCH", "PUT"],
    path: "/v2/{parent+}/sinks/{name}",
    when: [{ from: "field", name: "disabled", equals: [true] }],
    category: "audit.tamper",
    reason: "Cloud Logging sink disabled: {name}",
  },
  {
    host: "logging.googleapis.com",
    method: "POST",
    path: "/v2/{parent+}/exclusions",
    category: "audit.tamper",
    reason: "Cloud Logging exclusion create",
  },
];
