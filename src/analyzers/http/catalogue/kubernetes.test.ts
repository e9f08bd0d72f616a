import { describe } from "vitest";
import { check } from "../test-support/table.js";

describe("Kubernetes, Vault", () => {
  const k8s = "https://kubernetes.default.svc";
  check([
    {
      r: `DELETE ${k8s}/api/v1/namespaces/prod`,
      cats: ["infra.destroy"],
      resource: "k8s:namespaces/prod",
    },
    { r: `DELETE ${k8s}/apis/apps/v1/namespaces/prod/deployments/web`, cats: ["infra.destroy"] },
    { r: `DELETE ${k8s}/apis/apps/v1/namespaces/prod/statefulsets`, cats: ["infra.destroy"] },
    {
      r: `DELETE ${k8s}/api/v1/namespaces/prod/persistentvolumeclaims/data-0`,
      cats: ["data.destroy"],
    },
    { r: `DELETE ${k8s}/api/v1/namespaces/prod/pods/web-1`, cats: [] },
    {
      r: `PATCH ${k8s}/apis/apps/v1/namespaces/prod/deployments/web/scale`,
      body: { spec: { replicas: 0 } },
      headers: { "content-type": "application/merge-patch+json" },
      cats: ["infra.destroy"],
    },
    {
      r: `PATCH ${k8s}/apis/apps/v1/namespaces/prod/deployments/web`,
      body: [{ op: "replace", path: "/spec/replicas", value: 0 }],
      headers: { "content-type": "application/json-patch+json" },
      cats: ["infra.destroy"],
    },
    {
      r: `PATCH ${k8s}/apis/apps/v1/namespaces/prod/deployments/web/scale`,
      body: { spec: { replicas: 3 } },
      cats: [],
    },
    { r: `GET ${k8s}/api/v1/namespaces/prod/secrets/db`, cats: ["secret.access"] },
    { r: `GET ${k8s}/api/v1/namespaces/prod/secrets`, cats: ["secret.access"] },
    { r: `GET ${k8s}/api/v1/namespaces/prod/pods`, cats: [] },
    {
      r: `POST ${k8s}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings`,
      body: { roleRef: { name: "cluster-admin" } },
      cats: ["iam.change"],
    },
    { r: `GET ${k8s}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings`, cats: [] },
    { r: `POST ${k8s}/api/v1/namespaces/prod/pods/web-1/exec?command=sh`, cats: ["opaque"] },
    {
      r: "POST http://localhost:2375/v1.43/containers/web/exec",
      body: { Cmd: ["sh"] },
      cats: ["opaque"],
    },
    { r: "GET https://vault.internal:8200/v1/secret/data/prod/db", cats: ["secret.access"] },
    { r: "DELETE https://vault.internal:8200/v1/sys/audit/file", cats: ["audit.tamper"] },
  ]);
});
