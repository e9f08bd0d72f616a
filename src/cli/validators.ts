import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import type { ValidateFunction } from "ajv";
import { usePrecompiled } from "../core/schema-check.js";

const require = createRequire(import.meta.url);
const DIR = new URL("../validators/", import.meta.url);

/**
 * Uses the validators `npm run build` generated (scripts/gen-validators.mjs) instead of
 * compiling the schemas with Ajv at start-up; a schema without one (a stale build) is compiled.
 */
export function loadPrecompiledValidators(): void {
  usePrecompiled((key) => {
    const file = new URL(`${key}.cjs`, DIR);
    if (!existsSync(file)) return undefined;
    const m = require(file.pathname) as ValidateFunction | { default: ValidateFunction };
    return typeof m === "function" ? m : m.default;
  });
}
