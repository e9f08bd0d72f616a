import type { HttpRequest } from "../types.js";

/** A request normalised for matching: what the server will act on, not how it was spelled. */
export interface ParsedRequest {
  /** Upper case; a POST with a method-override header counts as the overriding method. */
  method: string;
  /** Lower case, without port, brackets or trailing dot. */
  host: string;
  /** For matching: see `normalisePath`. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  queryParams: URLSearchParams;
  /** Header names in lower case. */
  headers: ReadonlyMap<string, string>;
  /** Media type of the body, lower case, without parameters; "" when not given. */
  contentType: string;
  body: string;
  /** The body parsed as JSON, when it is JSON and small enough to parse. */
  json: unknown;
  /** The body as form parameters, when it is form-encoded. */
  form: URLSearchParams | undefined;
  /** The body is too large to parse: tests on it cannot be decided. */
  bodyUnread: boolean;
}

/** Bodies larger than this are not parsed (JSON.parse is linear, but memory is not free). */
export const MAX_PARSE_CHARS = 2 * 1024 * 1024;

const OVERRIDE_HEADERS = ["x-http-method-override", "x-http-method", "x-method-override"];

/** Parses the request, or returns why it cannot be understood (the caller makes that opaque). */
export function parseRequest(request: HttpRequest): ParsedRequest | string {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return "URL does not parse";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return `unsupported URL scheme ${url.protocol}`;
  const host = normaliseHost(url.hostname);
  if (host === "") return "URL has no host";

  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(request.headers ?? {}))
    headers.set(name.toLowerCase(), value);

  const body = request.body ?? "";
  const contentType = (headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const bodyUnread = body.length > MAX_PARSE_CHARS;
  const parsed = bodyUnread ? { json: undefined, form: undefined } : parseBody(body, contentType);

  let method = request.method.toUpperCase();
  if (method === "POST") {
    // Servers honour these on POST; a DELETE in disguise is still a DELETE.
    const override = [
      ...OVERRIDE_HEADERS.map((h) => headers.get(h)),
      parsed.form?.get("_method"),
      url.searchParams.get("_method"),
    ]
      .map((m) => m?.trim().toUpperCase())
      .find((m) => m !== undefined && /^[A-Z]+$/.test(m));
    if (override) method = override;
  }

  return {
    method,
    host,
    path: normalisePath(url.pathname),
    query: url.search.slice(1),
    queryParams: url.searchParams,
    headers,
    contentType,
    body,
    ...parsed,
    bodyUnread,
  };
}

function normaliseHost(hostname: string): string {
  let host = hostname.toLowerCase();
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  // `api.stripe.com.` reaches api.stripe.com: the trailing dot must not dodge the catalogue.
  while (host.endsWith(".")) host = host.slice(0, -1);
  return host;
}

/**
 * The path as a server resolves it: percent-encoded unreserved characters decoded (`%6F` is
 * `o`), repeated slashes collapsed, the trailing slash dropped. `%2F` stays encoded: it is data.
 */
export function normalisePath(pathname: string): string {
  const decoded = pathname.replace(/%([0-9A-Fa-f]{2})/g, (encoded, hex: string) => {
    const c = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : encoded;
  });
  const collapsed = decoded.replace(/\/{2,}/g, "/");
  return collapsed.length > 1 && collapsed.endsWith("/") ? collapsed.slice(0, -1) : collapsed;
}

function parseBody(
  body: string,
  contentType: string,
): { json: unknown; form: URLSearchParams | undefined } {
  const none = { json: undefined, form: undefined };
  if (body === "") return none;
  const trimmed = body.trimStart();
  if (contentType.includes("json") || (contentType === "" && /^[[{]/.test(trimmed))) {
    try {
      return { json: JSON.parse(body), form: undefined };
    } catch {
      return none;
    }
  }
  if (
    contentType === "application/x-www-form-urlencoded" ||
    (contentType === "" && isFormLike(body))
  )
    return { json: undefined, form: new URLSearchParams(body) };
  return none;
}

/** `a=1&b=2` without a content type: how curl -d and the AWS query protocol send data. */
function isFormLike(body: string): boolean {
  return /^[\w.%[\]-]+=[^&\s]*(?:&[\w.%[\]-]+=[^&\s]*)*$/.test(body);
}

/** Values of a field: JSON body (dotted path), JSON Patch ops, form body, query; see FieldTest. */
export function fieldValues(req: ParsedRequest, name: string): unknown[] {
  const out: unknown[] = [];
  if (req.json !== undefined) {
    if (isJsonPatch(req.json)) out.push(...jsonPatchValues(req.json, name));
    else out.push(...pathValues(req.json, name.split(".")));
  }
  if (req.form) out.push(...req.form.getAll(name));
  out.push(...req.queryParams.getAll(name));
  if (name === "Action" && out.length === 0) {
    // AWS JSON protocol: `X-Amz-Target: DynamoDB_20120810.DeleteTable` names the operation.
    const target = req.headers.get("x-amz-target");
    if (target) out.push(target.slice(target.lastIndexOf(".") + 1));
  }
  return out;
}

/** Follows a dotted path through objects; an array on the way is searched element by element. */
export function pathValues(value: unknown, keys: readonly string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => pathValues(v, keys));
  if (keys.length === 0) return value === undefined ? [] : [value];
  if (value === null || typeof value !== "object") return [];
  const [key, ...rest] = keys as [string, ...string[]];
  if (!Object.hasOwn(value, key)) return [];
  return pathValues((value as Record<string, unknown>)[key], rest);
}

interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
}

function isJsonPatch(json: unknown): json is PatchOp[] {
  return (
    Array.isArray(json) &&
    json.length > 0 &&
    json.every(
      (x) =>
        x !== null &&
        typeof x === "object" &&
        typeof x.op === "string" &&
        typeof x.path === "string",
    )
  );
}

/** `[{"op":"replace","path":"/spec/replicas","value":0}]` sets the field `spec.replicas`. */
function jsonPatchValues(ops: readonly PatchOp[], name: string): unknown[] {
  const pointer = `/${name.replaceAll(".", "/")}`;
  return ops
    .filter((o) => (o.op === "add" || o.op === "replace") && o.path === pointer)
    .map((o) => o.value);
}
