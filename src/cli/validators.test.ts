import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import "../core/envelope.js";
import "../core/policy/compile.js";
import "../mcp/config.js";
import { AJV_OPTIONS, registeredSchemas, schemaKey } from "../core/schema-check.js";
import { ROOT } from "../mcp/test-support/harness.js";

/** The validators `npm run build` generates must judge exactly as Ajv compiling the schema. */

const require = createRequire(import.meta.url);
const policy = parse(readFileSync(join(ROOT, "examples/policy.yaml"), "utf8"));
const actions = readFileSync(join(ROOT, "examples/actions.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l));
const samples: unknown[] = [
  null,
  "text",
  [],
  {},
  policy,
  { ...policy, agents: [{ id: "a", defualt: "allow" }] },
  { ...policy, rules: [{ id: 1, effect: "maybe", match: { kind: "carrier-pigeon" } }] },
  ...actions,
  ...actions.map((a) => ({ ...a, agent: 42, extra: true })),
  { servers: { fs: { command: "npx", args: ["x"], bogus: 1 } } },
];

const errorsOf = (validate: ValidateFunction, value: unknown) => {
  validate(value);
  // With what the messages are made of (src/core/schema-check.ts): the schema and its parent.
  return (validate.errors ?? []).map((e) => [
    e.keyword,
    e.instancePath,
    e.params,
    e.schemaPath,
    JSON.stringify(e.schema), // without TypeBox's symbol keys, which the generated copy lacks
    Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}),
  ]);
};

describe("generated validators", () => {
  const schemas = registeredSchemas();
  it("exist for every schema the checkers use, from this very source", () => {
    expect(schemas.length).toBeGreaterThanOrEqual(7);
    for (const s of schemas)
      expect(existsSync(join(ROOT, "dist/validators", `${schemaKey(s)}.cjs`))).toBe(true);
  });

  it("give the same errors as Ajv on valid and invalid documents", () => {
    for (const schema of schemas) {
      const generated = require(join(ROOT, "dist/validators", `${schemaKey(schema)}.cjs`));
      const fromAjv = new Ajv(AJV_OPTIONS).compile(schema);
      const fast = (
        typeof generated === "function" ? generated : generated.default
      ) as ValidateFunction;
      for (const value of samples) expect(errorsOf(fast, value)).toEqual(errorsOf(fromAjv, value));
    }
  });
});
