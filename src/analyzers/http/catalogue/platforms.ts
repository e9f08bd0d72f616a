import type { HttpOperation } from "./types.js";

/** Edge, database and infrastructure-as-code platforms: zones, buckets, tables, indexes, state. */

const ANY = "*";
const CLOUDFLARE = "api.cloudflare.com";
const ACCOUNT = "/client/v4/accounts/{account}";

const SUPABASE_REST = "{project}.supabase.co";
const FIREBASE = ["{db}.firebaseio.com", "{db}.{region}.firebasedatabase.app"];
const ELASTIC = ["{deployment+}.cloud.es.io", "{domain}.{region}.es.amazonaws.com"];
const UNFILTERED = { from: "query", not: true } as const;

export const PLATFORM_OPERATIONS: readonly HttpOperation[] = [
  // PostgREST (Supabase): a DELETE or PATCH without a filter touches every row.
  {
    host: SUPABASE_REST,
    method: "DELETE",
    path: "/rest/v1/{table}",
    when: [UNFILTERED],
    category: "data.destroy",
    reason: "Supabase delete of every row in {table}",
  },
  {
    host: SUPABASE_REST,
    method: "PATCH",
    path: "/rest/v1/{table}",
    when: [UNFILTERED],
    category: "data.destroy",
    reason: "Supabase update of every row in {table}",
  },
  // Firebase Realtime Database: deleting the root or a top-level node.
  {
    host: FIREBASE,
    method: "DELETE",
    path: "/{node}.json",
    category: "data.destroy",
    reason: "Firebase delete of /{node}",
  },
  {
    host: FIREBASE,
    method: "DELETE",
    path: "/.json",
    category: "data.destroy",
    reason: "Firebase database wiped",
  },
  {
    host: FIREBASE,
    method: "PUT",
    path: "/.json",
    category: "data.destroy",
    reason: "Firebase database overwritten",
  },
  // Upstash Redis REST
  {
    host: "{db}.upstash.io",
    method: ["GET", "POST"],
    path: "/{command}",
    when: [{ from: "param", name: "command", equals: ["flushall", "flushdb"] }],
    category: "data.destroy",
    reason: "Redis {command}",
  },
  {
    host: "{db}.upstash.io",
    method: "POST",
    path: "/",
    when: [{ from: "body", matches: '^\\s*\\[\\s*"flush(all|db)"' }],
    category: "data.destroy",
    reason: "Redis FLUSHALL",
  },
  // MongoDB Atlas Data API: an empty filter matches every document.
  {
    host: ["data.mongodb-api.com", "{region}.data.mongodb-api.com"],
    method: "POST",
    path: "/app/{app}/endpoint/data/{version}/action/deleteMany",
    when: [{ from: "field", name: "filter", equals: ["{}"] }],
    category: "data.destroy",
    reason: "MongoDB delete of every document in {collection}",
  },
  // Elasticsearch and OpenSearch
  {
    host: ELASTIC,
    method: "DELETE",
    path: "/{index}",
    category: "data.destroy",
    reason: "search index delete: {index}",
  },
  {
    host: ANY,
    method: "POST",
    path: "/{index}/_delete_by_query",
    category: "data.destroy",
    reason: "search index delete-by-query: {index}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: "/_all",
    category: "data.destroy",
    reason: "search delete of every index",
  },

  // Cloudflare
  {
    host: CLOUDFLARE,
    method: "DELETE",
    path: "/client/v4/zones/{zone}",
    category: "infra.destroy",
    reason: "Cloudflare zone delete: {zone}",
  },
  {
    host: CLOUDFLARE,
    method: "DELETE",
    path: `${ACCOUNT}/r2/buckets/{bucket}`,
    category: "data.destroy",
    reason: "Cloudflare R2 bucket delete: {bucket}",
  },
  {
    host: CLOUDFLARE,
    method: "DELETE",
    path: `${ACCOUNT}/d1/database/{database}`,
    category: "data.destroy",
    reason: "Cloudflare D1 database delete: {database}",
  },
  {
    host: CLOUDFLARE,
    method: "DELETE",
    path: `${ACCOUNT}/workers/scripts/{script}`,
    category: "infra.destroy",
    reason: "Cloudflare Worker delete: {script}",
  },
  {
    host: CLOUDFLARE,
    method: "PATCH",
    path: "/client/v4/zones/{zone}/settings/{setting}",
    when: [
      {
        from: "param",
        name: "setting",
        equals: ["ssl", "always_use_https", "security_level", "waf"],
      },
      { from: "field", name: "value", equals: ["off", "essentially_off"] },
    ],
    category: "security.weaken",
    reason: "Cloudflare {setting} turned off: {zone}",
  },

  // Databases as a service
  {
    host: "api.supabase.com",
    method: "DELETE",
    path: "/v1/projects/{ref}",
    category: ["infra.destroy", "data.destroy"],
    reason: "Supabase project delete: {ref}",
  },
  {
    host: "console.neon.tech",
    method: "DELETE",
    path: "/api/v2/projects/{project}",
    category: "data.destroy",
    reason: "Neon project delete: {project}",
  },
  {
    host: "console.neon.tech",
    method: "DELETE",
    path: "/api/v2/projects/{project}/branches/{branch}",
    category: "data.destroy",
    reason: "Neon branch delete: {project}/{branch}",
  },
  {
    host: "cloud.mongodb.com",
    method: "DELETE",
    path: "/api/atlas/{version}/groups/{group}/clusters/{cluster}",
    category: "data.destroy",
    reason: "MongoDB Atlas cluster delete: {cluster}",
  },

  // Terraform Cloud
  {
    host: "app.terraform.io",
    method: "POST",
    path: "/api/v2/runs",
    when: [{ from: "field", name: "data.attributes.is-destroy", equals: [true] }],
    category: "infra.destroy",
    reason: "Terraform Cloud destroy run",
  },
  {
    host: "app.terraform.io",
    method: "DELETE",
    path: "/api/v2/{scope+}/workspaces/{workspace}",
    category: "data.destroy",
    reason: "Terraform Cloud workspace delete, with its state: {workspace}",
  },
  {
    host: "app.terraform.io",
    method: "DELETE",
    path: "/api/v2/workspaces/{workspace}",
    category: "data.destroy",
    reason: "Terraform Cloud workspace delete, with its state: {workspace}",
  },
];
