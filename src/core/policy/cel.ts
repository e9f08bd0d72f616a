import { createRequire } from "node:module";
import type { Environment } from "@marcbachmann/cel-js";

/**
 * CEL `when` conditions. The library was chosen by measurement: on the same conditions it
 * evaluates 9-22x faster than @bufbuild/cel with identical results (docs/benchmarks.md).
 * JSON numbers are CEL doubles (as with google.protobuf.Struct): `amount > 5000` works as is.
 */
let environment: Environment | undefined;

/**
 * Loaded with the first condition: a policy without any (the baseline) never pays for the
 * library's start-up, which a hook process spends on every tool call otherwise.
 */
function env(): Environment {
  if (!environment) {
    const cel = createRequire(import.meta.url)(
      "@marcbachmann/cel-js",
    ) as typeof import("@marcbachmann/cel-js");
    environment = new cel.Environment({ limits: { maxAstNodes: 2000, maxDepth: 64 } })
      .registerVariable("action", "map")
      .registerVariable("facts", "map")
      .registerVariable("agent", "map");
  }
  return environment;
}

export interface CelInput {
  action: unknown;
  facts: unknown;
  agent: unknown;
}

export type Condition = (input: CelInput) => boolean;

export type CompiledCondition = { ok: true; condition: Condition } | { ok: false; message: string };

export function compileCondition(source: string): CompiledCondition {
  const checked = env().check(source);
  if (!checked.valid)
    return { ok: false, message: tidy(checked.error?.message ?? "invalid expression") };
  if (checked.type !== "bool" && checked.type !== "dyn") {
    return { ok: false, message: `a condition must be a bool, this expression is ${checked.type}` };
  }
  let program: (ctx: CelInput) => unknown;
  try {
    program = env().parse(source) as unknown as (ctx: CelInput) => unknown;
  } catch (error) {
    return { ok: false, message: tidy((error as Error).message) };
  }
  return {
    ok: true,
    condition: (input) => {
      const value = program(input);
      if (typeof value !== "boolean")
        throw new TypeError(`condition returned ${typeof value}, not bool`);
      return value;
    },
  };
}

/** Whether the expression reads any input at all; one that does not is a constant. */
export function readsInput(source: string): boolean {
  return /\b(action|facts|agent)\b/.test(source);
}

/** The library appends a source excerpt; the policy error already says where. */
function tidy(message: string): string {
  return message.split("\n")[0] ?? message;
}

export type CompiledNumber =
  | { ok: true; number: (input: CelInput) => number }
  | { ok: false; message: string };

/** A CEL expression that yields a number per action (a budget's `of`). */
export function compileNumber(source: string): CompiledNumber {
  const checked = env().check(source);
  if (!checked.valid)
    return { ok: false, message: tidy(checked.error?.message ?? "invalid expression") };
  if (!["int", "uint", "double", "dyn"].includes(checked.type ?? "")) {
    return {
      ok: false,
      message: `a budget amount must be a number, this expression is ${checked.type}`,
    };
  }
  const program = env().parse(source) as unknown as (ctx: CelInput) => unknown;
  return {
    ok: true,
    number: (input) => {
      const value = program(input);
      const n = typeof value === "bigint" ? Number(value) : value;
      if (typeof n !== "number" || !Number.isFinite(n))
        throw new TypeError(`amount is ${typeof value}, not a number`);
      return n;
    },
  };
}
