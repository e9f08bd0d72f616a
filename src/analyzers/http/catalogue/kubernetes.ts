import type { HttpOperation } from "./types.js";

/**
 * APIs known by their paths on any host: the Kubernetes API server, the Docker Engine,
 * HashiCorp Vault, 1Password Connect. They run wherever their owners put them.
 */

const ANY = "*";
const NS = "/api/v1/namespaces/{namespace}";
const APPS = "/apis/apps/v1/namespaces/{namespace}/{kind}";
const WORKLOADS = ["deployments", "statefulsets", "daemonsets", "replicasets"];
const WORKLOAD = { from: "param", name: "kind", equals: WORKLOADS } as const;
const SCALE_TO_ZERO = { from: "field", name: "spec.replicas", equals: [0] } as const;
const RBAC_KINDS = ["roles", "rolebindings", "clusterroles", "clusterrolebindings"];

export const KUBERNETES_OPERATIONS: readonly HttpOperation[] = [
  {
    host: ANY,
    method: "DELETE",
    path: NS,
    category: "infra.destroy",
    reason: "Kubernetes namespace delete: {namespace}",
    resource: "k8s:namespaces/{namespace}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: `${APPS}/{name}`,
    when: [WORKLOAD],
    category: "infra.destroy",
    reason: "Kubernetes {kind} delete: {namespace}/{name}",
    resource: "k8s:{namespace}/{kind}/{name}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: APPS,
    when: [WORKLOAD],
    category: "infra.destroy",
    reason: "Kubernetes delete of all {kind} in {namespace}",
    resource: "k8s:{namespace}/{kind}",
  },
  {
    host: ANY,
    method: ["PATCH", "PUT"],
    path: `${APPS}/{name}/scale`,
    when: [WORKLOAD, SCALE_TO_ZERO],
    category: "infra.destroy",
    reason: "Kubernetes {kind} scaled to zero: {namespace}/{name}",
    resource: "k8s:{namespace}/{kind}/{name}",
  },
  {
    host: ANY,
    method: ["PATCH", "PUT"],
    path: `${APPS}/{name}`,
    when: [WORKLOAD, SCALE_TO_ZERO],
    category: "infra.destroy",
    reason: "Kubernetes {kind} scaled to zero: {namespace}/{name}",
    resource: "k8s:{namespace}/{kind}/{name}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: `${NS}/services/{name}`,
    category: "infra.destroy",
    reason: "Kubernetes service delete: {namespace}/{name}",
    resource: "k8s:{namespace}/services/{name}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: `${NS}/persistentvolumeclaims/{name}`,
    category: "data.destroy",
    reason: "Kubernetes volume claim delete: {namespace}/{name}",
    resource: "k8s:{namespace}/persistentvolumeclaims/{name}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: `${NS}/persistentvolumeclaims`,
    category: "data.destroy",
    reason: "Kubernetes delete of all volume claims in {namespace}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: "/api/v1/persistentvolumes/{name}",
    category: "data.destroy",
    reason: "Kubernetes volume delete: {name}",
    resource: "k8s:persistentvolumes/{name}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: "/apis/apiextensions.k8s.io/{version}/customresourcedefinitions/{name}",
    category: "data.destroy",
    reason: "Kubernetes CRD delete, with every resource of its kind: {name}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: "/api/v1/nodes/{name}",
    category: "infra.destroy",
    reason: "Kubernetes node delete: {name}",
  },
  // A pod is recreated by its controller: an ordinary delete.
  { host: ANY, method: "DELETE", path: `${NS}/pods/{name}`, reason: "Kubernetes pod delete" },
  {
    host: ANY,
    method: "GET",
    path: `${NS}/secrets/{name}`,
    category: "secret.access",
    reason: "Kubernetes secret read: {namespace}/{name}",
    resource: "k8s:{namespace}/secrets/{name}",
  },
  {
    host: ANY,
    method: "GET",
    path: `${NS}/secrets`,
    category: "secret.access",
    reason: "Kubernetes secret list, values included: {namespace}",
  },
  {
    host: ANY,
    method: "GET",
    path: "/api/v1/secrets",
    category: "secret.access",
    reason: "Kubernetes secret list across namespaces, values included",
  },
  {
    host: ANY,
    method: ["POST", "PUT", "PATCH", "DELETE"],
    path: "/apis/rbac.authorization.k8s.io/{version}/{rbac+}",
    when: [{ from: "param", name: "rbac", matches: `(^|/)(${RBAC_KINDS.join("|")})(/|$)` }],
    category: "iam.change",
    reason: "Kubernetes RBAC change: {rbac}",
  },
  {
    host: ANY,
    method: "POST",
    path: `${NS}/serviceaccounts/{account}/token`,
    category: "iam.change",
    reason: "Kubernetes service account token created: {namespace}/{account}",
  },
  {
    host: ANY,
    method: ["GET", "POST"],
    path: `${NS}/pods/{pod}/{action}`,
    when: [{ from: "param", name: "action", equals: ["exec", "attach"] }],
    category: "opaque",
    reason: "Kubernetes {action} into {namespace}/{pod}: the command's effect is unknown",
  },

  // Docker Engine API: exec runs a command whose effect is unknown.
  {
    host: ANY,
    method: "POST",
    path: "/{version}/containers/{container}/exec",
    category: "opaque",
    reason: "Docker exec into {container}: the command's effect is unknown",
  },
  {
    host: ANY,
    method: "POST",
    path: "/containers/{container}/exec",
    category: "opaque",
    reason: "Docker exec into {container}: the command's effect is unknown",
  },

  // HashiCorp Vault (KV at the default `secret/` mount)
  {
    host: ANY,
    method: "GET",
    path: "/v1/secret/{path+}",
    category: "secret.access",
    reason: "Vault secret read: {path}",
    resource: "vault:secret/{path}",
  },
  {
    host: ANY,
    method: ["POST", "PUT"],
    path: "/v1/auth/token/{kind}",
    when: [{ from: "param", name: "kind", matches: "^create" }],
    category: "iam.change",
    reason: "Vault token created",
  },
  {
    host: ANY,
    method: ["POST", "PUT", "DELETE"],
    path: "/v1/sys/{kind}/{name+}",
    when: [{ from: "param", name: "kind", equals: ["policy", "policies"] }],
    category: "iam.change",
    reason: "Vault policy change: {name}",
  },
  {
    host: ANY,
    method: "DELETE",
    path: "/v1/sys/audit/{name}",
    category: "audit.tamper",
    reason: "Vault audit device disabled: {name}",
  },

  // 1Password Connect
  {
    host: ANY,
    method: "GET",
    path: "/v1/vaults/{vault}/items/{item}",
    category: "secret.access",
    reason: "1Password item read: {vault}/{item}",
  },
];
