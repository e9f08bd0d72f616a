import { createRequire } from "node:module";
import type { Ajv, ErrorObject, Options, ValidateFunction } from "ajv";
import { sha256Hex } from "./canonical.js";
import { type FieldError, suggest } from "./errors.js";

export type Checker = (value: unknown) => FieldError[];

/** How every checker validates; `scripts/gen-validators.mjs` generates code with the same. */
export const AJV_OPTIONS: Options = { allErrors: true, strict: false, verbose: true };

/** Validators generated ahead of time, by schema key (see usePrecompiled). */
type Precompiled = (key: string) => ValidateFunction | undefined;
let precompiled: Precompiled | undefined;
let ajv: Ajv | undefined;
const registered: object[] = [];

/**
 * A checker for `schema`, compiled when first used: by the validator a composition root
 * installed with `usePrecompiled`, else by Ajv here (Ajv compiling the policy schema costs
 * about 100 ms, which a hook that runs once per tool call cannot spend).
 */
export function compileChecker(schema: object): Checker {
  registered.push(schema);
  let validate: ValidateFunction | undefined;
  return (value) => {
    validate ??= precompiled?.(schemaKey(schema)) ?? compile(schema);
    return validate(value) ? [] : translate(validate.errors ?? [], value);
  };
}

/** Installs ahead-of-time validators; one is used only for the exact schema it was made from. */
export function usePrecompiled(lookup: Precompiled | undefined): void {
  precompiled = lookup;
}

/** The schemas checkers were made for, so far: what the generator generates code for. */
export function registeredSchemas(): readonly object[] {
  return registered;
}

/** Content address of a schema: a generated validator for another version of it never applies. */
export function schemaKey(schema: object): string {
  return sha256Hex(JSON.stringify(schema)).slice(0, 32);
}

function compile(schema: object): ValidateFunction {
  if (!ajv) {
    const { Ajv: AjvClass } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
    ajv = new AjvClass(AJV_OPTIONS);
  }
  return ajv.compile(schema);
}

/** Ajv's errors rewritten for humans: the field by name, what was expected, a hint for typos. */
function translate(errors: ErrorObject[], value: unknown): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const quietTypeErrors = new Set<string>();
  // A union speaks first: its branches' own errors would each tell only part of the story.
  for (const error of errors) {
    if (error.keyword !== "anyOf") continue;
    const path = pointerToPath(error.instancePath);
    const branches = (error.schema ?? []) as { const?: unknown; type?: string }[];
    const got = valueAt(value, path);
    let message: string | undefined;
    if (branches.every((b) => "const" in b)) {
      const allowed = branches.map((b) => b.const);
      const hint = typeof got === "string" ? suggest(got, allowed.map(String)) : undefined;
      message = `${JSON.stringify(got)} is not allowed${hint ? ` (did you mean '${hint}'?)` : ""}; expected one of: ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
    } else {
      const types = [...new Set(branches.map((b) => b.type ?? "value"))];
      if (!types.includes(describe(got)))
        message = `expected ${types.join(" or ")}, got ${describe(got)}`;
      else quietTypeErrors.add(path.join("\u0000"));
    }
    if (message === undefined) continue;
    seen.add(path.join("\u0000"));
    out.push({ path, message });
  }
  for (const error of errors) {
    if (error.keyword === "anyOf" || error.keyword === "oneOf" || error.keyword === "if") continue;
    const path = pointerToPath(error.instancePath);
    if (error.keyword === "type" && quietTypeErrors.has(path.join("\u0000"))) continue;
    let message: string;
    const p = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case "additionalProperties": {
        const field = String(p.additionalProperty);
        path.push(field);
        const allowed = Object.keys(
          ((error.parentSchema as { properties?: object })?.properties ?? {}) as object,
        );
        const hint = suggest(field, allowed);
        message = `unknown field '${field}'${hint ? ` (did you mean '${hint}'?)` : ""}; expected one of: ${allowed.join(", ")}`;
        break;
      }
      case "required":
        path.push(String(p.missingProperty));
        message = `required field '${String(p.missingProperty)}' is missing`;
        break;
      case "enum": {
        const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v));
        const got = valueAt(value, path);
        const hint =
          typeof got === "string"
            ? suggest(
                got,
                allowed.map((a) => JSON.parse(a)),
              )
            : undefined;
        message = `${JSON.stringify(got)} is not allowed${hint ? ` (did you mean '${hint}'?)` : ""}; expected one of: ${allowed.join(", ")}`;
        break;
      }
      case "const":
        message = `expected ${JSON.stringify(p.allowedValue)}, got ${JSON.stringify(valueAt(value, path))}`;
        break;
      case "type":
        message = `expected ${String(p.type)}, got ${describe(valueAt(value, path))}`;
        break;
      case "minLength":
        message = "must not be empty";
        break;
      case "uniqueItems":
        message = `items ${String(p.j)} and ${String(p.i)} are the same; list each once`;
        break;
      case "minItems":
        message = `must have at least ${String(p.limit)} item(s)`;
        break;
      case "pattern":
        message = `${JSON.stringify(valueAt(value, path))} does not match ${String(p.pattern)}`;
        break;
      default:
        message = error.message ?? `failed ${error.keyword}`;
    }
    // One message per field: the first says what is wrong; the rest restate it.
    const key = path.join("\u0000");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const part of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[part];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}
