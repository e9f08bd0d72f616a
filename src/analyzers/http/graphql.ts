// The language modules only: the package's index also loads the type system, validation and
// execution (about 40 ms at every start of a short-lived process such as the hook).
import type {
  DocumentNode,
  FragmentDefinitionNode,
  OperationDefinitionNode,
  SelectionSetNode,
} from "graphql/language/ast.js";
import { Kind } from "graphql/language/kinds.js";
import { parse } from "graphql/language/parser.js";
import { valueFromASTUntyped } from "graphql/utilities/valueFromASTUntyped.js";
import type { ParsedRequest } from "./request.js";

/** GraphQL over HTTP: which requests carry documents, and what their mutations are. */

export interface Payload {
  query: string;
  variables: Record<string, unknown>;
}

export interface RootMutation {
  /** The field's name, not its alias: `x: deleteRepository(...)` is a deleteRepository. */
  name: string;
  args: Record<string, unknown>;
}

export interface ReadDocument {
  mutations: RootMutation[];
}

/** Bounds the parser's work on hostile documents; beyond it the document is opaque. */
const MAX_TOKENS = 50_000;
/** A document starts with `{` or an operation keyword, after comments. */
const LOOKS_LIKE_DOCUMENT =
  /^\s*(?:#[^\n]*\n\s*)*(?:\{|(?:query|mutation|subscription|fragment)\b[^{]*\{)/;

/**
 * The GraphQL documents the request carries: none (not GraphQL), the payloads, or why a request
 * that claims to be GraphQL cannot be read (the caller makes it opaque).
 */
export function graphqlPayloads(req: ParsedRequest): Payload[] | string | undefined {
  const endpoint = /graphql/i.test(req.path);
  if (req.contentType === "application/graphql") return [{ query: req.body, variables: {} }];
  const json = req.json;
  const items = Array.isArray(json) ? json : [json];
  if (json !== undefined && items.length > 0 && items.every((x) => isPayload(x, endpoint)))
    return items.map((x) => ({ query: x.query, variables: variablesOf(x.variables) }));
  if (!endpoint) return undefined;

  const query = req.queryParams.get("query");
  if (query !== null) return [{ query, variables: variablesOf(req.queryParams.get("variables")) }];
  if (req.body === "") return undefined;
  if (req.bodyUnread) return "GraphQL body too large to analyze";
  if (items.some((x) => isObject(x) && isObject(x.extensions) && "persistedQuery" in x.extensions))
    return "GraphQL persisted query: the document is not in the request";
  if (req.contentType === "multipart/form-data")
    return "GraphQL multipart request cannot be analyzed";
  if (json === undefined) return "GraphQL body is not JSON";
  return undefined;
}

function isPayload(x: unknown, endpoint: boolean): x is { query: string; variables?: unknown } {
  if (!isObject(x) || typeof x.query !== "string") return false;
  if (endpoint) return true;
  // Elsewhere `{"query": "shoes"}` is a search: claim only a document-shaped query.
  return LOOKS_LIKE_DOCUMENT.test(x.query);
}

/** The root fields of the document's mutations, or why it does not parse. */
export function readDocument(payload: Payload): ReadDocument | string {
  let document: DocumentNode;
  try {
    document = parse(payload.query, { noLocation: true, maxTokens: MAX_TOKENS });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return `GraphQL document does not parse: ${message}`;
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const mutations: RootMutation[] = [];
  // Every mutation in the document counts, whatever `operationName` picks: the worst case.
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION || d.operation !== "mutation") continue;
    const variables = { ...defaults(d), ...payload.variables };
    collect(d.selectionSet, fragments, variables, mutations, new Set());
  }
  return { mutations };
}

function collect(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  out: RootMutation[],
  visited: Set<string>,
): void {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      const args: Record<string, unknown> = {};
      for (const a of s.arguments ?? [])
        args[a.name.value] = valueFromASTUntyped(a.value, variables);
      out.push({ name: s.name.value, args });
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      collect(s.selectionSet, fragments, variables, out, visited);
    } else {
      const fragment = fragments.get(s.name.value);
      if (fragment && !visited.has(s.name.value)) {
        visited.add(s.name.value);
        collect(fragment.selectionSet, fragments, variables, out, visited);
      }
    }
  }
}

function defaults(operation: OperationDefinitionNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of operation.variableDefinitions ?? [])
    if (v.defaultValue) out[v.variable.name.value] = valueFromASTUntyped(v.defaultValue);
  return out;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

/** Variables as an object; some clients send them as a JSON string. */
function variablesOf(x: unknown): Record<string, unknown> {
  if (typeof x === "string") {
    try {
      return variablesOf(JSON.parse(x));
    } catch {
      return {};
    }
  }
  return isObject(x) ? x : {};
}
