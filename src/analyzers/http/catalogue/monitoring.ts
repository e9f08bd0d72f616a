import type { HttpOperation } from "./types.js";

/** Monitoring and on-call: silencing what would tell a human that something is wrong. */

const DATADOG = [
  "api.datadoghq.com",
  "api.datadoghq.eu",
  "api.{site}.datadoghq.com",
  "api.ddog-gov.com",
];

export const MONITORING_OPERATIONS: readonly HttpOperation[] = [
  {
    host: DATADOG,
    method: "DELETE",
    path: "/api/v1/monitor/{id}",
    category: "audit.tamper",
    reason: "Datadog monitor delete: {id}",
  },
  {
    host: DATADOG,
    method: "POST",
    path: "/api/v1/monitor/{id}/mute",
    category: "audit.tamper",
    reason: "Datadog monitor mute: {id}",
  },
  {
    host: DATADOG,
    method: "POST",
    path: "/api/v1/monitor/mute_all",
    category: "audit.tamper",
    reason: "Datadog mute of all monitors",
  },
  {
    host: DATADOG,
    method: "POST",
    path: "/api/v2/downtime",
    category: "audit.tamper",
    reason: "Datadog downtime scheduled",
  },
  {
    host: DATADOG,
    method: "DELETE",
    path: "/api/v2/logs/config/{kind}/{id}",
    category: "audit.tamper",
    reason: "Datadog logs {kind} delete: {id}",
  },
  {
    host: "api.pagerduty.com",
    method: "DELETE",
    path: "/services/{id}",
    category: "audit.tamper",
    reason: "PagerDuty service delete: {id}",
  },
  {
    host: "api.pagerduty.com",
    method: "POST",
    path: "/maintenance_windows",
    category: "audit.tamper",
    reason: "PagerDuty maintenance window",
  },
  {
    host: "api.opsgenie.com",
    method: "DELETE",
    path: "/v2/{kind}/{id}",
    when: [{ from: "param", name: "kind", equals: ["heartbeats", "integrations", "policies"] }],
    category: "audit.tamper",
    reason: "Opsgenie {kind} delete: {id}",
  },
  {
    host: "sentry.io",
    method: "DELETE",
    path: "/api/0/projects/{org}/{project}",
    category: "audit.tamper",
    reason: "Sentry project delete: {org}/{project}",
  },
];
