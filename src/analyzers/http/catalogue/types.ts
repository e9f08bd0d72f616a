import type { CategoryId } from "../../../core/catalogue.js";

/** The shape of the operation catalogue: data only; `../match.ts` interprets it. */

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * One test on a value of the request. Sources:
 * - `field`: a JSON body field (dotted path, arrays are searched element by element, JSON Patch
 *   ops count as the fields they set), a form-body parameter or a query parameter. AWS requests
 *   also have an `Action` field taken from `X-Amz-Target`, so the query and JSON protocols match
 *   alike;
 * - `param`: a `{name}` captured from the host or path pattern;
 * - `arg`: a GraphQL mutation argument (dotted path, variables substituted);
 * - `header`: a request header (name case-insensitive);
 * - `query`: the raw query string; `body`: the raw body text.
 * No `equals` or `matches`: the value must be present. Strings compare case-insensitively;
 * `matches` is a case-insensitive regular expression. `not` inverts the test.
 * With several values (a repeated parameter) a test passes if any value passes, and a `not` test
 * if any value fails: the request is read the way that crosses the line.
 */
export interface FieldTest {
  from: "field" | "param" | "arg" | "header" | "query" | "body";
  name?: string;
  equals?: readonly (string | number | boolean)[];
  matches?: string;
  not?: boolean;
}

interface OperationBase {
  /**
   * Host patterns, dot-separated labels: literal text, `{name}` (part of one label), `{name+}`
   * (one or more labels), `*` (one or more labels). The last two labels must be literal: the
   * catalogue is indexed by them. `"*"` alone: any host (APIs known by their paths, Kubernetes).
   */
  host: string | readonly string[];
  /** Every test must pass. */
  when?: readonly FieldTest[];
  /** The red lines crossed; none: a known operation that crosses none (it stops heuristics). */
  category?: CategoryId | readonly CategoryId[];
  /** For humans: `{name}` is replaced by a captured param, a field or an argument. */
  reason: string;
  /** A `targets.resources` entry, same placeholders; dropped if one cannot be filled. */
  resource?: string;
}

/** A REST or RPC operation. Within a host, the first operation that matches wins. */
export interface HttpOperation extends OperationBase {
  method: HttpMethod | readonly HttpMethod[];
  /**
   * Path pattern, case-insensitive, without the query: literal text, `{name}` (part of one
   * segment), `{name+}` (one or more segments). Paths are compared with repeated and trailing
   * slashes removed and percent-encoded unreserved characters decoded.
   */
  path: string;
}

/** A GraphQL mutation, by the name of a root field of a mutation operation. */
export interface GraphqlOperation extends OperationBase {
  /** The endpoint path; default `/graphql`. */
  path?: string;
  mutation: string;
}
