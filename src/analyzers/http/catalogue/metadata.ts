import type { HttpOperation } from "./types.js";

/** Cloud instance metadata services: the paths that hand out the machine's credentials. */

const IMDS = "169.254.169.254";

export const METADATA_OPERATIONS: readonly HttpOperation[] = [
  {
    host: IMDS,
    method: "GET",
    path: "/{version}/meta-data/iam/security-credentials/{role}",
    category: "secret.access",
    reason: "AWS instance credentials read: {role}",
  },
  {
    host: IMDS,
    method: "GET",
    path: "/{version}/meta-data/iam/security-credentials",
    category: "secret.access",
    reason: "AWS instance role lookup for its credentials",
  },
  {
    host: "169.254.170.2",
    method: "GET",
    path: "/{version}/credentials/{id}",
    category: "secret.access",
    reason: "AWS container credentials read",
  },
  {
    host: [IMDS, "metadata.google.internal"],
    method: "GET",
    path: "/computeMetadata/v1/instance/service-accounts/{account}/{kind}",
    when: [{ from: "param", name: "kind", equals: ["token", "identity"] }],
    category: "secret.access",
    reason: "GCP service account {kind} read",
  },
  {
    host: IMDS,
    method: "GET",
    path: "/metadata/identity/oauth2/token",
    category: "secret.access",
    reason: "Azure managed identity token read",
  },
];
