import { AWS_OPERATIONS } from "./aws.js";
import { AZURE_OPERATIONS } from "./azure.js";
import { GCP_OPERATIONS } from "./gcp.js";
import { GITHUB_GRAPHQL_OPERATIONS, GITHUB_OPERATIONS } from "./github.js";
import { HOSTING_GRAPHQL_OPERATIONS, HOSTING_OPERATIONS } from "./hosting.js";
import { KUBERNETES_OPERATIONS } from "./kubernetes.js";
import { MESSAGING_OPERATIONS } from "./messaging.js";
import { METADATA_OPERATIONS } from "./metadata.js";
import { MONITORING_OPERATIONS } from "./monitoring.js";
import { PAYMENT_OPERATIONS } from "./payments.js";
import { PLATFORM_OPERATIONS } from "./platforms.js";
import { PUBLISHING_OPERATIONS } from "./publishing.js";
import { S3_OPERATIONS } from "./s3.js";
import type { GraphqlOperation, HttpOperation } from "./types.js";
import { VCS_OPERATIONS } from "./vcs.js";

export type { FieldTest, GraphqlOperation, HttpMethod, HttpOperation } from "./types.js";

/** Well-known API operations, REST and RPC. Order matters within a host: first match wins. */
export const HTTP_OPERATIONS: readonly HttpOperation[] = [
  ...PAYMENT_OPERATIONS,
  ...GITHUB_OPERATIONS,
  ...AWS_OPERATIONS,
  ...S3_OPERATIONS,
  ...GCP_OPERATIONS,
  ...AZURE_OPERATIONS,
  ...HOSTING_OPERATIONS,
  ...PLATFORM_OPERATIONS,
  ...MESSAGING_OPERATIONS,
  ...PUBLISHING_OPERATIONS,
  ...MONITORING_OPERATIONS,
  ...METADATA_OPERATIONS,
  ...KUBERNETES_OPERATIONS,
  ...VCS_OPERATIONS,
];

/** Well-known GraphQL mutations; unknown ones are judged by their names. */
export const GRAPHQL_OPERATIONS: readonly GraphqlOperation[] = [
  ...GITHUB_GRAPHQL_OPERATIONS,
  ...HOSTING_GRAPHQL_OPERATIONS,
];
