import { compileGlobs, type GlobSet } from "../../core/policy/glob.js";
import type { AnalysisContext } from "../types.js";

/**
 * Hosts named by a libpq connection string: `host=a,b port=5432`, `hostaddr=...`,
 * `postgresql://u@a:5432/db`, `postgresql:///db?host=a`. Every host named counts, not only the
 * one libpq would pick. None (a socket path, or a bare dblink connection name) is the local
 * server.
 */
export function connectionHosts(conninfo: string): string[] {
  const s = conninfo.trim();
  const uri = /^postgres(?:ql)?:\/\/(?:[^@/?]*@)?([^/?]*)/i.exec(s);
  const lists = uri
    ? [uri[1] ?? "", ...[...s.matchAll(/[?&](?:host|hostaddr)=([^&]*)/gi)].map((m) => m[1] ?? "")]
    : [...s.matchAll(/(?:^|\s)(?:host|hostaddr)\s*=\s*(?:'([^']*)'|(\S+))/gi)].map(
        (m) => m[1] ?? m[2] ?? "",
      );
  return lists
    .flatMap((list) => decode(list).split(","))
    .map(withoutPort)
    .filter((h) => h !== "" && !h.startsWith("/"));
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `a.example:5432` → `a.example`; `[::1]:5432` → `::1`; a bare IPv6 address stays whole. */
function withoutPort(host: string): string {
  const bracketed = /^\[(.*)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1] ?? "";
  return host.split(":").length === 2 ? host.replace(/:\d+$/, "") : host;
}

const compiled = new WeakMap<readonly string[], GlobSet>();

function globs(list: readonly string[]): GlobSet {
  let set = compiled.get(list);
  if (set === undefined) {
    set = compileGlobs(list, { nocase: true });
    compiled.set(list, set);
  }
  return set;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1)$/i;

/** A host the database may send data to: on the egress allowlist, internal, or loopback. */
export function mayReach(host: string, ctx: AnalysisContext): boolean {
  return (
    LOOPBACK.test(host) ||
    globs(ctx.egressAllowlist).test(host) ||
    globs(ctx.internalHosts).test(host)
  );
}
