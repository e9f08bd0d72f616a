export * from "./config.js";
export * from "./events.js";
export * from "./payloads.js";
export * from "./signature.js";
export * from "./webhooks.js";
