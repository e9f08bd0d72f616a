import type { CategoryId } from "../../core/catalogue.js";
import type { FieldTest, GraphqlOperation, HttpOperation } from "./catalogue/types.js";
import {
  type CompiledPattern,
  compilePattern,
  hostKey,
  matchPattern,
  renderTemplate,
} from "./pattern.js";
import { fieldValues, type ParsedRequest, pathValues } from "./request.js";

/** Interprets the operation catalogue: compiled once, indexed by host. */

interface CompiledTest {
  test: FieldTest;
  equals: Set<string> | undefined;
  matches: RegExp | undefined;
}

interface Compiled<T> {
  operation: T;
  hosts: CompiledPattern[] | "any";
  path: CompiledPattern;
  tests: CompiledTest[];
  categories: CategoryId[];
}

/** What a matched operation says about the request. */
export interface Match {
  categories: CategoryId[];
  reason: string;
  resource: string | undefined;
}

/** What tests and templates can read. */
interface Scope {
  request: ParsedRequest;
  params: Map<string, string>;
  args?: Record<string, unknown>;
}

export class OperationIndex<T extends HttpOperation | GraphqlOperation> {
  private readonly byHost = new Map<string, Compiled<T>[]>();
  private readonly anyHost: Compiled<T>[] = [];

  constructor(operations: readonly T[]) {
    for (const operation of operations) {
      const compiled = compileOperation(operation);
      if (compiled.hosts === "any") {
        this.anyHost.push(compiled);
        continue;
      }
      const keys = new Set(asList(operation.host).map(hostKey));
      for (const key of keys) {
        const list = this.byHost.get(key) ?? [];
        list.push(compiled);
        this.byHost.set(key, list);
      }
    }
  }

  /** Operations that may apply to a host, host-specific ones first, in catalogue order. */
  candidates(host: string): readonly Compiled<T>[] {
    const specific = this.byHost.get(hostKey(host)) ?? [];
    return specific.length === 0 ? this.anyHost : [...specific, ...this.anyHost];
  }
}

function compileOperation<T extends HttpOperation | GraphqlOperation>(operation: T): Compiled<T> {
  const hostPatterns = asList(operation.host);
  let hosts: CompiledPattern[] | "any" = "any";
  if (!hostPatterns.includes("*")) {
    for (const h of hostPatterns) {
      const labels = h.split(".");
      if (labels.length < 2 || labels.slice(-2).some((l) => /[{}*]/.test(l)))
        throw new Error(`catalogue host ${h}: the last two labels must be literal`);
    }
    hosts = hostPatterns.map((h) => compilePattern(h, "."));
  }
  const path = "mutation" in operation ? (operation.path ?? "/graphql") : operation.path;
  return {
    operation,
    hosts,
    path: compilePattern(path, "/"),
    tests: (operation.when ?? []).map((test) => ({
      test,
      equals: test.equals && new Set(test.equals.map((v) => String(v).toLowerCase())),
      matches: test.matches === undefined ? undefined : new RegExp(test.matches, "i"),
    })),
    categories: asList(operation.category ?? []),
  };
}

/** The first REST operation of the catalogue that the request performs. */
export function matchHttp(
  index: OperationIndex<HttpOperation>,
  request: ParsedRequest,
): Match | undefined {
  for (const c of index.candidates(request.host)) {
    if (!asList<string>(c.operation.method).includes(request.method)) continue;
    const params = new Map<string, string>();
    if (!matchWhere(c, request, params)) continue;
    const scope = { request, params };
    if (c.tests.every((t) => passes(t, scope))) return describe(c, scope);
  }
  return undefined;
}

/** The first GraphQL operation for this endpoint and mutation name whose tests pass. */
export function matchGraphql(
  index: OperationIndex<GraphqlOperation>,
  request: ParsedRequest,
  mutation: string,
  args: Record<string, unknown>,
): Match | undefined {
  for (const c of index.candidates(request.host)) {
    if (c.operation.mutation !== mutation) continue;
    const params = new Map<string, string>();
    if (!matchWhere(c, request, params)) continue;
    const scope = { request, params, args };
    if (c.tests.every((t) => passes(t, scope))) return describe(c, scope);
  }
  return undefined;
}

function matchWhere<T>(
  c: Compiled<T>,
  request: ParsedRequest,
  params: Map<string, string>,
): boolean {
  if (c.hosts !== "any" && !c.hosts.some((h) => matchPattern(h, request.host, params)))
    return false;
  return matchPattern(c.path, request.path, params);
}

function describe<T extends HttpOperation | GraphqlOperation>(c: Compiled<T>, scope: Scope): Match {
  const lookup = (name: string) => firstScalar(lookupValues(name, scope));
  const resource = c.operation.resource;
  return {
    categories: c.categories,
    reason: renderTemplate(c.operation.reason, lookup, "reason") ?? c.operation.reason,
    resource: resource === undefined ? undefined : renderTemplate(resource, lookup, "resource"),
  };
}

/** Template names: a captured param, else a GraphQL argument, else a request field. */
function lookupValues(name: string, scope: Scope): unknown[] {
  const param = scope.params.get(name);
  if (param !== undefined) return [param];
  if (scope.args) {
    const args = pathValues(scope.args, name.split("."));
    if (args.length > 0) return args;
  }
  return fieldValues(scope.request, name);
}

function valuesFor(test: FieldTest, scope: Scope): unknown[] | "unread" {
  const { request } = scope;
  const name = test.name ?? "";
  switch (test.from) {
    case "param": {
      const v = scope.params.get(name);
      return v === undefined ? [] : [v];
    }
    case "arg":
      return scope.args ? pathValues(scope.args, name.split(".")) : [];
    case "header": {
      const v = request.headers.get(name.toLowerCase());
      return v === undefined ? [] : [v];
    }
    case "query":
      return request.query === "" ? [] : [request.query];
    case "body":
      if (request.bodyUnread) return "unread";
      return request.body === "" ? [] : [request.body];
    case "field":
      if (request.bodyUnread) return "unread";
      return fieldValues(request, name);
  }
}

function passes(t: CompiledTest, scope: Scope): boolean {
  const values = valuesFor(t.test, scope);
  // A body too large to read cannot clear an operation: assume the test goes the risky way.
  if (values === "unread") return true;
  const ok = (v: unknown) => {
    const text = typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
    if (t.equals && !t.equals.has(text.toLowerCase())) return false;
    if (t.matches && !t.matches.test(text)) return false;
    return true;
  };
  return t.test.not ? !values.every(ok) || values.length === 0 : values.some(ok);
}

function firstScalar(values: unknown[]): string | undefined {
  for (const v of values)
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function asList<T>(value: T | readonly T[]): T[] {
  return Array.isArray(value) ? [...value] : [value as T];
}
