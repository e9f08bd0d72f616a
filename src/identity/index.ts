export * from "./agents.js";
export * from "./approvers.js";
export * from "./keys.js";
export * from "./secrets.js";
export * from "./tokens.js";
