import { compileGlobs, type GlobSet } from "../../core/policy/glob.js";
import type { AnalysisContext } from "../types.js";
import type { ParsedRequest } from "./request.js";
import { SINKS } from "./sinks.js";

/**
 * Where data may go. With an egress allowlist, any data sent to a host outside it (and outside
 * the organisation) is `network.egress`. Without one, only what is clearly local data leaving
 * is: a file upload, or anything sent to a capture, paste or tunnel service; an ordinary API
 * write is not, or every POST would wait for a human. Secrets are judged in index.ts.
 */

const SEND_METHODS = new Set(["POST", "PUT", "PATCH"]);
const BINARY_TYPE =
  /^(?:application\/(?:octet-stream|zip|gzip|x-gzip|x-tar|x-7z-compressed|pdf|vnd\.)|image\/|audio\/|video\/)/;
/** A long unbroken run of base64 or hex: data riding in a URL. */
const ENCODED = /^[A-Za-z0-9+/=_-]{100,}$/;
const LONG_QUERY = 1024;

let sinkHosts: { kind: (typeof SINKS)[number]["kind"]; glob: GlobSet }[] | undefined;
const sinks = () =>
  (sinkHosts ??= SINKS.map((s) => ({
    kind: s.kind,
    glob: compileGlobs(s.host, { nocase: true }),
  })));
const globCache = new WeakMap<readonly string[], GlobSet>();

/** The context's host lists, compiled once per list. */
export function hostSet(globs: readonly string[]): GlobSet {
  let set = globCache.get(globs);
  if (!set) {
    set = compileGlobs(globs, { nocase: true });
    globCache.set(globs, set);
  }
  return set;
}

/** Inside the organisation: listed as internal, or an address that never leaves the network. */
export function isInternal(host: string, ctx: AnalysisContext): boolean {
  return hostSet(ctx.internalHosts).test(host) || isPrivateAddress(host);
}

export function isAllowlisted(host: string, ctx: AnalysisContext): boolean {
  return ctx.egressAllowlist.length > 0 && hostSet(ctx.egressAllowlist).test(host);
}

/** Why the request is `network.egress`, or undefined. */
export function judgeEgress(req: ParsedRequest, ctx: AnalysisContext): string | undefined {
  if (isInternal(req.host, ctx) || isAllowlisted(req.host, ctx)) return undefined;
  const sends = sendsData(req);
  const sink = sinks().find((s) => s.glob.test(req.host));
  if (sink && (sink.kind === "capture" || sends))
    return `data sent to a ${sink.kind} service: ${req.host}`;
  if (ctx.egressAllowlist.length > 0)
    return sends ? `data sent to ${req.host}, which is not on the egress allowlist` : undefined;
  const upload = uploadKind(req);
  return upload ? `${upload} to ${req.host}` : undefined;
}

/** A body, a write method, or data encoded into the URL. */
export function sendsData(req: ParsedRequest): boolean {
  if (req.body !== "" || SEND_METHODS.has(req.method)) return true;
  if (req.query.length > LONG_QUERY) return true;
  for (const [, value] of req.queryParams) if (ENCODED.test(value)) return true;
  if (req.path.split("/").some((s) => ENCODED.test(s))) return true;
  // DNS exfiltration spells the data into the host name.
  return req.host.split(".").some((label) => label.length >= 40);
}

/** What kind of file upload the request is, if it is one. */
export function uploadKind(req: ParsedRequest): string | undefined {
  if (req.body === "") return undefined;
  if (
    req.contentType === "multipart/form-data" &&
    /;\s*filename\*?=/i.test(req.body.slice(0, 1 << 20))
  )
    return "file upload";
  if (BINARY_TYPE.test(req.contentType)) return "binary upload";
  const encoding = req.headers.get("content-encoding");
  if (encoding && encoding.toLowerCase() !== "identity") return "compressed upload";
  // `curl -d @file` handed over as written: the file's contents go out.
  if (/^@[^\s@]+$/.test(req.body)) return `file upload (${req.body})`;
  return undefined;
}

function isPrivateAddress(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost") || host === "::1") return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (v4) {
    const a = Number(v4[1]);
    const b = Number(v4[2]);
    return (
      a === 10 ||
      a === 127 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    );
  }
  return /^f[cd][0-9a-f]{2}:/.test(host) || host.startsWith("fe80:");
}
