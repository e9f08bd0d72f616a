import type { IncomingMessage, ServerResponse } from "node:http";

/** Small HTTP helpers for the control plane's node:http handlers (no framework on the hot path). */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const MAX_BODY = 1024 * 1024;

export async function readJson(req: IncomingMessage, max = MAX_BODY): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HttpError(413, `request body over ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new HttpError(400, `body is not JSON: ${(error as Error).message}`);
  }
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

export function sendError(res: ServerResponse, e: HttpError): void {
  if (e.status === 401) res.setHeader("www-authenticate", 'Bearer realm="redline"');
  send(res, e.status, {
    error: e.message,
    ...(e.details === undefined ? {} : { details: e.details }),
  });
}

export function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

/** A string field of a JSON body, or undefined; anything else is a 400 naming the field. */
export function optionalString(body: unknown, field: string): string | undefined {
  const v = (body as Record<string, unknown> | null)?.[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new HttpError(400, `${field}: expected a string`);
  return v;
}
