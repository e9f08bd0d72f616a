import { ActionSchema } from "./envelope.js";
import { PolicyDocument } from "./policy/schema.js";
import { TestFile } from "./testing/cases.js";

/** The JSON Schemas published in schema/, generated from the same definitions the core checks with. */
export const PUBLISHED_SCHEMAS = {
  "policy.schema.json": PolicyDocument,
  "action.schema.json": ActionSchema,
  "policy-test.schema.json": TestFile,
} as const;

export function renderSchema(schema: object): string {
  return `${JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", ...schema }, null, 2)}\n`;
}
