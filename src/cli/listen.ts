import { UsageError } from "./errors.js";

/** `--listen [host:]port` (host default 127.0.0.1; `[::1]:8080` for IPv6). */
export function listenAddress(s: string): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(s);
  if (!m) throw new UsageError(`--listen ${s}: expected [host:]port, e.g. 127.0.0.1:8080`);
  const host = (m[1] || "127.0.0.1").replace(/^\[|\]$/g, "");
  const port = Number(m[2]);
  if (port > 65535) throw new UsageError(`--listen ${s}: port out of range`);
  return { host, port };
}
