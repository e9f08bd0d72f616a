import { ENTRY_KINDS } from "../audit/entry.js";
import { ActionSchema } from "../core/envelope.js";

/** The control plane's OpenAPI document, served at /openapi.json. The action schema is the envelope's own. */

const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ok = (description: string, schema: object = { type: "object" }) => ({
  200: { description, ...json(schema) },
});
const agent = [{ agentToken: [] }];
const human = [{ approverSecret: [] }];
const id = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];
const reason = {
  requestBody: json({ type: "object", properties: { reason: { type: "string" } } }),
};
const AuditEntry = {
  type: "object",
  required: ["seq", "kind", "time", "agent", "prevHash", "hash"],
  properties: {
    seq: { type: "integer" },
    kind: { enum: [...ENTRY_KINDS] },
    time: { type: "string", format: "date-time" },
    agent: { type: "string" },
    session: { type: "string" },
    actionHash: { type: "string" },
    action: { type: "object" },
    facts: { type: "object" },
    decision: { enum: ["allow", "deny", "approval"] },
    categories: { type: "array", items: { type: "string" } },
    rules: { type: "array", items: { type: "string" } },
    reason: { type: "string" },
    data: { type: "object" },
    prevHash: { type: "string" },
    hash: { type: "string" },
  },
};
const Decision = {
  type: "object",
  required: ["decision", "categories", "rules", "reason", "policyHash", "actionHash"],
  properties: {
    decision: { enum: ["allow", "deny", "approval"] },
    categories: { type: "array", items: { type: "string" } },
    rules: { type: "array", items: { type: "string" } },
    reason: { type: "string" },
    policyHash: { type: "string" },
    mode: { enum: ["enforce", "shadow"] },
    actionHash: { type: "string" },
    auditSeq: {
      type: ["integer", "null"],
      description: "The decision's audit entry: durable before this answer",
    },
    facts: { type: "object" },
    approval: {
      type: "object",
      description:
        "With decision approval: the request to wait on (pending), or a grant already used for this exact action (used: run it)",
      properties: {
        id: { type: "string" },
        status: { enum: ["pending", "used"] },
        expiresAt: { type: "integer" },
        quorum: { type: "integer" },
      },
    },
  },
};

export const OPENAPI = {
  openapi: "3.1.0",
  info: {
    title: "Redline control plane",
    version: "0.1.0",
    description: "Decisions, approvals, agents and the audit log.",
  },
  components: {
    securitySchemes: {
      agentToken: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description: "An agent token (redline token issue)",
      },
      approverSecret: {
        type: "http",
        scheme: "bearer",
        description: "An approver secret, rla_... (redline approvers add)",
      },
    },
    schemas: { Action: ActionSchema, Decision, AuditEntry },
  },
  paths: {
    "/v1/decisions": {
      post: {
        summary: "Decide one action, durably recorded before the answer",
        security: agent,
        requestBody: json({ $ref: "#/components/schemas/Action" }),
        responses: {
          ...ok("The decision", { $ref: "#/components/schemas/Decision" }),
          400: { description: "Invalid action (the field is named)" },
          401: { description: "No valid agent token" },
          403: { description: "A token of another agent" },
        },
      },
    },
    "/v1/outcomes": {
      post: {
        summary: "Record what followed a decision (completed or failed)",
        security: agent,
        responses: ok("Recorded"),
      },
    },
    "/v1/whoami": {
      get: {
        summary: "The agent a token belongs to, if it is valid now",
        security: agent,
        responses: ok("The agent"),
      },
    },
    "/v1/visibility": {
      post: {
        summary: "Which tools, prompts and resources of an MCP server the agent may see",
        security: agent,
        responses: ok("One boolean per item"),
      },
    },
    "/v1/approvals": {
      get: {
        summary: "Approval requests, newest first",
        security: human,
        parameters: [
          {
            name: "status",
            in: "query",
            schema: {
              enum: ["pending", "granted", "denied", "expired", "used", "cancelled", "all"],
            },
          },
          { name: "agent", in: "query", schema: { type: "string" } },
        ],
        responses: ok("The requests"),
      },
    },
    "/v1/approvals/{id}": {
      get: {
        summary:
          "One request (approvers; the requesting agent for its own, with ?wait=seconds to long-poll)",
        security: [...human, ...agent],
        parameters: [...id, { name: "wait", in: "query", schema: { type: "number", maximum: 30 } }],
        responses: ok("The request"),
      },
    },
    "/v1/approvals/{id}/approve": {
      post: {
        summary: "Vote to approve",
        security: human,
        parameters: id,
        requestBody: json({ type: "object", properties: { comment: { type: "string" } } }),
        responses: {
          ...ok("The request after the vote"),
          409: { description: "Refused: expired, already decided, self-approval, duplicate vote" },
        },
      },
    },
    "/v1/approvals/{id}/deny": {
      post: {
        summary: "Vote to deny (vetoes)",
        security: human,
        parameters: id,
        responses: ok("The request after the vote"),
      },
    },
    "/v1/approvals/{id}/release": {
      post: {
        summary: "Use a grant for exactly this action, once",
        security: agent,
        parameters: id,
        requestBody: json({
          type: "object",
          properties: { action: { $ref: "#/components/schemas/Action" } },
        }),
        responses: {
          ...ok("Released"),
          409: { description: "Not usable: another action, already used, expired, not granted" },
        },
      },
    },
    "/v1/agents": {
      get: {
        summary: "Agents with their runtime state, and the panic state",
        security: human,
        responses: ok("Agents"),
      },
    },
    "/v1/agents/{id}/suspend": {
      post: {
        summary: "Suspend an agent and revoke its tokens",
        security: human,
        parameters: id,
        ...reason,
        responses: ok("New state"),
      },
    },
    "/v1/agents/{id}/resume": {
      post: {
        summary: "Resume an agent (old tokens stay dead)",
        security: human,
        parameters: id,
        ...reason,
        responses: ok("New state"),
      },
    },
    "/v1/panic": {
      post: {
        summary: "Kill switch: suspend every agent, revoke every token",
        security: human,
        ...reason,
        responses: ok("Panic state"),
      },
    },
    "/v1/panic/clear": {
      post: {
        summary: "Clear the panic",
        security: human,
        ...reason,
        responses: ok("Panic state"),
      },
    },
    "/v1/audit": {
      get: {
        summary: "Audit entries (newest, or after ?afterSeq=)",
        security: human,
        parameters: [
          {
            name: "kind",
            in: "query",
            schema: { $ref: "#/components/schemas/AuditEntry/properties/kind" },
          },
          { name: "agent", in: "query", schema: { type: "string" } },
          { name: "decision", in: "query", schema: { enum: ["allow", "deny", "approval"] } },
          { name: "afterSeq", in: "query", schema: { type: "integer" } },
          { name: "limit", in: "query", schema: { type: "integer", maximum: 1000 } },
        ],
        responses: ok("Entries", {
          type: "object",
          properties: {
            entries: { type: "array", items: { $ref: "#/components/schemas/AuditEntry" } },
          },
        }),
      },
    },
    "/v1/audit/verify": {
      get: {
        summary: "Verify the hash chain and signed checkpoints",
        security: human,
        responses: ok("Verification report"),
      },
    },
    "/v1/events": {
      get: {
        summary: "Live audit entries as Server-Sent Events (id = seq; Last-Event-ID resumes)",
        security: human,
        responses: { 200: { description: "text/event-stream" } },
      },
    },
    "/metrics": {
      get: { summary: "Prometheus metrics", responses: { 200: { description: "text/plain" } } },
    },
    "/healthz": {
      get: {
        summary: "Liveness and store health",
        responses: { ...ok("Healthy"), 503: { description: "The state store is unavailable" } },
      },
    },
  },
} as const;
