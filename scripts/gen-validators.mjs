#!/usr/bin/env node
// Part of `npm run build`, after tsc: generates the JSON Schema validators the CLI would
// otherwise compile with Ajv at every start (standalone code, one CommonJS file per schema,
// named by the schema's content key), into dist/validators/. src/cli/validators.ts loads them.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";

const dist = new URL("../dist/", import.meta.url);
const out = new URL("validators/", dist);
// The modules that make checkers register their schemas when loaded.
await import(new URL("core/envelope.js", dist).href);
await import(new URL("core/policy/compile.js", dist).href);
await import(new URL("mcp/config.js", dist).href);
const { AJV_OPTIONS, registeredSchemas, schemaKey } = await import(new URL("core/schema-check.js", dist).href);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const keys = new Set();
for (const schema of registeredSchemas()) {
  const key = schemaKey(schema);
  if (keys.has(key)) continue;
  keys.add(key);
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  writeFileSync(new URL(`${key}.cjs`, out), standaloneCode(ajv, ajv.compile(schema)));
}
process.stdout.write(`gen-validators: ${keys.size} validators in dist/validators/\n`);
